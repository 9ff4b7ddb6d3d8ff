"""World3-03 checked in full against an independent engine: Simlin (pysimlin, Rust).

Every variable both engines report is compared at every saved time (1900 to 2100 by 0.5)
within 1e-6 + 1e-3 |x|. Simlin's MDL reader stops at World3's ``help link`` string
constant (a documentation string, no part of the simulation), so both engines read the
same copy of the file without that one entry. Skipped where pysimlin is not installed.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import numpy as np
import pytest

import wholesystem

HERE = Path(__file__).parent
SHARED = Path(os.environ.get("WHOLESYSTEM_SHARED", HERE.parents[1].parent / "shared"))
WORLD3 = SHARED / "benchmarks" / "world3" / "World3_03_Scenarios.mdl"
HELP_LINK = re.compile(r"^help link :is:[^|]*\|[ \t]*\r?\n", re.MULTILINE)

pytestmark = pytest.mark.skipif(not WORLD3.exists(),
                                reason=f"World3-03 not found at {WORLD3} (WHOLESYSTEM_SHARED)")


def _key(name: str) -> str:
    return re.sub(r"[\s_]+", "_", name.strip().lower())


def test_every_shared_variable_agrees_with_simlin_over_the_whole_run(tmp_path: Path) -> None:
    simlin = pytest.importorskip("simlin", reason="pysimlin not installed")
    copy = tmp_path / WORLD3.name
    copy.write_text(HELP_LINK.sub("", WORLD3.read_text(encoding="latin-1"), count=1),
                    encoding="latin-1")
    ours = wholesystem.load(copy).run()
    theirs = simlin.load(copy).run(analyze_loops=False).results
    assert np.allclose(ours.index.to_numpy(), theirs.index.to_numpy())
    their_columns = {_key(str(c)): c for c in theirs.columns}
    shared = [(c, their_columns[_key(str(c))]) for c in ours.columns
              if _key(str(c)) in their_columns]
    assert len(shared) > 250, "the engines should share nearly all of World3's variables"
    mismatched = []
    for ours_name, their_name in shared:
        a = ours[ours_name].to_numpy(dtype=float)
        b = theirs[their_name].to_numpy(dtype=float)
        if not np.allclose(a, b, rtol=1e-3, atol=1e-6, equal_nan=True):
            worst = int(np.nanargmax(np.abs(a - b)))
            mismatched.append(f"{ours_name} at {ours.index[worst]}: {a[worst]} vs {b[worst]}")
    assert not mismatched, mismatched
