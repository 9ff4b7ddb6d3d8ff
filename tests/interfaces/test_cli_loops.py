"""The loops, dominance and cld commands: JSON shapes, diagrams, errors without
tracebacks."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import wholesystem
from wholesystem.interfaces.cli import main

TEACUP = wholesystem.example_path("teacup")
WORKSHOP = Path(__file__).parents[2] / "docs" / "cld" / "discharge_workshop.cld.yaml"


def run_cli(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = main(args)
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_loops_json_has_the_documented_shape(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run_cli(["loops", str(TEACUP), "--json"], capsys)
    assert code == 0, err
    document = json.loads(out)
    assert document["complete"] is True
    assert document["found"] == 1
    (loop,) = document["loops"]
    assert {"id", "name", "polarity", "variables", "links"} <= set(loop)
    assert loop["polarity"] == "B"


def test_loops_text_says_when_it_was_cut(capsys: pytest.CaptureFixture[str]) -> None:
    path = wholesystem.example_path("delayed_discharge")
    code, out, _ = run_cli(["loops", str(path), "--max-loops", "2"], capsys)
    assert code == 0
    assert "Enumeration stopped at 2 loops" in out


def test_loops_draws_each_format(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    for fmt in ("dot", "svg", "mermaid", "kumu"):
        target = tmp_path / f"teacup.{fmt}"
        code, _, err = run_cli(["loops", str(TEACUP), "--format", fmt, "-o", str(target)],
                               capsys)
        assert code == 0, err
        assert target.read_text(encoding="utf-8")
    code, _, err = run_cli(["loops", str(TEACUP), "--format", "png"], capsys)
    assert code == 1
    assert "unknown diagram format" in err


def test_dominance_json_reports_coverage_for_every_period(
        capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run_cli(["dominance", str(TEACUP), "--json"], capsys)
    assert code == 0, err
    document = json.loads(out)
    assert document["periods"]
    assert all(0.5 <= p["coverage"] <= 1 for p in document["periods"] if p["dominant"])
    assert document["story"]
    assert document["loops"][0]["polarity"] == "B"


def test_cld_checks_and_compares(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    code, out, err = run_cli(["cld", str(WORKSHOP)], capsys)
    assert code == 0, err
    assert "not drawn" in out
    bad = tmp_path / "bad.cld.yaml"
    bad.write_text("cld: 1\nname: x\nvariables: {a: A}\nlinks:\n"
                   "  - {from: a, to: b, polarity: '+'}\n", encoding="utf-8")
    code, _, err = run_cli(["cld", str(bad)], capsys)
    assert code == 1
    assert f"{bad}:5:" in err
    assert "Traceback" not in err
    code, out, _ = run_cli(["loops", str(WORKSHOP), "--json"], capsys)
    assert code == 0
    assert json.loads(out)["found"] == 3
