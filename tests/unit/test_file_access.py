"""The file-access policy (issue 8): every reader of data files asks one FileAccess.

A model may read files in its own folder and paths the user names (``--data``,
``--allow``); a server's policy allows only one version's uploads. Symlinks and ``..`` are
resolved before the check, and a refusal names the model's file, line and column.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

import wholesystem
from wholesystem.datafiles import DataFileError, FileAccess, FileAccessError
from wholesystem.errors import SystemFileError
from wholesystem.interfaces.cli import main

CONTROL = """INITIAL TIME = 0 ~~|
FINAL TIME = 2 ~~|
TIME STEP = 1 ~~|
SAVEPER = TIME STEP ~~|
"""


def vensim(folder: Path, equation: str, extra: str = "") -> Path:
    """A model whose second line is ``equation`` (so its span is line 2)."""
    path = folder / "m.mdl"
    path.write_text("{UTF-8}\n" + equation + " ~~|\nout = 1 ~~|\n" + extra + CONTROL)
    return path


@pytest.fixture
def layout(tmp_path: Path) -> dict[str, Path]:
    """A model folder, a secret next to it, and a link inside the folder to the secret."""
    home = tmp_path / "model"
    home.mkdir()
    secret = tmp_path / "secret.csv"
    secret.write_text("name,value\nk,42\n")
    (home / "own.csv").write_text("name,value\nk,7\n")
    (home / "link.csv").symlink_to(secret)
    return {"home": home, "secret": secret}


# -- the policy object --------------------------------------------------------------------------

def test_cli_policy_allows_the_model_folder_and_named_paths(layout: dict[str, Path]) -> None:
    home, secret = layout["home"], layout["secret"]
    access = FileAccess.for_cli(home / "m.mdl")
    assert access.allows(home / "own.csv")
    assert access.allows(home / "sub" / "deeper.csv")
    assert not access.allows(secret)
    assert not access.allows(home / ".." / "secret.csv")  # '..' resolved first
    assert not access.allows(home / "link.csv")  # the link's target is outside
    assert not access.allows("/etc/passwd")
    assert FileAccess.for_cli(home / "m.mdl", extra_allowed=[secret]).allows(secret)
    assert FileAccess.for_cli(home / "m.mdl", extra_allowed=[secret.parent]).allows(secret)


def test_uploads_policy_is_never_widened(layout: dict[str, Path]) -> None:
    home, secret = layout["home"], layout["secret"]
    access = FileAccess.uploads_only(home)
    assert access.allows(home / "own.csv")
    assert not access.allows(home / "link.csv")
    assert access.allowing([secret]) is access
    assert not access.allowing([secret]).allows(secret)
    assert FileAccess.unrestricted().allows(secret)


def test_open_path_refuses_with_the_span_and_file(layout: dict[str, Path]) -> None:
    from wholesystem.diagnostics import SourceSpan

    access = FileAccess.uploads_only(layout["home"])
    with pytest.raises(FileAccessError) as caught:
        access.open_path("../secret.csv", SourceSpan("m.mdl", 3, 9),
                         relative_to=layout["home"])
    text = str(caught.value)
    assert text.startswith("m.mdl:3:9: error: ../secret.csv: refused")
    assert str(layout["secret"]) not in text  # a server does not show its own paths
    assert isinstance(caught.value, PermissionError)


def test_files_over_the_size_limit_are_refused(layout: dict[str, Path]) -> None:
    access = FileAccess.for_cli(layout["home"] / "m.mdl", max_bytes=10)
    with pytest.raises(DataFileError, match="over the limit of 10"):
        access.open_path("own.csv", relative_to=layout["home"])


# -- every reader asks the policy ---------------------------------------------------------------

@pytest.mark.parametrize("equation", [
    "k = GET DIRECT CONSTANTS('/etc/passwd', ',', 'B2')",
    "k = GET DIRECT CONSTANTS('../secret.csv', ',', 'B2')",
    "k = GET DIRECT CONSTANTS('link.csv', ',', 'B2')",
    "k = GET XLS CONSTANTS('../secret.csv', ',', 'B2')",
    "k := GET DIRECT DATA('../secret.csv', ',', 'A', 'B2')",
    "k = GET DIRECT LOOKUPS('../secret.csv', ',', '1', 'B2')",
])
def test_get_calls_outside_the_folder_are_refused_at_their_line(
        layout: dict[str, Path], equation: str) -> None:
    path = vensim(layout["home"], equation)
    with pytest.raises(FileAccessError) as caught:
        wholesystem.load(path).run()
    assert str(caught.value).startswith(f"{path}:2:")
    assert "refused" in str(caught.value)


def test_subscript_ranges_read_from_outside_are_refused(layout: dict[str, Path]) -> None:
    path = vensim(layout["home"], "dim: GET DIRECT SUBSCRIPT('../secret.csv', ',', 'A2', 'A', '')")
    with pytest.raises(FileAccessError, match=r"m\.mdl:2:\d+: error: \.\./secret\.csv: refused"):
        wholesystem.load(path)


def test_a_file_the_user_allows_is_read(layout: dict[str, Path]) -> None:
    """k = 42 is the value in the secret file's cell B2."""
    path = vensim(layout["home"], "k = GET DIRECT CONSTANTS('../secret.csv', ',', 'B2')")
    access = FileAccess.for_cli(path, extra_allowed=[layout["secret"]])
    assert float(wholesystem.load(path, access).run()["k"].iloc[0]) == 42.0
    own = vensim(layout["home"], "k = GET DIRECT CONSTANTS('own.csv', ',', 'B2')")
    assert float(wholesystem.load(own).run()["k"].iloc[0]) == 7.0


