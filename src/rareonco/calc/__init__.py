"""Clinical calculators exposed at the edges (CLI `rareonco calc NAME`, API `POST /calc/NAME`).

The catalogue maps each name to its Pydantic input model and a function returning a JSON-able
dict; both interfaces share it so that they accept and return exactly the same JSON.
"""

from rareonco.calc.catalogue import (
    CALCULATORS,
    Calculator,
    get,
    invalid_from_validation,
    run,
)

__all__ = ["CALCULATORS", "Calculator", "get", "invalid_from_validation", "run"]
