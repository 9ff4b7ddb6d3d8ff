"""The check stage: a project in, every problem found in it out, as diagnostics.

Checks collect; they never stop at the first problem, and they never raise for a problem in
the model. Each :class:`~wholesystem.diagnostics.Diagnostic` has a stable code (the table
is :data:`~wholesystem.check.codes.CODES`), a ``file:line:col`` span and, where we can
tell, a hint. The caller (the CLI, the API) decides what aborts: errors stop a run,
warnings do not.

>>> from wholesystem.parse import read_xmile_text
>>> project = read_xmile_text('''<xmile><sim_specs><start>0</start><stop>1</stop></sim_specs>
... <model><variables><aux name="a"><eqn>b + 1</eqn></aux></variables></model></xmile>''',
...                           "m.xmile")
>>> [d.render() for d in check_project(project)]
["m.xmile:2:38: error: 'b' is not defined"]
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from wholesystem.check.codes import CODES, CheckCode, diagnose, sort_diagnostics
from wholesystem.check.equations import check_equations
from wholesystem.check.loops import check_loops
from wholesystem.check.resources import resource_errors
from wholesystem.check.scope import ProjectScope
from wholesystem.check.structure import check_structure
from wholesystem.check.unit_syntax import Units, parse_units
from wholesystem.check.units import check_units
from wholesystem.datafiles import FileAccess
from wholesystem.diagnostics import Diagnostic, Severity, SourceSpan
from wholesystem.errors import UnknownNameError, UnsupportedFeatureError, WholesystemError
from wholesystem.ir.elements import split_elements
from wholesystem.ir.flatten import flatten
from wholesystem.ir.model import Project
from wholesystem.parse import read_model

__all__ = ["check_project", "check_file", "check_path", "CheckReport", "CODES", "CheckCode",
           "Units", "parse_units", "file_text"]

_MODULE_CODES = frozenset({"unknown-model", "bad-connection", "recursive-module"})


def check_project(project: Project) -> tuple[Diagnostic, ...]:
    """Every problem found in ``project``, in file order (errors before warnings at one place)."""
    scope = ProjectScope.of(project)
    found: list[Diagnostic] = list(check_structure(scope))
    for model in scope.models.values():
        found.extend(check_equations(model))
    found.extend(check_units(scope))
    found.extend(_from_error(err, project.source.path, "resource-limit")
                 for err in resource_errors(project))
    if not any(d.code in _MODULE_CODES for d in found):
        try:
            flat = flatten(project)
        except WholesystemError as err:
            found.append(_from_error(err, project.source.path, "module-error"))
        else:
            # loops are sought element by element where elements read each other
            found.extend(check_loops(split_elements(flat).project))
    return sort_diagnostics(found)


@dataclass(frozen=True)
class CheckReport:
    """What checking a model file found."""

    path: str
    """The file as the user named it."""
    project: Project | None
    """The project read, or None when the file could not be read."""
    diagnostics: tuple[Diagnostic, ...]
    """Every problem found, in file order."""
    source_text: str | None
    """The file's text, for rendering diagnostics with the offending line."""

    @property
    def errors(self) -> tuple[Diagnostic, ...]:
        """The error-level diagnostics."""
        return tuple(d for d in self.diagnostics if d.severity is Severity.ERROR)

    @property
    def warnings(self) -> tuple[Diagnostic, ...]:
        """The warning-level diagnostics."""
        return tuple(d for d in self.diagnostics if d.severity is Severity.WARNING)


def check_path(path: str | Path, access: FileAccess | None = None) -> CheckReport:
    """Read and check a model file; a file that cannot be read gives a ``read-error``.

    Only a missing or unreadable file (``OSError``) raises.
    """
    try:
        project = read_model(path, access)
    except WholesystemError as err:
        code = "unsupported-feature" if isinstance(err, UnsupportedFeatureError) else \
            "read-error"
        return CheckReport(str(path), None, (_from_error(err, str(path), code),),
                           file_text(Path(path)))
    return CheckReport(str(path), project, check_project(project), project.source.text)


def check_file(path: str | Path) -> tuple[Diagnostic, ...]:
    """Every problem found in a model file, reading problems included (see :func:`check_path`)."""
    return check_path(path).diagnostics


def _from_error(err: WholesystemError, path: str, code: str) -> Diagnostic:
    if isinstance(err, UnknownNameError) and code == "module-error":
        code = "bad-connection"
    return diagnose(code, err.message, err.span or SourceSpan(path), hint=err.hint)


def file_text(path: Path) -> str | None:
    """The text of a file as far as it decodes, for rendering; None when unreadable."""
    try:
        return path.read_bytes().decode("utf-8", errors="replace")
    except OSError:
        return None
