"""Small inline XMILE models for the check tests, with predictable line numbers.

``make_xmile(*variable_lines)`` puts the header on lines 1-4 and the i-th variable line
(0-based) on line ``VARIABLE_LINE + i``, so tests can assert where a problem is reported.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest

from wholesystem.check import check_project
from wholesystem.diagnostics import Diagnostic
from wholesystem.ir.model import Project
from wholesystem.parse import read_xmile_text

VARIABLE_LINE = 5
"""Line of the first variable line of a model made by ``make_xmile``."""


def _make_xmile(*variables: str, dims: str = "", units: str = "",
                time_units: str = "days", extra: str = "") -> str:
    lines = [
        '<xmile version="1.0" xmlns="http://docs.oasis-open.org/xmile/ns/XMILE/v1.0">',
        f'<sim_specs time_units="{time_units}"><start>0</start><stop>10</stop><dt>1</dt>'
        "</sim_specs>",
        (f"<dimensions>{dims}</dimensions>" if dims else "")
        + (f"<model_units>{units}</model_units>" if units else ""),
        "<model><variables>",
        *variables,
        "</variables></model>",
        extra,
        "</xmile>",
    ]
    return "\n".join(lines)


@pytest.fixture
def make_xmile() -> Callable[..., str]:
    """XMILE text from one line per variable (see the module docstring)."""
    return _make_xmile


@pytest.fixture
def read_model_text() -> Callable[..., Project]:
    """A project from inline variable lines (``make_xmile``'s arguments), file ``m.xmile``."""
    return lambda *variables, **options: read_xmile_text(_make_xmile(*variables, **options),
                                                         "m.xmile")

@pytest.fixture
def check_model() -> Callable[..., tuple[Diagnostic, ...]]:
    """Diagnostics of an inline model (``make_xmile``'s arguments)."""
    return lambda *variables, **options: check_project(
        read_xmile_text(_make_xmile(*variables, **options), "m.xmile"))
