"""Resource limits: ``check`` reports every limit ``run`` would hit, with the same words,
before anything is allocated; the CLI's ``--limit`` raises them."""

from __future__ import annotations

from pathlib import Path

import pytest
from system_factory import MINIMAL
from xmile_factory import aux, stock, xmile

import wholesystem
from wholesystem.check import check_project
from wholesystem.datafiles import FileAccess
from wholesystem.errors import ParameterError, ResourceLimitError, SystemFileError
from wholesystem.interfaces.cli import main
from wholesystem.limits import Limits
from wholesystem.parse import read_vensim_text, read_xmile_text
from wholesystem.run import Model
from wholesystem.system import check_path, load_system
from wholesystem.system.journey_report import journeys
from wholesystem.system.read.reader import read_system_text


def _limited(**limits: int) -> FileAccess:
    return FileAccess.for_cli("m.xmile", limits=Limits(**limits))


def _agree(project: object, code_limit: str) -> str:
    """check's resource-limit diagnostic and the error Model raises say the same."""
    found = {d.message: d for d in check_project(project)  # type: ignore[arg-type]
             if d.code == "resource-limit"}
    with pytest.raises(ResourceLimitError) as caught:
        Model(project)  # type: ignore[arg-type]
    assert caught.value.limit == code_limit
    assert caught.value.message in found
    assert found[caught.value.message].span == caught.value.span
    return caught.value.message


def test_too_many_steps() -> None:
    """0 to 1e9 by 0.001 is 1e12 steps (over the 1e7 default): named at <sim_specs>."""
    project = read_xmile_text(xmile(stock("s", "1"), stop=1e9, dt=0.001), "m.xmile")
    message = _agree(project, "max_steps")
    assert message.startswith("the run (0 to 1e+09 by 0.001) has 1,000,000,000,000 time "
                              "steps, over the limit of 10,000,000 (max_steps)")


def test_huge_apply_to_all_array() -> None:
    """Three dimensions of 1,000 make 1e9 elements per value: over max_elements_total."""
    dims = "".join(f'<dim name="{d}" size="1000"/>' for d in "abc")
    project = read_xmile_text(xmile(aux("x", "1", dims="a b c"), dimensions=dims), "m.xmile")
    message = _agree(project, "max_elements_total")
    assert message.startswith("variable 'x' has 1,000,000,000 elements")


def test_saved_values_count_runs_steps_and_outputs() -> None:
    """11 saved times x 2 values (s and its flow) x 3 runs = 66 > 50."""
    text = xmile(stock("s", "1", inflows="f") + '<flow name="f"><eqn>1</eqn></flow>')
    project = read_xmile_text(text, "m.xmile", _limited(max_saved_values=50))
    model = Model(project)  # one run: 22 values, under the limit
    assert len(model.run()) == 11
    with pytest.raises(ResourceLimitError, match="max_saved_values"):
        model.run_many({"s": [1.0, 2.0, 3.0]})


def test_equation_length_and_lookup_points() -> None:
    long = xmile(aux("a", "1+" * 20 + "1"))
    with pytest.raises(ResourceLimitError, match=r"^m\.xmile:\d+:\d+: error: the equation "
                                                 r"has 41 characters.*max_equation_chars"):
        read_xmile_text(long, "m.xmile", _limited(max_equation_chars=40))
    # The definition field is the whole entry before the first ~: "a = ..." (46).
    with pytest.raises(ResourceLimitError, match="the definition has 46 characters"):
        read_vensim_text("a = " + "1+" * 20 + "1 ~~|\n", "m.mdl",
                         _limited(max_equation_chars=40))
    table = ('<aux name="g"><eqn>TIME</eqn><gf><xscale min="0" max="1"/>'
             '<ypts>0,1,2,3</ypts></gf></aux>')
    with pytest.raises(ResourceLimitError, match="<ypts> has 4 points"):
        read_xmile_text(xmile(table), "m.xmile", _limited(max_lookup_points=3))


@pytest.mark.parametrize("equation", ["DELAY N(1, 2, 0, 1e9)", "SMOOTH N(TIME, 2, 0, n)"])
def test_a_delay_of_a_billion_stages_is_refused_at_its_call(equation: str) -> None:
    """Each stage of DELAY N or SMOOTH N is a stock: a few characters once asked for a
    billion of them, and compiling never ended."""
    text = (f"x = {equation} ~~|\nn = 1e9 ~~|\nINITIAL TIME = 0 ~~|\n"
            "FINAL TIME = 5 ~~|\nTIME STEP = 1 ~~|\n")
    with pytest.raises(ResourceLimitError, match="1,000,000,000 stages, over the limit "
                       "of 1,000") as caught:
        Model(read_vensim_text(text, "m.mdl"))
    assert caught.value.limit == "max_delay_order"
    assert str(caught.value).startswith("m.mdl:1:5: error: the order of a smooth or delay")


def test_the_delay_order_limit_is_raised_by_an_option() -> None:
    xmile_text = xmile(aux("x", "DELAYN(1, 2, 6, 0)") + aux("y", "SMTHN(TIME, 2, 6)"))
    with pytest.raises(ResourceLimitError, match="has 6 stages"):
        Model(read_xmile_text(xmile_text, "m.xmile", _limited(max_delay_order=5)))
    Model(read_xmile_text(xmile_text, "m.xmile", _limited(max_delay_order=6))).run()


