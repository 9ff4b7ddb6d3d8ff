"""``check`` on a system file reports every problem the reader finds, not the first."""

from __future__ import annotations

from pathlib import Path

from system_factory import MINIMAL

from wholesystem.diagnostics import Severity
from wholesystem.system.files import check_path


def test_check_reports_every_problem_of_a_system_file(tmp_path: Path) -> None:
    """Three independent mistakes of form: a negative capacity, a cost that is not a number
    and a horizon of zero; each is its own read-error at its own line."""
    text = (MINIMAL.replace("capacity: 10", "capacity: -10")
            .replace("per_occupied_day: 400}", "per_occupied_day: lots}")
            .replace("horizon: 30", "horizon: 0"))
    path = tmp_path / "broken.yaml"
    path.write_text(text, encoding="utf-8")
    report = check_path(path)
    errors = [d for d in report.diagnostics if d.severity is Severity.ERROR]
    assert len(errors) >= 3, [d.message for d in errors]
    assert {d.code for d in errors} == {"read-error"}
    lines = text.splitlines()
    texts = " | ".join(d.message for d in errors)
    assert "services.care.capacity" in texts
    assert "per_occupied_day" in texts
    assert "time.horizon" in texts
    for diagnostic in errors:
        assert diagnostic.span.file == str(path)
        assert 1 <= diagnostic.span.line <= len(lines)
    assert len({d.span.line for d in errors}) >= 3


def test_a_clean_system_file_checks_clean(tmp_path: Path) -> None:
    path = tmp_path / "ok.yaml"
    path.write_text(MINIMAL, encoding="utf-8")
    report = check_path(path)
    assert not [d for d in report.diagnostics if d.severity is Severity.ERROR]


def test_check_reports_every_problem_of_meaning(tmp_path: Path) -> None:
    """Two mistakes of meaning: an owner that is not an organisation and route fractions
    adding up to 0.9."""
    text = (MINIMAL.replace("owner: council", "owner: nobody")
            .replace("fraction: 0.75", "fraction: 0.65"))
    path = tmp_path / "meaning.yaml"
    path.write_text(text, encoding="utf-8")
    errors = [d for d in check_path(path).diagnostics if d.severity is Severity.ERROR]
    texts = " | ".join(d.message for d in errors)
    assert len(errors) >= 2, texts
    assert "nobody" in texts
    assert "fraction" in texts
