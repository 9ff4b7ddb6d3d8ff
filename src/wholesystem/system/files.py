"""Any model file in, by its type: system files (YAML) here, engine formats in ``parse``.

This is what the top-level :func:`wholesystem.load` and the CLI's ``run``, ``compile``,
``check`` and ``convert`` call, so that no earlier stage needs to know about system files:
``parse`` reads XMILE and Vensim, this module adds YAML by lowering the baseline scenario.

>>> import wholesystem
>>> from wholesystem.system.files import read_project
>>> read_project(wholesystem.example_path("delayed_discharge_system")).sim_specs.stop
365.0
"""

from __future__ import annotations

from pathlib import Path

from wholesystem.check import CheckReport, check_project, file_text
from wholesystem.check import check_path as check_engine_path
from wholesystem.check.codes import diagnose
from wholesystem.datafiles import FileAccess
from wholesystem.diagnostics import Diagnostic, SourceSpan
from wholesystem.errors import (
    ResourceLimitError,
    SystemFileError,
    UnsupportedFeatureError,
    WholesystemError,
)
from wholesystem.ir.model import Project
from wholesystem.parse import VENSIM_SUFFIXES, XMILE_SUFFIXES, read_model
from wholesystem.run import Model
from wholesystem.system.ledger import check_periods
from wholesystem.system.lower import system_project
from wholesystem.system.prices import mixed_price_years
from wholesystem.system.read import SYSTEM_SUFFIXES, read_system
from wholesystem.system.spec import SystemSpec

__all__ = ["read_project", "read_system_project", "load", "check_path", "is_system_file",
           "MODEL_SUFFIXES"]

MODEL_SUFFIXES = XMILE_SUFFIXES + VENSIM_SUFFIXES + SYSTEM_SUFFIXES
"""Every file suffix a model can be read from."""


def is_system_file(path: str | Path) -> bool:
    """Whether ``path`` names a system file (by its suffix)."""
    return Path(path).suffix.lower() in SYSTEM_SUFFIXES


def read_system_project(path: str | Path, scenario: str = "baseline",
                        access: FileAccess | None = None) -> Project:
    """Read a system file and lower it under ``scenario`` (what ``wholesystem run`` runs)."""
    return system_project(read_system(path, access), scenario)[0]


def read_project(path: str | Path, access: FileAccess | None = None) -> Project:
    """Read a model file of any supported type into a project (system files: baseline);
    ``access`` decides which data files it may read (default: its own folder)."""
    path = Path(path)
    if not is_system_file(path):
        _known_suffix(path)
        return read_model(path, access)
    if not path.exists():
        raise FileNotFoundError(2, "no such model file", str(path))
    return read_system_project(path, access=access)


def load(path: str | Path, access: FileAccess | None = None) -> Model:
    """Read and compile a model file: XMILE (``.xmile``, ``.stmx``, ``.itmx``), Vensim
    (``.mdl``) or a system file (``.yaml``, its baseline scenario)."""
    return Model(read_project(path, access))


def check_path(path: str | Path, access: FileAccess | None = None) -> CheckReport:
    """Read and check a model file of any supported type (see
    :func:`wholesystem.check.check_path`); a system file is checked as its lowered
    baseline, and every problem reading it is a ``read-error`` of its own (the reader
    finds them all, each at its field, line and column)."""
    try:
        if not is_system_file(path):
            _known_suffix(Path(path))
            return check_engine_path(path, access)
        if not Path(path).exists():
            raise FileNotFoundError(2, "no such model file", str(path))
        spec = read_system(path, access)
        project = system_project(spec, "baseline")[0]
    except SystemFileError as err:
        every = tuple(diagnose("read-error", d.message, d.span, hint=d.hint,
                               variables=d.variables) for d in err.diagnostics)
        if not every:
            every = (diagnose("read-error", err.message, err.span or SourceSpan(str(path)),
                              hint=err.hint),)
        return CheckReport(str(path), None, every, file_text(Path(path)))
    except WholesystemError as err:
        code = "unsupported-feature" if isinstance(err, UnsupportedFeatureError) else \
            "read-error"
        found = diagnose(code, err.message, err.span or SourceSpan(str(path)),
                         hint=err.hint)
        return CheckReport(str(path), None, (found,), file_text(Path(path)))
    problems = (*check_project(project), *_price_warnings(spec), *_ledger_diagnostics(spec))
    return CheckReport(str(path), project, problems, project.source.text)


def _price_warnings(spec: SystemSpec) -> tuple[Diagnostic, ...]:
    """A warning when costs of different price years are added unadjusted."""
    years = mixed_price_years(spec.price_records, spec.prices)
    if not years:
        return ()
    first = next(r for r in spec.price_records if r.price_year == years[-1])
    return (diagnose("mixed-price-years",
                     f"costs of price years {', '.join(years)} are added unadjusted",
                     first.span, hint="set prices.year and a prices.deflator table to "
                                      "report every cost in one year's prices"),)


def _ledger_diagnostics(spec: SystemSpec) -> tuple[Diagnostic, ...]:
    """What ``ledger`` and ``compare`` would refuse about the file's ledger periods (a
    period shorter than the step is already an error of the reader's, at its field)."""
    try:
        check_periods(spec)
    except ResourceLimitError as err:
        return (diagnose("resource-limit", err.message, err.span or spec.time.span,
                         hint=err.hint),)
    return ()


def _known_suffix(path: Path) -> None:
    suffix = path.suffix.lower()
    if path.exists() and not path.is_dir() and suffix not in MODEL_SUFFIXES:
        raise UnsupportedFeatureError(
            f"unknown model file type '{suffix or path.name}'", SourceSpan(str(path)),
            hint="wholesystem reads " + ", ".join(MODEL_SUFFIXES))
