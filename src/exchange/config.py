"""Settings, read once from the environment (prefix ``EXCHANGE_``)."""

from __future__ import annotations

import os
import tempfile
from functools import lru_cache
from typing import Literal

from pydantic import Field, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

DEV_SECRET = "dev-only-insecure-secret-do-not-use-in-prod"


class Settings(BaseSettings):
    """Everything the service reads from its environment."""

    model_config = SettingsConfigDict(env_prefix="EXCHANGE_", env_file=".env", extra="ignore")

    env: Literal["dev", "prod"] = "dev"
    database_url: str = "sqlite+aiosqlite:///./exchange.db"
    secret_key: str = DEV_SECRET
    token_ttl_seconds: int = Field(default=3600, ge=60, le=7 * 24 * 3600)
    cors_origins: list[str] = Field(default_factory=list)
    max_body_bytes: int = Field(default=1_048_576, ge=1024)
    import_max_bytes: int = Field(default=20 * 1024 * 1024, ge=1024)  # the upload limit of POST /imports alone
    import_max_rows: int = Field(default=100_000, ge=1)  # data rows per imported sheet
    login_max_failures: int = Field(default=5, ge=1)
    login_window_seconds: int = Field(default=300, ge=1)
    # signed-in pages (/workspace): the session cookie ends after this long without a request (sliding) …
    web_session_idle_seconds: int = Field(default=1800, ge=60, le=24 * 3600)
    # … and at the latest this long after signing in
    web_session_max_seconds: int = Field(default=12 * 3600, ge=300, le=7 * 24 * 3600)
    search_rate_per_minute: int = Field(default=120, ge=1)
    tick_interval_seconds: float = Field(default=30.0, ge=0)  # how often the job runner looks for due work
    # run the job runner beside `exchange serve` (in its own process); unset: yes on SQLite, no on PostgreSQL
    serve_runs_jobs: bool | None = None
    register_rate_per_hour: int = Field(default=20, ge=1)
    max_header_bytes: int = Field(default=65_536, ge=1024)
    metrics_token: str | None = None  # GET /metrics with this bearer token; without one, loopback only
    log_format: Literal["json", "text"] = "json"
    audit_verify_rate_per_minute: int = Field(default=30, ge=1)
    db_pool_size: int = Field(default=10, ge=1)
    matching_sync_seconds: float = Field(default=1.0, gt=0)
    seed_grant_max_fen: int = Field(default=500_000, ge=1, description="The ceiling of a seed grant (种子金), in fen")
    # One memory-mapped snapshot of the offers index per host, shared by the server processes, once
    # there are this many published offers ("" turns it off: each process indexes in memory).
    matching_snapshot_dir: str = Field(default_factory=lambda: os.path.join(tempfile.gettempdir(), "exchange-matching"))
    matching_shared_min_offers: int = Field(default=20_000, ge=0)
    proposal_quorum: int = Field(default=10, ge=1)  # votes a proposal needs to be formed without a meeting
    points_per_hour: int = Field(default=10, ge=0)  # 幸福积分 per volunteer hour recorded
    matching_warmup: bool = True  # build the matching index at start-up and keep it fresh in the background
    # documents: where the bytes live (file:///path or s3://bucket/prefix) and how large one may be
    storage_url: str = "file://./data/documents"
    max_upload_bytes: int = Field(default=20 * 1024 * 1024, ge=1)
    s3_endpoint_url: str | None = None
    s3_region: str | None = None
    s3_access_key_id: str | None = None
    s3_secret_access_key: str | None = None
    orphan_grace_seconds: float = Field(default=3600.0, ge=0)
    # Webhooks: deliver to private, loopback or link-local addresses (an intranet OA system; tests)
    webhook_allow_private: bool = False
    webhook_timeout_seconds: float = Field(default=10.0, gt=0, le=30)
    # Notifications: email through SMTP when a host is set (otherwise email is only logged);
    # SMS and WeChat through an adapter, `log` (only logs) by default
    smtp_host: str | None = None
    smtp_port: int = Field(default=587, ge=1, le=65535)
    smtp_username: str | None = None
    smtp_password: str | None = None
    smtp_from: str = "exchange@localhost"
    smtp_security: Literal["starttls", "tls", "none"] = "starttls"
    sms_adapter: Literal["log"] = "log"
    wechat_adapter: Literal["log"] = "log"

    @model_validator(mode="after")
    def _refuse_default_secret(self) -> Settings:
        if self.env != "dev" and self.secret_key == DEV_SECRET:
            raise ValueError(
                "EXCHANGE_SECRET_KEY must be set outside EXCHANGE_ENV=dev (it signs every token)"
            )
        if self.env != "dev" and len(self.secret_key) < 32:
            raise ValueError("EXCHANGE_SECRET_KEY must be at least 32 characters in prod")
        return self

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")

    @property
    def runs_jobs_beside_serve(self) -> bool:
        return self.is_sqlite if self.serve_runs_jobs is None else self.serve_runs_jobs


@lru_cache
def get_settings() -> Settings:
    """The process-wide settings (tests build their own and pass them to create_app)."""
    return Settings()