def test_limits_are_raised_by_an_option() -> None:
    text = xmile(stock("s", "1"), stop=1e9, dt=0.001)
    roomy = read_xmile_text(text, "m.xmile", _limited(max_steps=10**13,
                                                      max_saved_values=10**13))
    assert not [d for d in check_project(roomy) if d.code == "resource-limit"]


def test_limit_option_parsing() -> None:
    assert Limits.parse(["max_steps=5", "max_runs=1e3"]) == Limits(max_steps=5, max_runs=1000)
    for bad in ("max_step=5", "max_steps", "max_steps=-1", "max_steps=1.5", "max_steps=nan"):
        with pytest.raises(ParameterError, match="--limit"):
            Limits.parse([bad])


def test_system_file_calendar_past_year_9999() -> None:
    """From 2023-01-01, 10 million years end far past 9999-12-31: a field error, not
    'OverflowError: date value out of range'."""
    text = MINIMAL.replace("time: {horizon: 30, step: 1, unit: day}",
                           "time: {start: 2023-01-01, horizon: 10000000, step: 1, unit: year}")
    with pytest.raises(SystemFileError, match=r"time\.horizon: the horizon .* runs past the "
                                              "last calendar date, 9999-12-31"):
        read_system_text(text, "s.yaml")


def test_system_file_horizon_steps(tmp_path: Path) -> None:
    """A system file's steps are limited the same way, in check and in run."""
    path = tmp_path / "s.yaml"
    path.write_text(MINIMAL.replace("horizon: 30", "horizon: 1000000000000"))
    report = check_path(path)
    # 1e12 days by the day, in 30-day ledger periods: both limits are reported
    assert [d.code for d in report.errors] == ["resource-limit"] * 2
    assert "(max_steps)" in report.errors[0].message
    assert "(max_report_periods)" in report.errors[1].message
    with pytest.raises(ResourceLimitError, match="max_steps"):
        load_system(path).run()
    with pytest.raises(ResourceLimitError, match="max_steps"):
        journeys(load_system(path))


def test_journeys_people_and_runs(tmp_path: Path) -> None:
    """MINIMAL has 4 arrivals a day for 30 days: 120 people per run."""
    path = tmp_path / "s.yaml"
    path.write_text(MINIMAL)
    system = load_system(path, FileAccess.for_cli(path, limits=Limits(max_people=1000)))
    with pytest.raises(ResourceLimitError, match="has 1,200 people"):
        journeys(system, runs=10)
    with pytest.raises(ResourceLimitError, match="max_runs"):
        journeys(load_system(path, FileAccess.for_cli(path, limits=Limits(max_runs=5))),
                 runs=10)


def test_cli_limit_option(capsys: pytest.CaptureFixture[str]) -> None:
    teacup = str(wholesystem.example_path("teacup"))
    assert main(["check", teacup, "--limit", "max_steps=10"]) == 1
    out = capsys.readouterr().out
    assert "error: the run (0 to 30 by 0.125) has 240 time steps, over the limit of 10 " \
           "(max_steps)\n" in out
    assert "hint: raise it with --limit max_steps=N" in out
    assert main(["run", teacup, "--limit", "max_steps=10"]) == 1
    assert "over the limit of 10 (max_steps)" in capsys.readouterr().err
    assert main(["run", teacup, "--limit", "max_steps=1000"]) == 0
    assert main(["run", teacup, "--limit", "nonsense=3"]) == 1
    assert "--limit expects NAME=VALUE" in capsys.readouterr().err


@pytest.mark.parametrize("command", [
    ["run"], ["check"], ["compile"], ["loops"], ["dominance"],
    ["sensitivity", "-o", "Teacup Temperature", "-p", "Characteristic Time=5:15",
     "--runs", "4"],
    ["uncertainty", "-o", "Teacup Temperature", "-p", "Characteristic Time=5:15",
     "--runs", "4"],
])
def test_every_model_command_takes_limit(command: list[str],
                                         capsys: pytest.CaptureFixture[str]) -> None:
    """The teacup runs 240 steps (0 to 30 by 0.125): over --limit max_steps=10 in every
    command that compiles or runs a model."""
    teacup = str(wholesystem.example_path("teacup"))
    code = main([command[0], teacup, *command[1:], "--limit", "max_steps=10"])
    assert code == 1
    captured = capsys.readouterr()
    assert "has 240 time steps, over the limit of 10 (max_steps)" in captured.out + \
        captured.err


def test_convert_takes_limit(capsys: pytest.CaptureFixture[str]) -> None:
    """convert reads only: its limits are the readers' (here the file size)."""
    teacup = str(wholesystem.example_path("teacup"))
    assert main(["convert", teacup, "--to", "mdl", "--limit", "max_document_bytes=10"]) == 1
    assert "(max_document_bytes)" in capsys.readouterr().err


@pytest.mark.parametrize("command", [
    ["ledger"], ["compare", "-s", "baseline"], ["journeys", "--runs", "1"],
    ["boundary", "--inside", "acute_trust"],
    ["capacity", "--service", "home_care", "--places", "5,10"],
])
def test_every_system_command_takes_limit(command: list[str],
                                          capsys: pytest.CaptureFixture[str]) -> None:
    """The delayed-discharge system runs 365 daily steps: over --limit max_steps=10."""
    system = str(wholesystem.example_path("delayed_discharge_system"))
    assert main([command[0], system, *command[1:], "--limit", "max_steps=10"]) == 1
    assert "has 365 time steps, over the limit of 10 (max_steps)" in capsys.readouterr().err
