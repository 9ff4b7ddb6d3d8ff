"""The SDXorg conformance suite as a data-driven table: one test per model file
(XMILE, STMX and Vensim .mdl).

Cases come from the shared suite (``$WHOLESYSTEM_SHARED/sd-test-models``); cases broken in
the suite itself come from its ``tools/known_broken.txt`` and our own documented
exceptions from ``exceptions.toml`` beside this file. Results are produced through the
public API and compared exactly as the shared scorer compares them (data variables read
the data sets the model's own settings name, as with the scorer's default command).
"""

from __future__ import annotations

import os
import tomllib
from pathlib import Path

import pytest
from reference import compare, read_reference

import wholesystem

HERE = Path(__file__).parent
SHARED = Path(os.environ.get("WHOLESYSTEM_SHARED",
                             HERE.parents[1].parent / "shared")).resolve()
SUITE = SHARED / "sd-test-models"
FORMATS = {".xmile": "xmile", ".stmx": "stmx", ".mdl": "mdl"}
# Not cases, as in the shared scorer: a data generator, and a file whose folder's reference
# belongs to another model (its README says so).
NOT_CASES = {"tests/data_from_other_model/model_to_generate_data.mdl",
             "tests/get_time_value/test_get_time_value.mdl"}
EXCEPTIONS = tomllib.loads((HERE / "exceptions.toml").read_text(encoding="utf-8"))


def _known_broken() -> dict[str, str]:
    listing = SHARED / "tools" / "known_broken.txt"
    if not listing.exists():
        return {}
    entries, reason = {}, "broken in the suite itself"
    for line in listing.read_text(encoding="utf-8").splitlines():
        if line.startswith("#"):
            text = line.lstrip("# ").strip()
            if text and not text.startswith(("Cases", "(developer", "its folder",
                                             "sdconform", "are left", "20 cases")):
                reason = text
            continue
        if line.strip():
            entries[line.strip()] = reason
    return entries


def _cases() -> list[object]:
    if not SUITE.is_dir():
        return [pytest.param(None, None, marks=pytest.mark.skip(
            reason=f"shared conformance suite not found at {SUITE} (set WHOLESYSTEM_SHARED)"),
            id="suite-missing")]
    broken = _known_broken()
    cases = []
    for top in ("tests", "samples"):
        for folder in sorted((SUITE / top).rglob("*")):
            if not folder.is_dir():
                continue
            reference = next((folder / n for n in ("output.csv", "output.tab")
                              if (folder / n).exists()), None)
            if reference is None:
                continue
            for model in sorted(folder.iterdir()):
                if model.suffix.lower() not in FORMATS:
                    continue
                case_id = model.relative_to(SUITE).as_posix()
                if case_id in NOT_CASES:
                    continue
                marks = []
                if case_id in broken:
                    marks.append(pytest.mark.skip(reason=f"known broken: {broken[case_id]}"))
                elif case_id in EXCEPTIONS:
                    marks.append(pytest.mark.xfail(strict=True,
                                                   reason=EXCEPTIONS[case_id]["reason"]))
                cases.append(pytest.param(model, reference, marks=marks, id=case_id))
    return cases


@pytest.mark.conformance
@pytest.mark.parametrize(("model_path", "reference_path"), _cases())
def test_case_matches_reference(model_path: Path, reference_path: Path) -> None:
    results = wholesystem.load(model_path).run()
    problems = compare(results, read_reference(reference_path))
    assert not problems, "; ".join(problems[:5])
