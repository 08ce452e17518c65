"""Calculators: `POST /calc/{name}` with one JSON object in, one JSON object out.

One route per calculator, generated from the shared registry, so OpenAPI documents each request
body; FastAPI's own validation errors and the rules' InvalidInput both become HTTP 422
`{"error", "field"}` through `rareonco.web.error_handlers`.
"""

from typing import Any

from fastapi import APIRouter, Body

from rareonco.calc.registry import CALCULATORS, Calculator, get
from rareonco.errors import NotFound

router = APIRouter(prefix="/calc", tags=["calculators"])


@router.get("/", summary="List the calculators")
def list_calculators() -> list[dict[str, Any]]:
    return [
        {"name": c.name, "summary": c.summary, "path": f"/calc/{c.name}", "example": c.example}
        for c in CALCULATORS.values()
    ]


def _endpoint(calc: Calculator):
    def endpoint(payload: Any) -> dict[str, Any]:
        return calc.run(payload)

    # Annotate at runtime so FastAPI sees the concrete model of this calculator.
    endpoint.__annotations__ = {"payload": calc.model, "return": dict[str, Any]}
    endpoint.__defaults__ = (Body(..., openapi_examples={"example": {"value": calc.example}}),)
    endpoint.__name__ = f"calc_{calc.name}"
    return endpoint


for _calc in CALCULATORS.values():
    router.add_api_route(
        f"/{_calc.name}",
        _endpoint(_calc),
        methods=["POST"],
        summary=_calc.summary,
        description=(_calc.run.__doc__ or _calc.summary),
        name=f"calc_{_calc.name}",
    )


@router.post("/{name}", include_in_schema=False)
def unknown_calculator(name: str) -> None:
    get(name)  # raises NotFound for every name that has no route above
    raise NotFound(name)  # pragma: no cover - a known name is served by its own route
