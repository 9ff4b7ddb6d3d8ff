"""The hospital-discharge README's capacity-cost curve is what the code gives now."""

from __future__ import annotations

import re
from pathlib import Path

import wholesystem
from wholesystem.system.capacity import sweep_capacity
from wholesystem.system.model import load_system

ROW = re.compile(r"^\| \**([\d.]+)\** \| \**([\d,]+)\** \|.*\| \**£([\d.]+)m( \(minimum\))?\**"
                 r" \|$", re.M)


def test_readme_curve_and_its_minimum_match_the_sweep() -> None:
    path = Path(wholesystem.example_path("hospital_discharge"))
    readme = (path.parent / "README.md").read_text(encoding="utf-8")
    rows = ROW.findall(readme)
    assert len(rows) == 10
    system = load_system(path)
    beds = {s.id: s.capacity.value for s in system.spec.services  # type: ignore[union-attr]
            if s.id[:2] in ("p2", "p3")}
    factors = [float(r[0]) for r in rows]
    curve = sweep_capacity(system, list(beds),
                           [{k: v * f for k, v in beds.items()} for f in factors])
    for row, point in zip(rows, curve.points, strict=True):
        assert f"{point.added:,.0f}" == row[1]
        assert f"{point.whole_system / 1e6:.1f}" == row[2]
    marked = [float(r[0]) for r in rows if r[3]]
    assert marked == [factors[curve.points.index(curve.minimum)]]