def test_data_files_named_by_the_caller_or_the_model(layout: dict[str, Path]) -> None:
    home, secret = layout["home"], layout["secret"]
    secret.write_text("Time,inflow\n0,5\n1,6\n2,7\n")
    path = vensim(home, "level = INTEG(inflow, 0) ~~|\ninflow")
    # the caller's own choice, from Python or the command line, is read
    assert list(wholesystem.load(path).run(data=[secret])["level"]) == [0, 5, 11]
    # a server's policy is not widened by what a request names
    with pytest.raises(FileAccessError):
        wholesystem.load(path, FileAccess.uploads_only(home)).run(data=[secret])
    # a data set named in the model's own settings must obey the policy
    settings = ("\\\\\\---/// Sketch information\n///---\\\\\\\n:L\x7f<%^E!@\n"
                "13:../secret.csv\n")
    (home / "m.mdl").write_text((home / "m.mdl").read_text() + settings)
    with pytest.raises(FileAccessError, match="refused"):
        wholesystem.load(path).run()


SYSTEM = """\
name: S
time: {horizon: 5, step: 1, unit: day}
organisations:
  trust: Trust
services:
  ward: {owner: trust, length_of_stay: 2, costs: {per_occupied_day: 1}}
cohorts:
  all:
    needs:
      ill: {service: ward, arrivals: {csv: CSVFILE, column: n}}
pathways:
  - from: ward
    routes: [{to: leave, fraction: 1}]
"""


@pytest.mark.parametrize("csv_name", ["../secret.csv", "link.csv", "/etc/passwd"])
def test_system_file_csv_outside_the_folder_is_refused(layout: dict[str, Path],
                                                       csv_name: str) -> None:
    path = layout["home"] / "s.yaml"
    path.write_text(SYSTEM.replace("CSVFILE", csv_name))
    with pytest.raises(SystemFileError) as caught:
        wholesystem.load_system(path)
    assert caught.value.field == "cohorts.all.needs.ill.arrivals.csv"
    assert str(caught.value.span).startswith(f"{path}:10:")
    assert "refused" in str(caught.value)


def test_cli_run_and_check_agree_on_refusals(layout: dict[str, Path],
                                             capsys: pytest.CaptureFixture[str]) -> None:
    path = vensim(layout["home"], "k = GET DIRECT CONSTANTS('../secret.csv', ',', 'B2')")
    assert main(["run", str(path)]) != 0
    run_err = capsys.readouterr().err
    assert f"{path}:2:" in run_err
    assert "refused" in run_err
    assert "Traceback" not in run_err
    assert main(["check", str(path)]) != 0
    check_out = capsys.readouterr()
    assert "refused" in check_out.out + check_out.err
    assert main(["run", str(path), "--allow", str(layout["secret"])]) == 0
    assert "42" in capsys.readouterr().out


def test_cli_data_option_is_the_users_choice(layout: dict[str, Path],
                                             capsys: pytest.CaptureFixture[str]) -> None:
    layout["secret"].write_text("Time,inflow\n0,5\n1,6\n2,7\n")
    path = vensim(layout["home"], "level = INTEG(inflow, 0) ~~|\ninflow")
    assert main(["run", str(path), "--data", str(layout["secret"])]) == 0, \
        capsys.readouterr().err
    assert os.path.exists(layout["secret"])
