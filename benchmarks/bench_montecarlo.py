"""10,000-run Monte Carlo of the hospital-discharge system: vectorised chunks against a loop
of single runs (timed on a sample and extrapolated), and the Dask path with --workers N.

    .venv/bin/python benchmarks/bench_montecarlo.py [--runs 10000] [--loop-sample 200]
        [--workers 2]

Prints seconds and the ratio loop time / ensemble time (above 1: the ensemble is faster).
"""

from __future__ import annotations

import argparse
import time

import numpy as np

import wholesystem
from wholesystem.analysis.montecarlo import ModelSource, run_ensemble
from wholesystem.analysis.uncertainty import Parameter, sample

OUTPUTS = ["cost to acute_trust", "cost to community_health", "cost to bristol_council",
           "whole system cost", "p2_b waiting"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=10_000)
    parser.add_argument("--loop-sample", type=int, default=200)
    parser.add_argument("--workers", type=int, default=0)
    args = parser.parse_args()
    source = ModelSource(str(wholesystem.example_path("hospital_discharge")))
    model = source.load()
    params = [Parameter(f"{s} capacity", "triangular",
                        {"low": 0.8 * c, "mode": c, "high": 1.2 * c})
              for s, c in (("p1_b", 92), ("p2_b", 102), ("p3_b", 72), ("p2_sg", 61))]
    table = sample(params, args.runs, "lhs", seed=1)
    start = time.perf_counter()
    local = run_ensemble(source, table, OUTPUTS, chunk_size=2500, seed=1)
    ensemble_s = time.perf_counter() - start
    start = time.perf_counter()
    for i in range(args.loop_sample):
        model.run(dict(table.iloc[i]), return_columns=OUTPUTS)
    loop_s = (time.perf_counter() - start) * args.runs / args.loop_sample
    print(f"ensemble: {args.runs} runs in {ensemble_s:.2f} s")
    print(f"loop of single runs: {loop_s:.2f} s (timed on {args.loop_sample}, extrapolated)")
    print(f"ratio loop/ensemble: {loop_s / ensemble_s:.1f}")
    if args.workers:
        from wholesystem.analysis.distributed import dask_cluster

        with dask_cluster(workers=args.workers) as evaluator:
            start = time.perf_counter()
            remote = run_ensemble(source, table, OUTPUTS, chunk_size=2500, seed=1,
                                  evaluator=evaluator)
            dask_s = time.perf_counter() - start
        same = np.array_equal(local.values, remote.values)
        print(f"dask, {args.workers} workers: {dask_s:.2f} s; identical to local: {same}")


if __name__ == "__main__":
    main()
