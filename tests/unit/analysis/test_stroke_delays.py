"""The stroke example (Monks et al. 2016) against the published tables, and its README
against what the code prints.

Reference numbers, each with its source:

- ``TABLE_2``: the STARS reproduction's Table 2, ``pythonhealthdatascience/pydesrap_stroke``
  ``outputs/table2.csv`` (commit 0d6839b): probability of delay to two decimals at current
  admissions and 5% more, in the paper's layout (no +5% figure for 9 acute or 10 rehab
  beds, no row for 11 rehab beds). The paper's own Table 2 body was not readable here.
- ``ABSTRACT``: the paper's abstract (doi:10.1186/s12913-016-1789-4): 10 acute beds delay
  1 in every 7 patients, 14 beds 1 in 50; 26 beds with 8 pooled delay 1 in 29 acute and 1
  in 20 rehab admissions.
- ``TABLE_3``: the reproduction's ``outputs/table3.csv`` (same commit): pooling.
"""

from __future__ import annotations

import re

import pytest

import wholesystem
from wholesystem.analysis.delays import delay_table, erlang_b, pooling_table
from wholesystem.errors import ParameterError
from wholesystem.interfaces.cli import main
from wholesystem.interfaces.cli.delays_command import render_delays
from wholesystem.system.occupancy import mean_occupancy
from wholesystem.system.read import read_system
from wholesystem.system.scenarios import apply_scenario

TABLE_2 = {  # (unit, beds): (current, +5% or None)
    ("asu", 9): (0.18, None), ("asu", 10): (0.13, 0.15), ("asu", 11): (0.09, 0.10),
    ("asu", 12): (0.06, 0.07), ("asu", 13): (0.03, 0.04), ("asu", 14): (0.02, 0.03),
    ("rehab", 10): (0.21, None), ("rehab", 12): (0.11, 0.13), ("rehab", 13): (0.08, 0.09),
    ("rehab", 14): (0.05, 0.06), ("rehab", 15): (0.03, 0.04), ("rehab", 16): (0.02, 0.03),
}
TABLE_3 = {  # (acute, rehab, pooled): (p acute, p rehab)
    (0, 0, 22): (0.063, 0.063), (0, 0, 26): (0.016, 0.016), (14, 12, 0): (0.019, 0.11),
    (11, 11, 4): (0.044, 0.089), (11, 10, 5): (0.037, 0.09), (10, 10, 6): (0.041, 0.066),
    (10, 9, 7): (0.039, 0.066), (9, 9, 8): (0.042, 0.053), (9, 8, 9): (0.041, 0.053),
}
TOLERANCE = 0.015
"""Two-decimal rounding of the reference (0.005) plus the sampling spread of 150 runs x
1,825 daily audits (about 0.005 at these levels) plus the reproduction's own."""

BEDS = {"asu": range(9, 15), "rehab": range(10, 17)}
README = wholesystem.example_path("stroke").parent / "README.md"


@pytest.fixture(scope="module")
def spec():  # type: ignore[no-untyped-def]
    return read_system(wholesystem.example_path("stroke"))


@pytest.fixture(scope="module")
def table(spec):  # type: ignore[no-untyped-def]
    return delay_table(spec, BEDS, [1.0, 1.05], seed=0)


def test_mean_occupancy_by_little_law(spec) -> None:  # type: ignore[no-untyped-def]
    """ASU: stroke (0.24 x 7.4 + 0.13 x 4.6 + 0.63 x 7.0) / 1.2 = 5.653, TIA 1.8 / 9.3,
    neuro 4.0 / 3.6, other 3.8 / 3.2: 8.145. Rehab: stroke (0.24 / 1.2 + 1 / 21.8) x
    (0.4 x 30.3 + 0.6 x 28.4), TIA 0.01 / 9.3 x 18.7, neuro (0.11 / 3.6 + 1 / 31.7) x 27.6,
    other (0.05 / 3.2 + 1 / 28.6) x 16.1: 9.718."""
    asu = (0.24 * 7.4 + 0.13 * 4.6 + 0.63 * 7.0) / 1.2 + 1.8 / 9.3 + 4.0 / 3.6 + 3.8 / 3.2
    rehab = ((0.24 / 1.2 + 1 / 21.8) * (0.4 * 30.3 + 0.6 * 28.4) + 0.01 / 9.3 * 18.7
             + (0.11 / 3.6 + 1 / 31.7) * 27.6 + (0.05 / 3.2 + 1 / 28.6) * 16.1)
    assert mean_occupancy(spec) == pytest.approx({"asu": asu, "rehab": rehab}, rel=1e-8)


