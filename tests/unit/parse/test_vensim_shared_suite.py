"""Every .mdl file of the shared conformance suite, and World3-03 unedited, reads without error.

Files come from ``$WHOLESYSTEM_SHARED`` (default ``../shared`` beside the repository);
the tests are skipped when it is absent. Cases listed in ``tools/known_broken.txt`` are
left out; models that read spreadsheets (GET XLS / GET DIRECT) must read too, since the
calls are only passed on (GET ... SUBSCRIPT ranges are read here, from the case folder).
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from wholesystem.ir.model import VariableKind
from wholesystem.parse import read_model

REPO_ROOT = Path(__file__).resolve().parents[3]


def _shared() -> Path | None:
    configured = os.environ.get("WHOLESYSTEM_SHARED")
    path = Path(configured) if configured else REPO_ROOT.parent / "shared"
    return path if (path / "sd-test-models").is_dir() else None


def _known_broken(shared: Path) -> set[str]:
    listing = shared / "tools" / "known_broken.txt"
    if not listing.is_file():
        return set()
    lines = (line.strip() for line in listing.read_text(encoding="utf-8").splitlines())
    return {line for line in lines if line and not line.startswith("#")}


def _mdl_files() -> list[object]:
    shared = _shared()
    if shared is None:
        return [pytest.param(None, id="no-shared-suite", marks=pytest.mark.skip(
            reason="shared conformance suite not found (set WHOLESYSTEM_SHARED)"))]
    suite = shared / "sd-test-models"
    broken = _known_broken(shared)
    files = sorted(p for p in suite.rglob("*") if p.suffix.lower() == ".mdl"
                   and p.relative_to(suite).as_posix() not in broken)
    return [pytest.param(f, id=f.relative_to(suite).as_posix()) for f in files]


@pytest.mark.parametrize("model", _mdl_files())
def test_suite_model_reads(model: Path) -> None:
    project = read_model(model)
    assert project.format == "mdl"
    assert project.main.variables
    assert all(v.span.line > 0 for v in project.main.variables if not v.name.startswith("#"))


def test_world3_reads_unedited() -> None:
    shared = _shared()
    model = shared / "benchmarks" / "world3" / "World3_03_Scenarios.mdl" if shared else None
    if model is None or not model.is_file():
        pytest.skip("World3-03 benchmark file not found")
    project = read_model(model)
    specs = project.sim_specs
    assert (specs.start, specs.stop, specs.dt, specs.save_period) == (1900, 2100, 0.5, 0.5)
    variables = project.main.variable_map()
    assert "help link" not in variables  # the :IS: help-link entry PySD cannot read
    assert sum(v.kind is VariableKind.STOCK for v in variables.values()) == 15
    assert sum(v.graphical_function is not None and v.equation is None
               for v in variables.values()) == 72
