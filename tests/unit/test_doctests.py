"""The examples in docstrings run: every module of the package, imported and doctested."""

from __future__ import annotations

import doctest
import importlib
import pkgutil

import pytest

import wholesystem

MODULES = sorted(info.name for info in pkgutil.walk_packages(wholesystem.__path__,
                                                             "wholesystem."))


@pytest.mark.parametrize("module_name", MODULES)
def test_module_imports_and_its_examples_run(module_name: str) -> None:
    module = importlib.import_module(module_name)
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE,
                             verbose=False, report=False)
    assert result.failed == 0, f"{result.failed} of {result.attempted} examples failed"
