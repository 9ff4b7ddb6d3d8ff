"""The check stage's entry points (check/__init__.py)."""

from __future__ import annotations

from wholesystem.check import CODES, check_file, check_path
from wholesystem.diagnostics import Severity


def test_check_file_turns_a_reading_error_into_a_diagnostic(tmp_path, make_xmile):
    model = tmp_path / "m.xmile"
    model.write_text(make_xmile('<aux name="a"><eqn>1 +* 2</eqn></aux>'), encoding="utf-8")
    [found] = check_file(model)
    assert (found.code, found.severity, found.span.line, found.span.column) == (
        "read-error", Severity.ERROR, 5, 23)
    assert found.message.startswith("cannot read equation")


def test_an_unsupported_feature_is_its_own_code(tmp_path, make_xmile):
    model = tmp_path / "m.xmile"
    model.write_text(make_xmile('<stock name="s"><eqn>1</eqn><queue/></stock>'),
                     encoding="utf-8")
    report = check_path(model)
    assert [d.code for d in report.diagnostics] == ["unsupported-feature"]
    assert report.project is None
    assert report.source_text is not None


def test_every_problem_is_collected_not_just_the_first(check_model):
    found = check_model(
        '<aux name="a"><eqn>nothing + FOO(1)</eqn></aux>',
        '<stock name="s"><eqn>{none}</eqn><inflow>ghost</inflow></stock>',
        '<aux name="x"><eqn>y</eqn></aux>',
        '<aux name="y"><eqn>x</eqn></aux>',
    )
    assert [d.code for d in found] == ["undefined-name", "unknown-function",
                                       "missing-initial-value", "stock-flow-missing",
                                       "algebraic-loop"]


def test_every_code_has_a_severity_and_a_meaning():
    assert all(c.doc.endswith(".") and c.code == key for key, c in CODES.items())
    assert CODES["unit-mismatch"].severity is Severity.WARNING
    assert CODES["flow-not-attached"].severity is Severity.WARNING
