"""Base types of the regimen schema, shared by its modules (one definition of "strict")."""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

__all__ = ["DrugName", "Text", "_Strict"]

DrugName = Annotated[str, Field(pattern=r"^[a-z][a-z0-9-]*$", max_length=40)]
Text = Annotated[str, Field(min_length=1)]


class _Strict(BaseModel):
    # extra="forbid": a misspelt key (``dose_per_m2``) must fail loudly, not be ignored.
    model_config = ConfigDict(extra="forbid", frozen=True)
