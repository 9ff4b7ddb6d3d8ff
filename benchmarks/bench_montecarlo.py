"""10,000-run Monte Carlo of the hospital-discharge system: vectorised chunks against a loop
of single runs (timed on a sample and extrapolated), and the Dask path with --workers N.

    .venv/bin/python benchmarks/bench_montecarlo.py [--runs 10000] [--loop-sample 200]
        [--workers 2] [--pysd 20]

Prints seconds and the ratio loop time / ensemble time (above 1: the ensemble is faster).
With --pysd N (needs the bench extra) it also tries the same study through PySD: PySD
reads neither our Vensim nor our XMILE export of the hospital-discharge system (it says
why), so the PySD comparison is made on the delayed-discharge teaching model instead
(our Vensim export of it, which PySD reads), timed on N PySD runs and extrapolated.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

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
    parser.add_argument("--pysd", type=int, default=0)
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
    if args.pysd:
        compare_pysd(args.runs, args.pysd)


def compare_pysd(runs: int, sample_runs: int) -> None:
    """The hospital system through PySD where it can, else the delayed-discharge model."""
    import subprocess
    import sys
    import tempfile
    import warnings

    import pysd

    warnings.simplefilter("ignore")
    hospital = str(wholesystem.example_path("hospital_discharge"))
    with tempfile.TemporaryDirectory() as folder:
        for fmt, reader in (("mdl", pysd.read_vensim), ("xmile", pysd.read_xmile)):
            target = Path(folder) / f"hospital.{fmt}"
            subprocess.run([sys.executable, "-m", "wholesystem.interfaces.cli", "convert",
                            hospital, "--to", fmt, "-o", str(target)], check=True)
            try:
                reader(str(target)).run()
                print(f"PySD reads the hospital system as {fmt}")
            except Exception as error:  # PySD's own failures, reported not raised
                print(f"PySD cannot run the hospital system as {fmt}: "
                      f"{type(error).__name__}: {str(error).splitlines()[0][:120]}")
        target = Path(folder) / "delayed.mdl"
        teaching = str(wholesystem.example_path("delayed_discharge"))
        subprocess.run([sys.executable, "-m", "wholesystem.interfaces.cli", "convert",
                        teaching, "--to", "mdl", "-o", str(target)], check=True)
        other = pysd.read_vensim(str(target))
        table = sample([Parameter("Length of Stay", "triangular",
                                  {"low": 4, "mode": 5, "high": 6.5}),
                        Parameter("Fraction Needing Package", "uniform",
                                  {"low": 0.04, "high": 0.06})], runs, "lhs", seed=1)
        outputs = ["Delayed in Hospital", "Beds Occupied"]
        start = time.perf_counter()
        ours = run_ensemble(wholesystem.load(teaching), table, outputs, chunk_size=2500)
        ensemble_s = time.perf_counter() - start
        start = time.perf_counter()
        worst = 0.0
        for i in range(sample_runs):
            frame = other.run(params=dict(table.iloc[i]), return_columns=outputs)
            mine = ours.values[:, i, :] if ours.values is not None else None
            assert mine is not None
            worst = max(worst, float(np.max(np.abs(frame[outputs].to_numpy()[-len(
                ours.times):] - mine))))
        pysd_s = (time.perf_counter() - start) * runs / sample_runs
    print(f"delayed discharge, {runs} runs: ensemble {ensemble_s:.2f} s; PySD "
          f"{pysd_s:.1f} s (timed on {sample_runs}, extrapolated); ratio PySD/ensemble "
          f"{pysd_s / ensemble_s:.0f}; largest difference on the sampled runs {worst:.2e}")


if __name__ == "__main__":
    main()
