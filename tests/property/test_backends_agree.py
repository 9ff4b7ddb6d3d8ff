"""The scalar backend (one run, plain floats) and the vector backend (NumPy over runs)
compute the same numbers, on every shared-suite model and bundled example."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pytest

import wholesystem
from wholesystem.run.simulate import simulate

HERE = Path(__file__).parent
SHARED = Path(os.environ.get("WHOLESYSTEM_SHARED", HERE.parents[1].parent / "shared"))
EXAMPLES = Path(wholesystem.__file__).parent / "examples"


def _models() -> list[Path]:
    found = sorted(EXAMPLES.glob("*/*.xmile"))
    suite = SHARED / "sd-test-models"
    if suite.is_dir():
        found += sorted(p for p in suite.rglob("*") if p.suffix in (".xmile", ".stmx"))
    return found


@pytest.mark.parametrize("path", _models(), ids=lambda p: p.name)
@pytest.mark.parametrize("method", ["euler", "rk4"])
def test_scalar_and_vector_backends_agree(path: Path, method: str) -> None:
    try:
        model = wholesystem.load(path)
    except wholesystem.WholesystemError:
        pytest.skip("model does not load (known broken in the suite)")
    compiled = model.compiled
    if compiled.scalar is None:
        pytest.skip("arrayed model: vector backend only")
    scalar, _ = simulate(compiled, {}, 1, method).cube()
    # two runs force the vector backend; both runs must equal the scalar run
    vector, _ = simulate(compiled, {}, 2, method).cube()
    for run in range(2):
        np.testing.assert_allclose(vector[:, run, :], scalar[:, 0, :], rtol=1e-12,
                                   atol=1e-12, equal_nan=True)
