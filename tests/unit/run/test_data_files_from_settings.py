"""Data variables read the data sets a Vensim model's settings name (``13:file``), with a
text export standing in for Vensim's binary .vdf."""

from __future__ import annotations

from pathlib import Path

import pytest

import wholesystem

MODEL = """{UTF-8}
level = INTEG(inflow, 0) ~~|
inflow ~~|
INITIAL TIME = 0 ~~|
FINAL TIME = 2 ~~|
TIME STEP = 1 ~~|
SAVEPER = TIME STEP ~~|
\\\\\\---/// Sketch information - do not modify anything except names
V300  Do not put anything below this section - it will be ignored
///---\\\\\\
:L\x7f<%^E!@
1:output.vdf
13:series.vdf
"""


def test_model_reads_the_export_of_the_data_set_its_settings_name(tmp_path: Path) -> None:
    (tmp_path / "m.mdl").write_text(MODEL)
    (tmp_path / "series.tab").write_text("Time\t0\t1\t2\ninflow\t5\t6\t7\n")
    results = wholesystem.load(tmp_path / "m.mdl").run()
    assert list(results["level"]) == [0, 5, 11]


def test_without_the_data_set_the_run_says_what_is_missing(tmp_path: Path) -> None:
    (tmp_path / "m.mdl").write_text(MODEL)
    with pytest.raises(wholesystem.WholesystemError, match="inflow"):
        wholesystem.load(tmp_path / "m.mdl").run()
