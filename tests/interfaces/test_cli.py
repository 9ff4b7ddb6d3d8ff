"""The command line contract: CSV layout, options, and errors without tracebacks."""

from __future__ import annotations

import csv
import io
import subprocess
import sys
from pathlib import Path

import pytest

import wholesystem
from wholesystem.interfaces.cli import main

TEACUP = wholesystem.example_path("teacup")


def run_cli(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = main(args)
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_run_writes_csv_with_time_first(tmp_path: Path, capsys: pytest.CaptureFixture[str]
                                        ) -> None:
    out = tmp_path / "out.csv"
    code, _, err = run_cli(["run", str(TEACUP), "--output", str(out)], capsys)
    assert code == 0, err
    rows = list(csv.reader(out.open()))
    assert rows[0][0] == "Time"
    assert "Teacup Temperature" in rows[0]
    assert float(rows[1][0]) == 0.0
    assert len(rows) == 1 + 241


def test_run_set_and_columns_and_method(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run_cli(["run", str(TEACUP), "--set", "Room Temperature=20",
                              "--columns", "Teacup Temperature", "--method", "rk4"], capsys)
    assert code == 0, err
    table = list(csv.DictReader(io.StringIO(out)))
    assert list(table[0]) == ["Time", "Teacup Temperature"]
    assert float(table[-1]["Teacup Temperature"]) < 40


def test_arrayed_columns_are_named_with_elements(tmp_path: Path,
                                                 capsys: pytest.CaptureFixture[str]) -> None:
    model = tmp_path / "a.xmile"
    model.write_text("""<xmile version="1.0" xmlns="http://docs.oasis-open.org/xmile/ns/XMILE/v1.0">
<header/><sim_specs><start>0</start><stop>1</stop><dt>1</dt></sim_specs>
<dimensions><dim name="Org"><elem name="Acute trust"/><elem name="Council"/></dim>
<dim name="Y" size="2"/></dimensions>
<model><variables><aux name="cost"><dimensions><dim name="Org"/><dim name="Y"/></dimensions>
<eqn>Y</eqn></aux></variables></model></xmile>""")
    code, out, err = run_cli(["run", str(model)], capsys)
    assert code == 0, err
    assert out.splitlines()[0] == ('Time,"cost[Acute trust,1]","cost[Acute trust,2]",'
                                   '"cost[Council,1]","cost[Council,2]"')


@pytest.mark.parametrize(("text", "expected"), [
    ("<xmile><model>", "bad.xmile:1:"),
    ("""<xmile version="1.0"><header/><sim_specs><start>0</start><stop>1</stop></sim_specs>
<model><variables><aux name="a"><eqn>b + </eqn></aux></variables></model></xmile>""",
     "bad.xmile:2:"),
    ("""<xmile version="1.0"><header/><sim_specs><start>0</start><stop>1</stop></sim_specs>
<model><variables><aux name="a"><eqn>nosuch + 1</eqn></aux></variables></model></xmile>""",
     "unknown name 'nosuch'"),
    ("""<xmile version="1.0"><header/><sim_specs><start>0</start><stop>1</stop></sim_specs>
<model><variables><aux name="a"><eqn>FOO(1)</eqn></aux></variables></model></xmile>""",
     "unknown function 'FOO'"),
    ("""<xmile version="1.0"><header/><sim_specs><start>0</start><stop>1</stop></sim_specs>
<model><variables><aux name="a"><eqn>ABS(1, 2)</eqn></aux></variables></model></xmile>""",
     "ABS takes 1 argument"),
    ("""<xmile version="1.0"><header/><sim_specs><start>0</start><stop>1</stop></sim_specs>
<model><variables><aux name="a"><eqn>b</eqn></aux><aux name="b"><eqn>a</eqn></aux>
</variables></model></xmile>""", "algebraic loop"),
])
def test_bad_models_give_positioned_errors(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                           text: str, expected: str) -> None:
    model = tmp_path / "bad.xmile"
    model.write_text(text)
    code, _, err = run_cli(["run", str(model)], capsys)
    assert code == 1
    assert expected in err
    assert "Traceback" not in err


def test_bad_set_values_are_rejected(capsys: pytest.CaptureFixture[str]) -> None:
    for bad in (["--set", "Room Temperature"], ["--set", "Room Temperature=warm"],
                ["--set", "Nothing=1"], ["--set", "Room Temperature=nan"]):
        code, _, err = run_cli(["run", str(TEACUP), *bad], capsys)
        assert code == 1
        assert "error" in err
        assert "Traceback" not in err


def test_missing_file_and_unknown_format(tmp_path: Path,
                                         capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run_cli(["run", str(tmp_path / "nope.xmile")], capsys)
    assert code == 1
    assert "nope.xmile" in err
    other = tmp_path / "model.txt"
    other.write_text("x")
    code, _, err = run_cli(["run", str(other)], capsys)
    assert code == 1
    assert "unknown model file type" in err


def test_compile_show_prints_generated_source(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run_cli(["compile", str(TEACUP), "--show"], capsys)
    assert code == 0
    assert "def build(rt):" in out
    assert "def rates(t, stocks, full):" in out
    compile(out, "<generated>", "exec")


def test_console_script_entry_point() -> None:
    result = subprocess.run([sys.executable, "-m", "wholesystem.interfaces.cli", "run",
                             str(TEACUP), "--columns", "Teacup Temperature"],
                            capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("Time,Teacup Temperature")
