"""A scratch re-implementation of the published IPACS bed model's event logic, written
from our reading of ``simfn`` in ``functions/bed_functions.R`` (nhs-bnssg-analytics/
ipacs-model), to show where published figures come from a defect of that code.

It is test scaffolding, not part of wholesystem: it reproduces the published code's
behaviour, defects included, so a test can switch each defect off and see its effect.

What the published code does, in our words:

- People already in service on day 1 leave at a uniform time between 1 and a fresh
  lognormal stay (R's ``runif(1, min = 1, max = x)`` is NaN when ``x < 1``, so they never
  leave).
- The day-1 queue is a **count**: no person stands behind it.
- Arrivals are Poisson per day, spread uniformly within the day. An arrival finding a free
  bed starts at once; otherwise the count waiting rises by one.
- When someone leaves and the count waiting is above 0 (and the unit is not over
  capacity), the freed bed goes to the person with the earliest arrival among everyone
  without a bed, **including people who have not arrived yet**. Such a person's arrival
  is still on the calendar: when it comes, it is handled as a new arrival, so they are
  **admitted a second time** if a bed is free (a second bed, which is never freed: their
  first departure removes all their events but frees only one bed) or counted waiting
  again if not.
- The day's figure is a time-weighted average that after the first event of the day moves
  by ``(tx - tx_old) / tx``, the time since the last event over the time since the start,
  so it stays close to the value just after the day's first event.

``fixed=True`` switches off the two defects that change the numbers: the day-1 queue
becomes people (admitted at once where beds are free, the rest waiting first in first
out), and a bed goes only to someone who has arrived.
"""

from __future__ import annotations

import csv
import heapq
import math
from dataclasses import dataclass
from pathlib import Path

import numpy as np


@dataclass(frozen=True)
class BedNode:
    """One IPACS bed node's published parameters (workbook sheets)."""

    arrivals: tuple[float, ...]  # Poisson mean per day, day 1 first
    capacity: int
    initial_occupied: int
    initial_waiting: int
    mu: float
    sigma: float


def simulate(node: BedNode, runs: int, seed: int = 1, *,
             fixed: bool = False) -> tuple[np.ndarray, np.ndarray]:
    """Daily occupancy and number waiting, shape (runs, days), days 0..len(arrivals)-1
    as the published code reports them (its times 0 to 180 for 181 dates)."""
    days = len(node.arrivals)
    occupied = np.empty((runs, days))
    waiting = np.empty((runs, days))
    for run in range(runs):
        occ, niq = _one_run(node, np.random.default_rng([seed, run]), fixed)
        occupied[run], waiting[run] = occ[:days], niq[:days]
    return occupied, waiting


def _one_run(node: BedNode, rng: np.random.Generator,
             fixed: bool) -> tuple[np.ndarray, np.ndarray]:
    days = len(node.arrivals)

    def stay() -> float:
        return float(rng.lognormal(node.mu, node.sigma))

    events: list[tuple[float, int, str]] = []  # (time, person, "arrival" | "endsrv")
    for person in range(node.initial_occupied):
        first = stay()
        end = float(rng.uniform(1.0, first)) if first >= 1.0 else math.nan
        if not math.isnan(end):  # NaN never compares greater than the clock: never leaves
            heapq.heappush(events, (end, person, "endsrv"))
    arrival_time: dict[int, float] = {}
    person = node.initial_occupied
    for day, mean in enumerate(node.arrivals):
        for time in np.sort(rng.uniform(0.0, 1.0, rng.poisson(mean)) + day):
            arrival_time[person] = float(time)
            heapq.heappush(events, (float(time), person, "arrival"))
            person += 1
    unseated = sorted(arrival_time)  # ids without a departure on the calendar, by arrival
    gone: set[int] = set()
    occ, niq = node.initial_occupied, node.initial_waiting
    queue: list[int] = []  # only used when fixed: people who have arrived and wait
    if fixed:
        niq = 0
        # the day-1 queue as people who arrived just before time 0 (ids below zero)
        for waiting_person in range(-node.initial_waiting, 0):
            arrival_time[waiting_person] = 0.0
            if occ < node.capacity:
                occ += 1
                heapq.heappush(events, (stay(), waiting_person, "endsrv"))
            else:
                queue.append(waiting_person)
                niq += 1
    day_occ = [math.nan] * (days + 1)
    day_niq = [math.nan] * (days + 1)
    day_occ[0], day_niq[0] = occ, niq
    tx = 0.0

    def seat(who: int, now: float) -> None:
        heapq.heappush(events, (now + stay(), who, "endsrv"))

    while events:
        time, who, kind = heapq.heappop(events)
        if who in gone or time <= tx:
            continue
        occ_old, niq_old, tx_old, tx = occ, niq, tx, time
        if tx > days:
            break
        today = math.ceil(tx) - 1  # the published res row ceiling(tx), i.e. time ceil-1
        if kind == "arrival":
            if occ < node.capacity:
                occ += 1
                seat(who, tx)
                if who in unseated:
                    unseated.remove(who)
            else:
                niq += 1
                if fixed:
                    queue.append(who)
        else:
            gone.add(who)  # every event of theirs leaves the calendar
            if who in unseated:
                unseated.remove(who)
            if niq == 0 or occ > node.capacity:
                occ -= 1
            elif fixed:
                nxt = queue.pop(0)
                seat(nxt, tx)
                if nxt in unseated:
                    unseated.remove(nxt)
                niq -= 1
            else:
                candidates = [p for p in unseated if p not in gone]
                if candidates:  # earliest arrival without a bed, arrived or not
                    nxt = candidates[0]
                    unseated.remove(nxt)
                    seat(nxt, tx)
                    niq -= 1
        _record(day_occ, today, tx, tx_old, occ_old, occ)
        _record(day_niq, today, tx, tx_old, niq_old, niq)
    return _fill(day_occ), _fill(day_niq)


def _record(series: list[float], today: int, tx: float, tx_old: float,
            old: float, new: float) -> None:
    """The published daily weighting, its ``wt_new`` included."""
    if math.isnan(series[today]):
        series[today] = (tx - math.floor(tx)) * old + (math.ceil(tx) - tx) * new
    else:
        weight = (tx - tx_old) / tx
        series[today] = weight * new + (1 - weight) * series[today]


def _fill(series: list[float]) -> np.ndarray:
    out = np.array(series)
    for index in range(1, len(out)):
        if math.isnan(out[index]):
            out[index] = out[index - 1]
    return out


def read_node(params: Path, node: str) -> BedNode:
    """The baseline (BArr, BCap, Blos) parameters of ``node`` from the workbook's CSVs
    (``../shared/domain/ipacs/params``); mu and sigma from median and mean, as the
    published code recomputes them (``est_method = 1``)."""

    def rows(sheet: str) -> list[dict[str, str]]:
        with (params / f"{sheet}.csv").open(encoding="utf-8") as handle:
            return [row for row in csv.DictReader(handle) if row["node"] == node]

    arrivals = tuple(float(r["arrivals"]) for r in rows("arrivals") if r["scenario"] == "BArr")
    capacity = next(int(r["capacity"]) for r in rows("capacity") if r["scenario"] == "BCap")
    initial = {r["measure"]: int(r["value"]) for r in rows("initial_conditions")}
    los = next(r for r in rows("los") if r["scenario"] == "Blos")
    mu = math.log(float(los["median"]))
    sigma = math.sqrt(2.0 * (math.log(float(los["mean_los"])) - mu))
    return BedNode(arrivals, capacity, initial["occ"], initial["dtoc"], mu, sigma)
