"""wholesystem: whole-system modelling for public services.

The pipeline, one subpackage per stage: :mod:`~wholesystem.parse` (files -> IR),
:mod:`~wholesystem.ir` (the immutable model), :mod:`~wholesystem.check` (diagnostics),
:mod:`~wholesystem.compiler` (IR -> vectorised NumPy), :mod:`~wholesystem.run`
(simulation and results), :mod:`~wholesystem.system` (public-service system files, their
ledger, cost shunts and journeys), :mod:`~wholesystem.analysis` (insight into engine
models), :mod:`~wholesystem.interfaces` (CLI).

>>> import wholesystem
>>> model = wholesystem.load(wholesystem.example_path("teacup"))
>>> round(float(model.run()["Teacup Temperature"].iloc[-1]), 3)
75.102
"""

from __future__ import annotations

from pathlib import Path

from wholesystem.errors import WholesystemError
from wholesystem.run import EnsembleResults, Model

# load dispatches on the file type: XMILE and Vensim through parse, system files (YAML)
# through the public-service layer; load_system and SystemModel are that layer's front door.
from wholesystem.system import SystemModel, load, load_system

__all__ = ["load", "Model", "EnsembleResults", "WholesystemError", "example_path",
           "load_system", "SystemModel", "__version__"]

__version__ = "0.1.0"


def example_path(name: str) -> Path:
    """Path of a bundled example model, e.g. ``example_path("teacup")``."""
    folder = Path(__file__).parent / "examples"
    for candidate in sorted(folder.glob(f"{name}/*")) + sorted(folder.glob(f"{name}.*")):
        if candidate.suffix in (".xmile", ".stmx", ".mdl", ".yaml"):
            return candidate
    available = sorted(p.name for p in folder.iterdir() if p.is_dir())
    raise FileNotFoundError(f"no bundled example '{name}'; available: {', '.join(available)}")
