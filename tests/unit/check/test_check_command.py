"""``wholesystem check MODEL`` (interfaces/cli/check_command.py)."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from wholesystem.interfaces.cli import app, main

BROKEN = [
    '<aux name="a"><eqn>b * 2 + missing_rate</eqn></aux>',
    '<aux name="b"><eqn>a + 1</eqn></aux>',
    '<stock name="s"><eqn>0</eqn><inflow>f</inflow><units>people</units></stock>',
    '<flow name="f"><eqn>1</eqn><units>people/week</units></flow>',
]


def test_errors_print_as_file_line_column_and_exit_1(tmp_path, make_xmile):
    model = tmp_path / "m.xmile"
    model.write_text(make_xmile(*BROKEN), encoding="utf-8")
    result = CliRunner().invoke(app, ["check", str(model)])
    assert result.exit_code == 1
    lines = result.stdout.splitlines()
    assert f"{model}:5:20: error: algebraic loop: 'a' -> 'b' -> 'a' within one time step" \
        in lines
    assert f"{model}:5:28: error: 'missing_rate' is not defined" in lines
    assert any(line.startswith(f"{model}:8:1: warning: flow 'f' has units") for line in lines)
    # The offending line and a caret under the name.
    at = lines.index(f"{model}:5:28: error: 'missing_rate' is not defined")
    assert lines[at + 2] == "  " + " " * 27 + "^"
    assert lines[-1] == f"{model}: 2 errors, 1 warning"


def test_json_lists_every_diagnostic(tmp_path, make_xmile):
    model = tmp_path / "m.xmile"
    model.write_text(make_xmile(*BROKEN), encoding="utf-8")
    result = CliRunner().invoke(app, ["check", "--json", str(model)])
    assert result.exit_code == 1
    records = json.loads(result.stdout)
    assert [(r["code"], r["severity"], r["line"]) for r in records] == [
        ("algebraic-loop", "error", 5), ("undefined-name", "error", 5),
        ("unit-mismatch", "warning", 8)]
    assert records[0]["variables"] == ["a", "b"]


def test_a_clean_model_exits_0(tmp_path, make_xmile, capsys):
    model = tmp_path / "m.xmile"
    model.write_text(make_xmile('<aux name="a"><eqn>1</eqn></aux>'), encoding="utf-8")
    assert main(["check", str(model)]) == 0
    assert capsys.readouterr().out.strip() == f"{model}: no problems found"


def test_through_main_an_unreadable_file_is_an_error_line_and_status_1(tmp_path, capsys):
    model = tmp_path / "m.xmile"
    model.write_text("<xmile><model>", encoding="utf-8")
    assert main(["check", str(model)]) == 1
    out = capsys.readouterr().out
    assert out.startswith(f"{model}:1:15: error: malformed XML")


def test_a_problem_only_the_compiler_sees_is_a_compile_error(tmp_path, make_xmile):
    model = tmp_path / "m.xmile"
    model.write_text(make_xmile(
        '<aux name="pop"><dimensions><dim name="City"/></dimensions><eqn>1</eqn></aux>',
        '<aux name="total"><eqn>pop</eqn></aux>',
        dims='<dim name="City"><elem name="Leeds"/><elem name="York"/></dim>'),
        encoding="utf-8")
    result = CliRunner().invoke(app, ["check", "--json", str(model)])
    assert result.exit_code == 1
    [record] = json.loads(result.stdout)
    assert (record["code"], record["line"]) == ("compile-error", 6)
