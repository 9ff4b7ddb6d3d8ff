"""``wholesystem convert``: files written, and one-line errors with exit code 1."""

from __future__ import annotations

from pathlib import Path

import pytest

import wholesystem
from wholesystem.interfaces.cli import main
from wholesystem.parse import read_model

TEACUP = wholesystem.example_path("teacup")


def run_cli(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = main(args)
    captured = capsys.readouterr()
    return code, captured.out, captured.err


@pytest.mark.parametrize(("target", "suffix"), [("xmile", ".xmile"), ("mdl", ".mdl"),
                                                ("XMILE", ".xmile")])
def test_writes_a_file_that_runs_the_same(target: str, suffix: str, tmp_path: Path,
                                          capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / f"teacup{suffix}"
    code, stdout, err = run_cli(["convert", str(TEACUP), "--to", target, "-o", str(out)],
                                capsys)
    assert (code, stdout, err) == (0, "", "")
    before = wholesystem.load(TEACUP).run()
    after = wholesystem.Model(read_model(out)).run()
    assert after["Teacup Temperature"].to_list() == pytest.approx(
        before["Teacup Temperature"].to_list(), rel=1e-12)


def test_writes_to_standard_output_without_a_file(capsys: pytest.CaptureFixture[str]
                                                  ) -> None:
    code, stdout, _ = run_cli(["convert", str(TEACUP), "--to", "xmile"], capsys)
    assert code == 0
    assert stdout.startswith('<?xml version="1.0" encoding="utf-8"?>\n<xmile')


@pytest.mark.parametrize(("args", "message"), [
    (["--to", "stella"], "error: --to: unknown format 'stella'; choose from xmile, mdl"),
    (["--to", "xmile", "-o", "/no/such/folder/out.xmile"],
     "error: cannot write /no/such/folder/out.xmile: folder /no/such/folder does not exist"),
])
def test_bad_requests_fail_in_one_line(args: list[str], message: str,
                                       capsys: pytest.CaptureFixture[str]) -> None:
    code, stdout, err = run_cli(["convert", str(TEACUP), *args], capsys)
    assert (code, stdout) == (1, "")
    assert err == message + "\n"


def test_output_that_is_a_folder(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run_cli(["convert", str(TEACUP), "--to", "mdl", "-o", str(tmp_path)],
                           capsys)
    assert code == 1
    assert err == f"error: cannot write {tmp_path}: it is a folder\n"


def test_what_the_target_cannot_express_is_named_with_its_position(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    model = tmp_path / "spread.xmile"
    model.write_text(
        '<xmile version="1.0" xmlns="http://docs.oasis-open.org/xmile/ns/XMILE/v1.0">\n'
        "<header/><sim_specs><start>0</start><stop>1</stop></sim_specs>\n"
        '<dimensions><dim name="D" size="2"/></dimensions>\n<model><variables>\n'
        '<aux name="a"><dimensions><dim name="D"/></dimensions><eqn>1, 2</eqn></aux>\n'
        '<aux name="spread"><eqn>STDDEV(a[*])</eqn></aux>\n'
        "</variables></model></xmile>\n", encoding="utf-8")
    code, _, err = run_cli(["convert", str(model), "--to", "mdl"], capsys)
    assert code == 1
    assert err.startswith(f"{model}:6:")
    assert "'spread': STDDEV has no equivalent in Vensim" in err
    assert err.count("\n") == 1


def test_missing_model(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run_cli(["convert", str(tmp_path / "nope.xmile"), "--to", "mdl"], capsys)
    assert code == 1
    assert "nope.xmile" in err
    assert err.count("\n") == 1


DATA_MODEL = """{UTF-8}
series:HOLD BACKWARD::= GET DIRECT DATA('d.csv', ',', 'A', 'B2') ~~|
table = GET DIRECT LOOKUPS('d.csv', ',', 'A', 'B2') ~~|
k = GET DIRECT CONSTANTS('d.csv', ',', 'B3') ~~|
fed ~~|
out = series + table(Time / 2) + k + fed + GET DATA LAST TIME(series) ~~|
INITIAL TIME = 0 ~~|
FINAL TIME = 6 ~~|
TIME STEP = 0.5 ~~|
SAVEPER = TIME STEP ~~|
"""


@pytest.fixture
def data_model(tmp_path: Path) -> Path:
    (tmp_path / "d.csv").write_text("time,v\n0,1\n2,3\n4,2\n", encoding="utf-8")
    (tmp_path / "fed.tab").write_text("Time\tfed\n0\t5\n5\t10\n", encoding="utf-8")
    model = tmp_path / "m.mdl"
    model.write_text(DATA_MODEL, encoding="utf-8")
    return model


def test_xmile_holds_the_values_of_a_vensim_models_data(
        data_model: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = data_model.with_suffix(".xmile")
    fed = data_model.with_name("fed.tab")
    code, _, err = run_cli(["convert", str(data_model), "--to", "xmile", "--data", str(fed),
                            "-o", str(out)], capsys)
    assert (code, err) == (0, "")
    text = out.read_text(encoding="utf-8")
    assert "d.csv" not in text
    assert "<eqn>3</eqn>" in text
    before = wholesystem.load(data_model).run(data=[fed])
    after = wholesystem.Model(read_model(out)).run()
    assert after[before.columns].to_numpy().tolist() == before.to_numpy().tolist()


def test_data_variables_need_a_data_file_for_xmile(
        data_model: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run_cli(["convert", str(data_model), "--to", "xmile"], capsys)
    assert code == 1
    assert err.startswith(f"{data_model}:5:1: error: data variable 'fed' takes its values")
    assert "--data" in err
    assert err.count("\n") == 1


def test_a_missing_data_file_is_one_line(data_model: Path,
                                         capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run_cli(["convert", str(data_model), "--to", "xmile", "--data",
                            str(data_model.with_name("nope.tab"))], capsys)
    assert code == 1
    assert "nope.tab" in err
    assert err.count("\n") == 1


def test_mdl_keeps_the_data_functions(data_model: Path,
                                      capsys: pytest.CaptureFixture[str]) -> None:
    code, stdout, _ = run_cli(["convert", str(data_model), "--to", "mdl"], capsys)
    assert code == 0
    assert "GET DIRECT DATA('d.csv', ',', 'A', 'B2')" in stdout
