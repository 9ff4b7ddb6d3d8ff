"""Loops and loop dominance on World3-03: what the run with loop scores costs against a
plain run, and how much of the loop structure an enumeration covers.

    .venv/bin/python benchmarks/bench_loops_world3.py [--max-loops 2000] [--pairs 15] [--count]

Uses the shared World3-03 model ($WHOLESYSTEM_SHARED/benchmarks/world3, default
../shared). Prints seconds and ratios:

- plain run and run with loop scores, measured in interleaved pairs (``--pairs``, default
  15): each pair times a plain ``model.run()`` of the compiled model and then the run
  with loop scores (the instrumented run that reports every variable at every step, the
  per-link ceteris-paribus re-evaluation, and the products around every loop found), so
  both see the same machine load;
- ratio: the median of the per-pair ratios, beside the ratio of the two medians and the
  quartiles of the per-pair ratios (the issue asks for at most 3x). Compiling for link
  scores and planning the loop products are done once per model, as compiling a plain
  model is, and are shown apart;
- loops found, whether every loop up to some length is in, and with --count the exact
  number of elementary loops of the model, so the number left out is exact;
- dominance: the periods, and the coverage of each (share of the behaviour the dominant
  set explains among the loops found).
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

import wholesystem
from wholesystem.analysis.causal import causal_structure
from wholesystem.analysis.dominance import dominance_of, loop_scores, plan_scores
from wholesystem.analysis.loops import find_loops, with_total
from wholesystem.analysis.ltm import link_changes, prepare_links


def _timed(function: object) -> float:
    start = time.perf_counter()
    function()  # type: ignore[operator]
    return time.perf_counter() - start


def _median(function: object, repeats: int) -> float:
    return statistics.median(_timed(function) for _ in range(repeats))


def _interleaved(plain: object, scored: object, pairs: int) -> tuple[list[float], list[float]]:
    """Seconds of ``pairs`` plain and scored runs, alternating, after one warm-up each."""
    _timed(plain)
    _timed(scored)
    times: tuple[list[float], list[float]] = ([], [])
    for _ in range(pairs):
        times[0].append(_timed(plain))
        times[1].append(_timed(scored))
    return times


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--max-loops", type=int, default=2000)
    parser.add_argument("--pairs", type=int, default=15,
                        help="interleaved plain / scored runs to take medians over")
    parser.add_argument("--count", action="store_true",
                        help="count every elementary loop (about two minutes)")
    args = parser.parse_args()
    shared = Path(os.environ.get("WHOLESYSTEM_SHARED", "../shared"))
    path = shared / "benchmarks" / "world3" / "World3_03_Scenarios.mdl"
    if not path.exists():
        print(f"World3 not found at {path}; set WHOLESYSTEM_SHARED")
        return 1
    model = wholesystem.load(path)
    plain_compile = _median(lambda: type(model)(model.project), 3)
    start = time.perf_counter()
    program = prepare_links(model)
    compile_s = time.perf_counter() - start
    graph = causal_structure(model)
    loops = find_loops(graph, args.max_loops)
    start = time.perf_counter()
    plan = plan_scores(loops)
    plan_s = time.perf_counter() - start

    def scored_run() -> None:
        loop_scores(loops, link_changes(model, program=program), plan)

    plains, scoreds = _interleaved(model.run, scored_run, max(1, args.pairs))
    ratios = sorted(b / a for a, b in zip(plains, scoreds, strict=True))
    plain, scored = statistics.median(plains), statistics.median(scoreds)
    quartiles = statistics.quantiles(ratios, n=4) if len(ratios) > 1 else ratios * 3
    print(f"World3-03: {len(graph.variables)} variables, {len(graph.links)} links; "
          f"{len(ratios)} interleaved pairs, load average {os.getloadavg()[0]:.1f}")
    print(f"plain run                      {plain:8.3f} s   median (compiling it: "
          f"{plain_compile:.3f} s, once per model)")
    print(f"run with loop scores           {scored:8.3f} s   median")
    print(f"ratio                          {statistics.median(ratios):8.2f} x   median of "
          f"the pairs' ratios (quartiles {quartiles[0]:.2f}-{quartiles[2]:.2f}, range "
          f"{ratios[0]:.2f}-{ratios[-1]:.2f}); ratio of the medians {scored / plain:.2f}x")
    print(f"once per model: compiling for link scores {compile_s:.3f} s, planning the "
          f"loop products {plan_s:.3f} s")
    if args.count:
        loops = with_total(loops)
    print(f"loops found: {loops.found}, complete: {loops.complete}, every loop of up to "
          f"{loops.longest_complete} variables included")
    if loops.total is not None:
        print(f"loops in all: {loops.total:,} ({'exact' if loops.total_exact else 'at least'}"
              f"), left out: {loops.left_out:,}")
    result = dominance_of(loops)
    coverages = [p.coverage for p in result.periods if p.dominant]
    print(f"dominance: {len(result.periods)} exact periods, {len(result.story_periods)} in "
          f"the story; coverage min {min(coverages):.2f}, median "
          f"{statistics.median(coverages):.2f}; every period with a dominant set has "
          f"coverage >= 0.5: {all(c >= 0.5 - 1e-9 for c in coverages)}")
    for line in result.story[:6]:
        print("  " + line)
    return 0


if __name__ == "__main__":
    sys.exit(main())
