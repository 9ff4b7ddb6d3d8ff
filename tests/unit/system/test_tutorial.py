"""docs/tutorial-system.md runs: every file it writes reads, and its commands work."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from wholesystem.interfaces.cli import main

TUTORIAL = Path(__file__).resolve().parents[3] / "docs" / "tutorial-system.md"
BLOCK = re.compile(r"<!-- file: (\S+)( append)? -->\n```yaml\n(.*?)```", re.S)


def test_tutorial_files_and_commands(tmp_path: Path, capsys: pytest.CaptureFixture[str]
                                     ) -> None:
    text = TUTORIAL.read_text(encoding="utf-8")
    blocks = BLOCK.findall(text)
    assert len(blocks) >= 3
    for name, append, body in blocks:
        path = tmp_path / name
        path.write_text((path.read_text() if append else "") + body)
        assert main(["ledger", str(path)]) == 0, capsys.readouterr().err
    system = str(tmp_path / "discharge.yaml")
    assert main(["compare", system, "--scenario", "fewer_packages"]) == 0
    out = capsys.readouterr().out
    for line in ("Cost shunt: Acute trust pays £5,192,139 more; Adult social care saves "
                 "£179,638; whole system: £5,012,500 more.",
                 "Verdict: Cost shunting: £179,638 of cost moves"):
        assert line in out
        assert line in text
    assert main(["compare", str(tmp_path / "cohorts.yaml"), "--scenario",
                 "more_reablement"]) == 0
    out = capsys.readouterr().out
    for line in ("Frail residents aged 75+    -£125,468           +£22,029  -£103,440",
                 "Other adults                       £0                 £0         £0"):
        assert line in out
        assert line in text
    assert main(["journeys", system, "--cohort", "residents", "--people", "2000", "--seed",
                 "1"]) == 0
    told = capsys.readouterr().out
    longest = told[told.index("The longest wait:"):].splitlines()[1:7]
    assert "\n".join(line.strip() for line in longest) in "\n".join(
        line.strip() for line in text.splitlines())
    bad = tmp_path / "bad.yaml"
    bad.write_text(Path(system).read_text().replace("capacity: 750", "capacity: plenty"))
    assert main(["ledger", str(bad)]) == 1
    error = capsys.readouterr().err
    expected = re.search(r"discharge\.yaml(:\d+:\d+: error: .*)", text)
    assert expected is not None
    assert f"bad.yaml{expected.group(1)}" in error
