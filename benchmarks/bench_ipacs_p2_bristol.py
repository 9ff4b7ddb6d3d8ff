"""Our hospital-discharge journeys beside the published IPACS results for P2 Bristol.

Runs the bundled ``hospital_discharge`` example with the published settings (50 runs, 181
days from 2023-01-01, seed 1 unless ``--seed``) and prints, per scenario, mean occupancy,
mean queue, queue on the last day and mean daily cost for P2 Bristol beside the published
181-day means (``published_p2_bristol.csv`` in the example folder), then the same for every
node, and how long the simulation took.

    .venv/bin/python benchmarks/bench_ipacs_p2_bristol.py [--runs 50] [--seed 1]
"""

from __future__ import annotations

import argparse
import csv
import time

import wholesystem
from wholesystem.system import apply_scenario
from wholesystem.system.journey_report import service_costs
from wholesystem.system.journeys import simulate_journeys
from wholesystem.system.model import load_system

SCENARIOS = ("baseline", "unconstrained", "shorter_stays")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=50)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    path = wholesystem.example_path("hospital_discharge")
    with (path.parent / "published_p2_bristol.csv").open() as handle:
        published = {row["scenario"]: row for row in csv.DictReader(handle)}
    spec = load_system(path).spec
    index = [s.id for s in spec.services].index("p2_b")
    rows, nodes = [], []
    started = time.perf_counter()
    for name in SCENARIOS:
        run = simulate_journeys(apply_scenario(spec, name), args.runs, args.seed)
        costs = service_costs(run, "end").mean(axis=(0, 1))  # as IPACS counts: day ends
        ours = (run.occupancy[1:, :, index].mean(), run.waiting[1:, :, index].mean(),
                run.waiting[-1, :, index].mean(), costs[index])
        rows.append((name, ours, published.get(name)))
        nodes.append((name, run, costs))
    elapsed = time.perf_counter() - started
    print(f"P2 Bristol, {args.runs} runs, 181 days from 2023-01-01, seed {args.seed}")
    print(f"{'scenario':<15}{'source':<14}{'occupancy':>10}{'waiting':>9}{'last day':>10}"
          f"{'£ a day':>10}{'cost vs published':>19}")
    for name, ours, row in rows:
        if row is not None:
            last = row["waiting_on_last_day"] or "-"
            print(f"{name:<15}{'published':<14}{float(row['mean_in_service']):>10.1f}"
                  f"{float(row['mean_waiting']):>9.1f}{last:>10}"
                  f"{float(row['mean_cost_per_day']):>10,.0f}")
        ratio = f"{ours[3] / float(row['mean_cost_per_day']) - 1:+.1%}" if row else ""
        print(f"{name:<15}{'wholesystem':<14}{ours[0]:>10.1f}{ours[1]:>9.1f}{ours[2]:>10.1f}"
              f"{ours[3]:>10,.0f}{ratio:>19}")
    print()
    print("Every node (wholesystem journeys): mean daily cost")
    print(f"{'node':<8}" + "".join(f"{name:>16}" for name in SCENARIOS))
    for i, service in enumerate(spec.services):
        print(f"{service.id:<8}" + "".join(f"{costs[i]:>16,.0f}" for _, _, costs in nodes))
    people = sum(len(run.run_of) for _, run, _ in nodes)
    print(f"\n{len(SCENARIOS)} scenarios x {args.runs} runs, {people:,} people: "
          f"{elapsed:.1f} s")


if __name__ == "__main__":
    main()
