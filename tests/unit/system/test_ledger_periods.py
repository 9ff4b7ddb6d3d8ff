"""Ledger periods: never finer than the step, bounded by ``max_report_periods``, refused
by ``check``, ``ledger`` and ``compare`` alike (and before any run), and each period's
cost read from the cost stocks at its two ends."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from system_factory import MINIMAL

from wholesystem.datafiles import FileAccess
from wholesystem.errors import ResourceLimitError, SystemFileError
from wholesystem.interfaces.cli import main
from wholesystem.limits import Limits
from wholesystem.system import check_path, load_system
from wholesystem.system.ledger import build_ledger
from wholesystem.system.read.reader import read_system_text
from wholesystem.system.shunts import compare
from wholesystem.system.spec import TimeSettings

CORPUS = Path(__file__).resolve().parents[2] / "fuzz_corpus" / "ledger_periods.yaml"


def _system(tmp_path: Path, time: str) -> Path:
    path = tmp_path / "s.yaml"
    path.write_text(MINIMAL.replace("time: {horizon: 30, step: 1, unit: day}", time))
    return path


def test_report_every_shorter_than_the_step_is_a_field_error() -> None:
    """A period of 1 day in steps of 2 would report nothing a step does not: an error at
    ``time.report_every``, line 2 of the file."""
    text = MINIMAL.replace("time: {horizon: 30, step: 1, unit: day}",
                           "time: {horizon: 30, step: 2, unit: day, report_every: 1}")
    with pytest.raises(SystemFileError) as caught:
        read_system_text(text, "s.yaml")
    assert "s.yaml:2:" in str(caught.value)
    assert "time.report_every: the ledger period (1) is shorter than the step (2)" \
        in str(caught.value)


def test_the_default_period_is_never_finer_than_the_step() -> None:
    """Days report every 30 by default; in steps of 60 days, every 60; a horizon shorter
    than a period is one period. Counts: ceil(horizon / period)."""
    assert TimeSettings(365, 1).period == 30
    assert TimeSettings(365, 1).period_count == 13  # ceil(365 / 30)
    assert TimeSettings(3000, 60).period == 60
    assert TimeSettings(3000, 60).period_count == 50
    assert TimeSettings(10, 1).period == 10
    assert TimeSettings(10, 1).period_count == 1
    assert TimeSettings(1e12, 1e6).period_count == 1e6


def test_each_period_is_the_change_of_the_cost_stocks(tmp_path: Path) -> None:
    """Horizon 10 in periods of 3: 0-3, 3-6, 6-9 and 9-10. Each organisation's period
    cost is its cumulative cost stock at the period's end minus at its start (saved every
    step, so both ends are saved times), and the periods add up to the total."""
    path = _system(tmp_path, "time: {horizon: 10, step: 1, unit: day, report_every: 3}")
    run = load_system(path).simulate()
    ledger = build_ledger(run)
    assert [(p.start, p.end) for p in ledger.periods] == [(0, 3), (3, 6), (6, 9), (9, 10)]
    times = list(run.times)
    for org, stock in run.layout.organisation_costs:
        values = run.series(stock)[:, 0]
        expected = [values[times.index(p.end)] - values[times.index(p.start)]
                    for p in ledger.periods]
        assert [p.costs[org] for p in ledger.periods] == pytest.approx(expected)
        assert sum(p.costs[org] for p in ledger.periods) == pytest.approx(values[-1])
    assert ledger.periods[0].label == "day 0 to day 3"


def test_a_period_end_between_saved_times_reads_the_nearest() -> None:
    """Saved every 2: an end at 3 is as near 2 as 4 and takes the earlier; 3.5 takes 4."""
    from wholesystem.system.ledger import _nearest
    times = np.array([0.0, 2.0, 4.0, 6.0])
    found = _nearest(times, np.array([0.0, 3.0, 3.5, 6.0, 7.0, -1.0]))
    assert found.tolist() == [0, 1, 2, 3, 3, 0]


def test_check_ledger_and_compare_refuse_too_many_periods(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """3,000 days reported every day are 3,000 periods: over a limit of 100, in check (a
    resource-limit diagnostic), build_ledger, compare and the CLI, in the same words;
    --limit raises it."""
    path = _system(tmp_path, "time: {horizon: 3000, step: 1, unit: day, report_every: 1}")
    access = FileAccess.for_cli(path, limits=Limits(max_report_periods=100))
    words = ("the ledger (3000 days in periods of 1) has 3,000 ledger periods, over the "
             "limit of 100 (max_report_periods)")
    report = check_path(path, access)
    assert [(d.code, d.message) for d in report.errors] == [("resource-limit", words)]
    assert report.errors[0].span.line == 2
    system = load_system(path, access)
    with pytest.raises(ResourceLimitError, match=r"\(max_report_periods\)") as caught:
        build_ledger(system.simulate())
    assert caught.value.message == words
    with pytest.raises(ResourceLimitError, match=r"\(max_report_periods\)"):
        compare(system, "baseline")
    for command in (["ledger", str(path)], ["compare", str(path), "-s", "baseline"]):
        assert main([*command, "--limit", "max_report_periods=100"]) == 1
        assert f"s.yaml:2:7: error: {words}" in capsys.readouterr().err
        assert main([*command, "--limit", "max_report_periods=3000"]) == 0
        capsys.readouterr()
    assert main(["check", str(path), "--limit", "max_report_periods=100"]) == 1
    assert words in capsys.readouterr().out
    # --every is held to the step too
    assert main(["ledger", str(path), "--every", "0.5"]) == 1
    assert "the ledger period (0.5 days) is shorter than the step (1)" \
        in capsys.readouterr().err


def test_the_fuzzed_ledger_that_hung(capsys: pytest.CaptureFixture[str]) -> None:
    """tests/fuzz_corpus/ledger_periods.yaml (found by benchmarks/fuzz.py): 1e12 days in
    steps of 1e6 days. It once built 3.3e10 monthly periods; now the period is the step
    and 1e6 periods are over the default limit of 100,000, which check, ledger and compare
    report before running the million steps."""
    words = ("the ledger (1e+12 days in periods of 1e+06) has 1,000,000 ledger periods, "
             "over the limit of 100,000 (max_report_periods)")
    assert main(["check", str(CORPUS)]) == 1
    assert words in capsys.readouterr().out
    for command in (["ledger", str(CORPUS)], ["compare", str(CORPUS), "-s", "baseline"]):
        assert main(command) == 1
        assert f"ledger_periods.yaml:3:3: error: {words}" in capsys.readouterr().err