def test_table_2_within_tolerance_of_the_published_table(table) -> None:  # type: ignore[no-untyped-def]
    """Every published probability of delay, current and +5%, simulated and by Erlang's
    formula, within 0.015 of the reproduction's Table 2."""
    rows = {(r.ward, r.beds, r.admissions): r for r in table.rows}
    for (ward, beds), (current, more) in TABLE_2.items():
        for level, reference in ((1.0, current), (1.05, more)):
            if reference is None:
                continue
            row = rows[(ward, beds, level)]
            assert row.p_delay == pytest.approx(reference, abs=TOLERANCE), (ward, beds, level)
            assert row.erlang_b == pytest.approx(reference, abs=TOLERANCE), (ward, beds, level)


def test_abstract_figures(table) -> None:  # type: ignore[no-untyped-def]
    """14 acute beds: 1 in 50 in the abstract, ours 1 in 52 (within 10%). 10 beds: the
    abstract's 1 in 7 is NOT reproduced: ours is 1 in 8, as the reproduction's (a known,
    documented deviation: README 'What the comparison says')."""
    rows = {(r.ward, r.beds, r.admissions): r for r in table.rows}
    assert rows[("asu", 14, 1.0)].one_in == pytest.approx(50, rel=0.1)
    assert rows[("asu", 10, 1.0)].one_in == 8


def test_pooling_within_tolerance_of_table_3(spec) -> None:  # type: ignore[no-untyped-def]
    """Full pooling (the summed occupancy cut at 22 or 26), no pooling (Table 2's form) and
    partial pooling the paper's way (independent tails) within 0.01 of the reproduction's
    Table 3; 9/9/8 against the abstract's 1 in 29 and 1 in 20: rehab within 10%, acute
    not (ours 1 in 24; the reproduction's 0.042 is 1 in 24 too)."""
    pooling = pooling_table(spec, ("asu", "rehab"), list(TABLE_3), seed=0)
    for row in pooling.rows:
        reference = TABLE_3[(*row.dedicated, row.pooled)]
        assert row.p_delay == pytest.approx(reference, abs=0.01), row
        if row.pooled == 0 or row.dedicated == (0, 0):
            assert row.p_loss == pytest.approx(row.p_delay, abs=0.002), row
        else:
            assert row.p_loss[0] < row.p_delay[0]
            assert row.p_loss[1] < row.p_delay[1]
    nine = next(r for r in pooling.rows if r.dedicated == (9, 9))
    assert nine.one_in[1] == pytest.approx(20, rel=0.1)
    full = next(r for r in pooling.rows if r.pooled == 22)
    assert full.p_delay[0] == pytest.approx(erlang_b(22, sum(mean_occupancy(spec).values())),
                                            abs=0.005)


def test_no_neuro_scenario_lowers_the_load(spec) -> None:  # type: ignore[no-untyped-def]
    """Scenario 4 removes the neurological need: the ASU loses 4.0 / 3.6 = 1.111 and rehab
    (0.11 / 3.6 + 1 / 31.7) x 27.6 = 1.714 of their mean occupancy; 10 acute beds then
    delay about 0.082 (reproduction's supplementary Table S1)."""
    full, none = mean_occupancy(spec), mean_occupancy(apply_scenario(spec, "no_neuro"))
    assert full["asu"] - none["asu"] == pytest.approx(4.0 / 3.6)
    assert full["rehab"] - none["rehab"] == pytest.approx((0.11 / 3.6 + 1 / 31.7) * 27.6)
    row = delay_table(apply_scenario(spec, "no_neuro"), {"asu": [10]}, [1.0]).rows[0]
    assert row.p_delay == pytest.approx(0.082, abs=TOLERANCE)


