"""The committed OpenAPI document is the one the code produces, and every operation is documented."""

from __future__ import annotations

import json
from pathlib import Path

from exchange.openapi import export

COMMITTED = Path(__file__).resolve().parents[1] / "openapi" / "openapi.json"


def _operations(doc: dict) -> list[tuple[str, str, dict]]:
    return [(path, method, op) for path, item in doc["paths"].items() for method, op in item.items()]


def test_committed_openapi_is_in_sync() -> None:
    assert COMMITTED.read_text(encoding="utf-8") == export(), (
        "openapi/openapi.json is stale: run `exchange export-openapi` and commit the result")


def test_every_operation_has_an_id_a_summary_a_description_and_its_errors() -> None:
    doc = json.loads(export())
    ids = []
    for path, method, op in _operations(doc):
        where = f"{method.upper()} {path}"
        assert op.get("operationId"), where
        ids.append(op["operationId"])
        assert op.get("summary") and op.get("description"), f"{where} needs a docstring"
        errors = {code: r for code, r in op["responses"].items() if code.startswith(("4", "5"))}
        takes_input = op.get("parameters") or op.get("requestBody") or op.get("security")
        if takes_input:  # an operation without input (health, vocabularies, …) has no error to declare
            assert errors, f"{where} takes input but declares no error responses"
        for code, response in errors.items():
            assert "application/problem+json" in response.get("content", {}), f"{where} {code} is not problem+json"
        if op.get("security") or any(p["in"] == "header" and p["name"].lower() == "authorization"
                                     for p in op.get("parameters", [])):
            assert "401" in errors, f"{where} takes a token but does not declare 401"
    assert len(ids) == len(set(ids)), "operationIds must be unique"
    assert "Problem" in doc["components"]["schemas"]
