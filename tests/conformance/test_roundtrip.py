"""Export round trips over the conformance table: every case that runs, written out by
``wholesystem.export`` and read back, gives the same results as the original.

XMILE, which cannot name files, gets a Vensim model's external data (GET XLS/DIRECT calls,
data variables fed by the data sets its settings name) as values, as ``wholesystem
convert --to xmile`` writes them. The cases are the conformance table's own
(``test_conformance._cases``), so ``.mdl`` cases join as soon as that table lists them. A
case is skipped, saying why, when the original does not load or run (its conformance test
reports that) or when the target format cannot express the model (the exporter's own
error, which names the reason).
"Same" is the engine's own precision: 1e-9 relative (plus 1e-12 absolute, for values that
are zero in one run and a rounding error in the other).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from reference import sd_key
from test_conformance import _cases

from wholesystem.errors import UnsupportedFeatureError, WholesystemError
from wholesystem.export import export_mdl, export_xmile
from wholesystem.interfaces.cli.convert_command import resolve_external_data
from wholesystem.ir.model import Project
from wholesystem.parse import read_model, read_vensim_text
from wholesystem.parse.xmile import read_xmile_text
from wholesystem.run import Model

RTOL = 1e-9
ATOL = 1e-12


def _roundtrip_cases() -> list[object]:
    """The conformance cases with their skips, minus their expected failures: an xfail
    there says the reference disagrees, not that the engine cannot run the model."""
    cases = []
    for case in _cases():
        values = getattr(case, "values", ())
        marks = [m for m in getattr(case, "marks", ()) if m.name != "xfail"]
        cases.append(pytest.param(values[0], marks=marks, id=getattr(case, "id", None)))
    return cases


def _original(model_path: Path) -> tuple[Project, pd.DataFrame]:
    try:
        project = read_model(model_path)
        return project, Model(project).run()
    except (WholesystemError, FileNotFoundError) as error:
        pytest.skip(f"the original does not run: {str(error).splitlines()[0]}")


def _read_mdl_text(text: str, beside: Path) -> Project:
    """Read Vensim text back, named as a file beside the original so data files resolve."""
    return read_vensim_text(text, str(beside.with_name(f"{beside.stem}.roundtrip.mdl")))


def assert_same_results(original: pd.DataFrame, again: pd.DataFrame) -> None:
    """Every column of ``original`` is in ``again`` (names compared as the scorer does)
    with equal values; ``again`` may hold more (flows made for Vensim stocks)."""
    columns = {sd_key(str(c)): c for c in again.columns}
    missing = [c for c in original.columns if sd_key(str(c)) not in columns]
    assert not missing, f"columns lost in the round trip: {missing[:5]}"
    assert np.array_equal(original.index.to_numpy(), again.index.to_numpy())
    for column in original.columns:
        before = original[column].to_numpy(dtype=float)
        after = again[columns[sd_key(str(column))]].to_numpy(dtype=float)
        same = np.isclose(after, before, rtol=RTOL, atol=ATOL, equal_nan=True) | (
            before == after)
        if not same.all():
            at = int(np.argmin(same))
            raise AssertionError(f"'{column}' at t={original.index[at]}: {before[at]!r} "
                                 f"became {after[at]!r}")


@pytest.mark.conformance
@pytest.mark.parametrize("model_path", _roundtrip_cases())
def test_xmile_round_trip(model_path: Path) -> None:
    project, results = _original(model_path)
    try:
        text = export_xmile(resolve_external_data(project))
    except UnsupportedFeatureError as error:
        pytest.skip(f"XMILE cannot express it: {str(error).splitlines()[0]}")
    again = read_xmile_text(text, str(model_path.with_suffix(".roundtrip.xmile")))
    assert_same_results(results, Model(again).run())


@pytest.mark.conformance
@pytest.mark.parametrize("model_path", _roundtrip_cases())
def test_mdl_round_trip(model_path: Path) -> None:
    project, results = _original(model_path)
    try:
        text = export_mdl(project)
    except UnsupportedFeatureError as error:
        pytest.skip(f"Vensim cannot express it: {str(error).splitlines()[0]}")
    again = _read_mdl_text(text, model_path)
    assert_same_results(results, Model(again).run())