def test_readme_block_is_what_the_command_prints(capsys: pytest.CaptureFixture[str]
                                                 ) -> None:
    """The README's generated block equals ``wholesystem delays`` with the same options."""
    readme = README.read_text(encoding="utf-8")
    shown = readme.split("<!-- DELAY_TABLE_START -->")[1].split("<!-- DELAY_TABLE_END -->")[0]
    shown = shown.strip().removeprefix("```").removesuffix("```").strip("\n")
    path = str(wholesystem.example_path("stroke"))
    assert main(["delays", path, "--beds", "asu=9:14", "--beds", "rehab=10:16"]) == 0
    assert capsys.readouterr().out.strip("\n") == shown


def test_readme_comparison_table_is_the_code_and_the_reference(table) -> None:  # type: ignore[no-untyped-def]
    """Each row of the README's side-by-side table: our columns are the code's figures
    rounded to two decimals (and n), the reference columns are TABLE_2 above."""
    rows = {(r.ward, r.beds, r.admissions): r for r in table.rows}
    readme = README.read_text(encoding="utf-8")
    found = re.findall(r"^\| (acute|rehab) \| (\d+) \|(.*)\|$", readme, flags=re.M)
    assert len(found) == 13
    for unit, beds, rest in found:
        ward, n = ("asu" if unit == "acute" else "rehab"), int(beds)
        cells = [c.strip() for c in rest.split("|")]
        now, later = rows[(ward, n, 1.0)], rows[(ward, n, 1.05)]
        assert cells[0] == f"{now.p_delay:.2f}"
        assert cells[2] == str(now.one_in)
        assert cells[4] == f"{later.p_delay:.2f}"
        assert cells[6] == str(later.one_in)
        current, more = TABLE_2.get((ward, n), (None, None))
        assert cells[1] == (f"{current:.2f}" if current is not None else "-")
        assert cells[5] == (f"{more:.2f}" if more is not None else "-")


def test_render_names_every_level(table) -> None:  # type: ignore[no-untyped-def]
    text = render_delays(table)
    assert "p(delay) x1.05" in text
    assert "Erlang B" in text
    assert "asu 8.15" in text


def test_cli_errors_name_the_option(capsys: pytest.CaptureFixture[str]) -> None:
    """Bad bed ranges, an unknown ward, --pool without --split, nothing asked: an error
    line naming the option, exit code non-zero, no traceback."""
    path = str(wholesystem.example_path("stroke"))
    for args, words in ((["--beds", "asu=nine"], "--beds 'asu=nine'"),
                        (["--beds", "icu=1:3"], "no ward 'icu'"),
                        (["--pool", "asu,rehab"], "--split"),
                        ([], "--beds"),
                        (["--beds", "asu=9", "--admissions", "0"], "--admissions")):
        assert main(["delays", path, *args]) != 0
        err = capsys.readouterr().err
        assert words in err
        assert "Traceback" not in err


def test_python_call_refuses_an_unknown_ward(spec) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(ParameterError, match="wards: asu, rehab"):
        delay_table(spec, {"icu": [3]}, [1.0], runs=2, audits=10)


def test_the_aggregate_engine_holds_the_same_occupancy(spec) -> None:  # type: ignore[no-untyped-def]
    """The same file lowered onto the stock-and-flow engine (daily steps, lognormal stays as
    stage cascades), run for its 365 days from empty: each ward's people in service at the
    end are within 2% of Little's law (8.145 and 9.718), so the delay tables and the
    ledger read one model."""
    from wholesystem.system.model import load_system

    system = load_system(wholesystem.example_path("stroke"))
    lowered, layout, model = system.model("baseline")
    frame = model.run()
    expected = mean_occupancy(spec)
    for ward, mean in expected.items():
        columns = [c for s in layout.services if lowered.service(s.service).ward == ward
                   for c in (f"{s.service} in service", f"{s.service} initial in service")
                   if c in frame.columns]
        assert frame[columns].iloc[-1].sum() == pytest.approx(mean, rel=0.02), ward
