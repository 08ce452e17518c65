"""The OpenAPI documents every answer: each operation's success response has a body schema
(JSON), a binary media type (documents, meshes) or an event stream; /api/docs shows them."""

from __future__ import annotations

from fastapi import FastAPI

BINARY = {"application/pdf", "application/octet-stream", "model/stl", "text/csv", "image/png",
          "application/zip", "application/gzip", "text/html", "model/3mf"}


def test_every_success_response_documents_its_body(app: FastAPI) -> None:
    spec = app.openapi()
    missing = []
    for path, ops in spec["paths"].items():
        for method, op in ops.items():
            ok = {code: r for code, r in op["responses"].items() if code.startswith("2")}
            assert ok, f"{method.upper()} {path}: no success response"
            for code, response in ok.items():
                if code == "204":
                    continue
                content = response.get("content", {})
                schema = content.get("application/json", {}).get("schema")
                documented = (schema not in (None, {})
                              or any(t in content for t in BINARY)
                              or "text/event-stream" in content)
                if not documented:
                    missing.append(f"{method.upper()} {path} {code}")
    assert not missing, "undocumented response bodies:\n" + "\n".join(missing)
