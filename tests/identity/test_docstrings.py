"""The examples in the identity package's docstrings run and hold."""

from __future__ import annotations

import doctest
import importlib

import pytest

MODULES = ["rareonco.identity", "rareonco.identity.romanisation", "rareonco.identity.names",
           "rareonco.identity.person", "rareonco.identity.decision"]


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples(name: str) -> None:
    failures, tried = doctest.testmod(importlib.import_module(name))
    assert tried and not failures
