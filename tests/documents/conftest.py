"""Documents run against both stores: a directory and a real S3-protocol server (moto's standalone
server, started once for the session in its own process)."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from exchange.config import Settings
from tests.conftest import make_settings

BUCKET = "exchange-documents"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="session")
def s3_server() -> Iterator[str]:
    """``http://127.0.0.1:PORT`` of a moto S3 server with the test bucket."""
    port = _free_port()
    proc = subprocess.Popen([sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                    break
            except OSError:
                if time.monotonic() > deadline or proc.poll() is not None:
                    raise RuntimeError("the S3 test server did not start") from None
                time.sleep(0.1)
        import boto3

        boto3.client("s3", endpoint_url=url, region_name="us-east-1", aws_access_key_id="test",
                     aws_secret_access_key="test").create_bucket(Bucket=BUCKET)
        yield url
    finally:
        proc.terminate()
        proc.wait(10)


def s3_settings(database_url: str, server: str, **overrides: object) -> Settings:
    return make_settings(database_url, storage_url=f"s3://{BUCKET}/t-{uuid.uuid4().hex[:12]}", s3_endpoint_url=server,
                         s3_region="us-east-1", s3_access_key_id="test", s3_secret_access_key="test", **overrides)


@pytest.fixture(params=["directory", "s3"])
def backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def settings(database_url: str, backend: str, tmp_path: Path, request: pytest.FixtureRequest) -> Settings:
    if backend == "s3":
        return s3_settings(database_url, request.getfixturevalue("s3_server"))
    return make_settings(database_url, storage_url=f"file://{tmp_path / 'documents'}")


os.environ.setdefault("AWS_EC2_METADATA_DISABLED", "true")
