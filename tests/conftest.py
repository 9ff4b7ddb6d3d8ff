"""Test settings and helpers shared by every test folder.

Hypothesis runs under a profile: ``ci`` (Hypothesis's own, chosen when ``CI`` is set:
derandomised, no example database), ``dev`` otherwise, or the one named by
``HYPOTHESIS_PROFILE`` (``deep`` searches 50 times harder, for a bug hunt).

The conformance suite (SDXorg test-models, the known-broken list) sits outside the repository, at
``$WHOLESYSTEM_SHARED`` or ``../shared`` next to the repository root. Tests that need it
take the ``shared`` fixture, or a ``shared_model_file`` parameter (one test per XMILE file),
and are skipped, saying why, when it is absent.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings

settings.register_profile("dev", max_examples=100, deadline=None,
                          suppress_health_check=[HealthCheck.too_slow])
settings.register_profile("deep", settings.get_profile("dev"), max_examples=5000)
settings.register_profile("ci", settings.get_profile("ci"), max_examples=100, deadline=None)
if "HYPOTHESIS_PROFILE" in os.environ:
    settings.load_profile(os.environ["HYPOTHESIS_PROFILE"])
elif not os.environ.get("CI"):
    settings.load_profile("dev")

REPO_ROOT = Path(__file__).resolve().parent.parent
XMILE_SUFFIXES = (".xmile", ".stmx")


def shared_dir() -> Path | None:
    """The shared data folder (``$WHOLESYSTEM_SHARED``, else ``../shared``), or None if absent."""
    configured = os.environ.get("WHOLESYSTEM_SHARED")
    path = Path(configured) if configured else REPO_ROOT.parent / "shared"
    return path if (path / "sd-test-models").is_dir() else None


def _absent_reason() -> str:
    configured = os.environ.get("WHOLESYSTEM_SHARED")
    where = configured or str(REPO_ROOT.parent / "shared")
    return (f"shared conformance suite not found at {where}/sd-test-models "
            "(set WHOLESYSTEM_SHARED to the folder holding sd-test-models)")


def known_broken(shared: Path) -> frozenset[str]:
    """Case ids (model paths relative to ``sd-test-models``) broken in the suite itself."""
    listing = shared / "tools" / "known_broken.txt"
    if not listing.is_file():
        return frozenset()
    lines = (line.strip() for line in listing.read_text(encoding="utf-8").splitlines())
    return frozenset(line for line in lines if line and not line.startswith("#"))


def shared_xmile_files(shared: Path) -> list[Path]:
    """Every XMILE model of the suite that is not known to be broken, in a stable order."""
    suite = shared / "sd-test-models"
    broken = known_broken(shared)
    return sorted(
        path for path in suite.rglob("*")
        if path.suffix.lower() in XMILE_SUFFIXES
        and path.relative_to(suite).as_posix() not in broken
    )


@pytest.fixture(scope="session")
def shared() -> Path:
    """The shared data folder; skips the test when it is absent."""
    path = shared_dir()
    if path is None:
        pytest.skip(_absent_reason())
    return path


@pytest.fixture(scope="session")
def shared_suite_files() -> list[Path]:
    """The suite's readable XMILE files, or an empty list when the suite is absent."""
    path = shared_dir()
    return [] if path is None else shared_xmile_files(path)


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """One test per suite XMILE file for tests taking ``shared_model_file``."""
    if "shared_model_file" not in metafunc.fixturenames:
        return
    path = shared_dir()
    if path is None:
        skipped = pytest.param(None, id="no-shared-suite", marks=pytest.mark.skip(
            reason=_absent_reason()))
        metafunc.parametrize("shared_model_file", [skipped])
        return
    suite = path / "sd-test-models"
    files = shared_xmile_files(path)
    metafunc.parametrize("shared_model_file", files,
                         ids=[f.relative_to(suite).as_posix() for f in files])
