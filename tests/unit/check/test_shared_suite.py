"""Every valid model of the shared conformance suite checks without errors (warnings allowed).

A case is valid when its folder holds a reference output (``output.csv``/``output.tab``)
and it is not in ``tools/known_broken.txt`` (the ``shared_model_file`` parameter of
``tests/conftest.py`` already leaves those out). Folders without a reference output are
smoke models, some of them deliberately incomplete (``samples/display``).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from wholesystem.check import check_file
from wholesystem.diagnostics import Severity


def _has_reference_output(model: Path) -> bool:
    return any(p.name.lower().startswith("output.") for p in model.parent.iterdir())


def test_valid_suite_models_have_no_errors(shared_model_file: Path) -> None:
    if not _has_reference_output(shared_model_file):
        pytest.skip("no reference output: not known to be a complete model")
    errors = [d.render() for d in check_file(shared_model_file)
              if d.severity is Severity.ERROR]
    assert errors == []


def test_an_incomplete_suite_model_reports_what_is_missing(shared: Path) -> None:
    model = shared / "sd-test-models" / "samples" / "display" / "1style.stmx"
    if not model.is_file():
        pytest.skip(f"{model} is not in this copy of the suite")
    found = [(d.code, d.span.line) for d in check_file(model)]
    assert ("missing-initial-value", 20) in found
    assert ("missing-equation", 23) in found
