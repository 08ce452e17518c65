"""Calculators: `POST /calc/{name}` with one JSON object in, one JSON object out.

One route per calculator, generated from the shared catalogue, so OpenAPI documents each request
body; FastAPI's own validation errors and the rules' InvalidInput both become HTTP 422
`{"error", "field"}` through `rareonco.web.error_handlers`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from fastapi import APIRouter, Body

from rareonco.calc.catalogue import CALCULATORS, Calculator, get
from rareonco.errors import NotFound
from rareonco.records.schemas import Out

router = APIRouter(prefix="/calc", tags=["calculators"])


class CalculatorOut(Out):
    """A calculator: its route and an example request body."""

    name: str
    summary: str
    path: str
    example: Mapping[str, Any]


@router.get("/", summary="List the calculators")
def list_calculators() -> list[CalculatorOut]:
    return [CalculatorOut(name=c.name, summary=c.summary, path=f"/calc/{c.name}",
                          example=c.example) for c in CALCULATORS.values()]


def _endpoint(calc: Calculator) -> Callable[..., dict[str, Any]]:
    def endpoint(payload: Any) -> dict[str, Any]:
        return calc.run(payload)

    # Annotate at runtime so FastAPI sees the concrete model of this calculator.
    endpoint.__annotations__ = {"payload": calc.model, "return": dict[str, Any]}
    endpoint.__defaults__ = (Body(..., openapi_examples={"example": {"value": calc.example}}),)
    endpoint.__name__ = f"calc_{calc.name}"
    return endpoint


for _calc in CALCULATORS.values():
    # The result's fields differ per calculator and the registry (`calc/catalogue.py`) builds
    # them as dicts: documented as a JSON object until it declares one output model each.
    router.add_api_route(
        f"/{_calc.name}",
        _endpoint(_calc),
        methods=["POST"],
        summary=_calc.summary,
        description=(_calc.run.__doc__ or _calc.summary),
        name=f"calc_{_calc.name}",
        response_model=dict[str, Any],
        responses={200: {"description": "the calculator's result, a JSON object"}},
    )


@router.post("/{name}", include_in_schema=False)
def unknown_calculator(name: str) -> None:
    get(name)  # raises NotFound for every name that has no route above
    raise NotFound(name)  # pragma: no cover - a known name is served by its own route
