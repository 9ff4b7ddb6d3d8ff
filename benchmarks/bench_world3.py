"""World3-03 load and one run: wholesystem against Simlin (pysimlin) and PySD, in one process.

    .venv/bin/python benchmarks/bench_world3.py [--repeats 7] [--members 10000] [--no-pysd]

Prints, for each engine, the median seconds of

- **load**: ``wholesystem.load(path)`` (parse, check names, compile); ``simlin.load(path)``;
  ``pysd.read_vensim(path)`` (translate, write and import Python);
- **one run**: ``model.run()`` with every output; Simlin's ``model.run(analyze_loops=False)``
  (its first run also compiles, so it is shown apart); PySD's ``model.run()``;

and the ratios *other engine time / wholesystem time* (above 1: wholesystem is faster).
Simlin's MDL reader stops at World3's ``help link`` string constant, so every engine reads
the same temporary copy of the file with that one entry removed.

Then the NumPy ensemble path: ``run_many`` of ``--members`` members of the bundled
delayed-discharge example (one parameter varied) in milliseconds per member-run, and how
many single runs 1,000 members cost (the README's "a thousand runs cost about as much as
one" claim, measured). Engines not installed are reported as such; nothing is asserted.
"""

from __future__ import annotations

import argparse
import os
import re
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

import wholesystem

REPO = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("WHOLESYSTEM_SHARED", REPO.parent / "shared"))
WORLD3 = SHARED / "benchmarks" / "world3" / "World3_03_Scenarios.mdl"
HELP_LINK = re.compile(r"^help link :is:[^|]*\|[ \t]*\r?\n", re.MULTILINE)


def readable_copy(source: Path, folder: Path) -> Path:
    """World3 without its ``help link`` entry (a string constant Simlin cannot read)."""
    text = source.read_text(encoding="latin-1")
    target = folder / source.name
    target.write_text(HELP_LINK.sub("", text, count=1), encoding="latin-1")
    return target


def median_seconds(action: Callable[[], Any], repeats: int) -> tuple[float, Any]:
    """Median wall time of ``repeats`` calls, and the last result."""
    times, result = [], None
    for _ in range(repeats):
        start = time.perf_counter()
        result = action()
        times.append(time.perf_counter() - start)
    return statistics.median(times), result


def measure_wholesystem(path: Path, repeats: int) -> dict[str, float]:
    load_s, model = median_seconds(lambda: wholesystem.load(path), repeats)
    run_s, _ = median_seconds(model.run, repeats)
    return {"load": load_s, "run": run_s}


def measure_simlin(path: Path, repeats: int) -> dict[str, float] | str:
    try:
        import simlin
    except ImportError:
        return "pysimlin not installed (pip install pysimlin)"
    load_s, model = median_seconds(lambda: simlin.load(path), repeats)
    start = time.perf_counter()
    model.run(analyze_loops=False)
    first = time.perf_counter() - start
    run_s, _ = median_seconds(lambda: model.run(analyze_loops=False), repeats)
    return {"load": load_s, "first run": first, "run": run_s}


def measure_pysd(path: Path, repeats: int) -> dict[str, float] | str:
    try:
        import pysd
    except ImportError:
        return "pysd not installed (benchmarks/setup makes .venv-bench with it)"
    load_s, model = median_seconds(lambda: pysd.read_vensim(str(path)), max(1, repeats // 3))
    run_s, _ = median_seconds(lambda: model.run(progress=False), 1)
    return {"load": load_s, "run": run_s}


def measure_ensemble(members: int) -> dict[str, float]:
    model = wholesystem.load(wholesystem.example_path("delayed_discharge"))
    name, base = next((n, float(v)) for n, v in sorted(model.constants.items())
                      if isinstance(v, (int, float)) and v)
    values = np.linspace(0.5 * base, 1.5 * base, members)
    single_s, _ = median_seconds(lambda: model.run(params={name: base}), 5)
    start = time.perf_counter()
    model.run_many({name: values})
    ensemble_s = time.perf_counter() - start
    thousand_s, _ = median_seconds(lambda: model.run_many({name: values[:1000]}), 3)
    return {"members": members, "ms per member-run": 1e3 * ensemble_s / members,
            "single run ms": 1e3 * single_s, "1,000 runs / one run": thousand_s / single_s}


def _ratio_lines(ours: dict[str, float], other: dict[str, float] | str, label: str
                 ) -> list[str]:
    if isinstance(other, str):
        return [f"  {label}: {other}"]
    lines = [f"  {label}: " + ", ".join(f"{k} {v * 1e3:.1f} ms" for k, v in other.items())]
    for key in ("load", "run"):
        lines.append(f"    {label} / wholesystem {key}: {other[key] / ours[key]:.2f}x"
                     f" ({'wholesystem faster' if other[key] > ours[key] else label + ' faster'})")
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeats", type=int, default=7)
    parser.add_argument("--members", type=int, default=10_000)
    parser.add_argument("--no-pysd", action="store_true", help="skip PySD (15 s a run)")
    args = parser.parse_args()
    if not WORLD3.is_file():
        raise SystemExit(f"World3-03 not found at {WORLD3} (set WHOLESYSTEM_SHARED)")
    with tempfile.TemporaryDirectory() as folder:
        path = readable_copy(WORLD3, Path(folder))
        ours = measure_wholesystem(path, args.repeats)
        simlin_times = measure_simlin(path, args.repeats)
        pysd_times = "skipped (--no-pysd)" if args.no_pysd else measure_pysd(path, args.repeats)
    print(f"World3-03, medians of {args.repeats}:")
    print(f"  wholesystem: load {ours['load'] * 1e3:.1f} ms, run {ours['run'] * 1e3:.1f} ms")
    for line in _ratio_lines(ours, simlin_times, "simlin") + _ratio_lines(ours, pysd_times,
                                                                           "pysd"):
        print(line)
    ensemble = measure_ensemble(args.members)
    print(f"Ensemble (delayed-discharge example, {ensemble['members']:.0f} members): "
          f"{ensemble['ms per member-run']:.3f} ms per member-run; one run "
          f"{ensemble['single run ms']:.2f} ms; 1,000 runs cost "
          f"{ensemble['1,000 runs / one run']:.0f} single runs")


if __name__ == "__main__":
    main()
