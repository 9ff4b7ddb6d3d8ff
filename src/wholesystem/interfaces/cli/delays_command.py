"""``wholesystem delays SYSTEM --beds asu=9:14 --beds rehab=10:16``: delay by beds.

The probability that an arriving patient finds every bed of a ward full, for each number
of beds asked, at current admissions and at each ``--admissions`` factor, from the
occupancy the wards would have with no bed limit (Monks et al. 2016); with ``--pool`` and
``--split``, the pooling scenarios of two wards. See :mod:`wholesystem.analysis.delays`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from wholesystem.analysis.delays import (
    DelayTable,
    PoolingTable,
    delay_table,
    delays_dict,
    pooling_table,
)
from wholesystem.errors import ParameterError
from wholesystem.interfaces.cli.analysis_options import JsonOption, SeedOption, print_json
from wholesystem.interfaces.cli.options import LimitOption, access_for
from wholesystem.interfaces.cli.system_tables import table
from wholesystem.limits import Limits
from wholesystem.system.read import read_system
from wholesystem.system.scenarios import apply_scenario
from wholesystem.system.spec import SystemSpec

__all__ = ["delays_command", "parse_beds", "parse_factors", "parse_split",
           "render_delays", "render_pooling"]


def parse_beds(text: str) -> tuple[str, list[int]]:
    """``WARD=9:14`` (both ends included) or ``WARD=10,12,14`` as the ward and its beds.

    >>> parse_beds("asu=9:11"), parse_beds("rehab=12, 16")
    (('asu', [9, 10, 11]), ('rehab', [12, 16]))
    """
    ward, sep, numbers = text.partition("=")
    try:
        if not sep or not ward.strip():
            raise ValueError
        if ":" in numbers:
            low, high = (int(part) for part in numbers.split(":"))
            beds = list(range(low, high + 1))
        else:
            beds = [int(part) for part in numbers.split(",") if part.strip()]
        if not beds or min(beds) < 0 or len(beds) > 10_000:
            raise ValueError
    except ValueError:
        raise ParameterError(f"--beds '{text}' is not WARD=LOW:HIGH or WARD=N,N,... with "
                             "0 to 10,000 whole numbers of beds of 0 or more",
                             hint="e.g. --beds asu=9:14") from None
    return ward.strip(), beds


def parse_factors(text: str) -> list[float]:
    """``1,1.05`` as admissions factors (each above 0).

    >>> parse_factors("1, 1.05")
    [1.0, 1.05]
    """
    try:
        factors = [float(part) for part in text.split(",") if part.strip()]
        if not factors or not all(0 < f < 1e6 for f in factors):
            raise ValueError
    except ValueError:
        raise ParameterError(f"--admissions '{text}' is not factors above 0 separated by "
                             "commas", hint="e.g. --admissions 1,1.05 (5% more)") from None
    return factors


def parse_split(text: str) -> tuple[int, int, int]:
    """``A,B,SHARED``: beds dedicated to each of the two pooled wards, and beds shared.

    >>> parse_split("9,9,8")
    (9, 9, 8)
    """
    try:
        a, b, c = (int(part) for part in text.split(","))
        if min(a, b, c) < 0 or a + b + c > 1_000_000:
            raise ValueError
    except ValueError:
        raise ParameterError(f"--split '{text}' is not three whole numbers of beds of 0 or "
                             "more: dedicated to the first ward, to the second, shared",
                             hint="e.g. --split 9,9,8 (26 beds, 8 pooled)") from None
    return a, b, c


def delays_command(
    system: Annotated[Path, typer.Argument(help="System file (.yaml).")],
    beds: Annotated[list[str] | None, typer.Option(
        "--beds", help="WARD=LOW:HIGH or WARD=N,N,...: beds to tabulate (repeatable).")
    ] = None,
    admissions: Annotated[str, typer.Option(
        "--admissions", help="Factors on every arrival rate, one column each.")] = "1,1.05",
    pool: Annotated[str | None, typer.Option(
        "--pool", help="WARD1,WARD2: two wards sharing beds (with --split).")] = None,
    split: Annotated[list[str] | None, typer.Option(
        "--split", help="A,B,SHARED beds for --pool (repeatable; 0,0,22 pools all 22).")
    ] = None,
    scenario: Annotated[str, typer.Option(
        "--scenario", "-s", help="Scenario of the system file.")] = "baseline",
    runs: Annotated[int, typer.Option("--runs", help="Simulated runs.")] = 150,
    seed: SeedOption = 0,
    as_json: JsonOption = False,
    limit: LimitOption = None,
) -> None:
    """Print the probability of delay by number of beds for wards of SYSTEM (Monks et al.
    2016: the occupancy the wards would have with no bed limit, audited daily after a
    3-year warm-up for 5 years, cut at each number of beds), beside Erlang's formula."""
    access = access_for(system, limit)
    spec = apply_scenario(read_system(system, access), scenario)
    if not beds and not pool:
        raise ParameterError("give --beds WARD=LOW:HIGH, or --pool with --split",
                             hint="e.g. --beds asu=9:14 --beds rehab=10:16")
    outputs: list[DelayTable | PoolingTable] = []
    if beds:
        wanted = dict(parse_beds(b) for b in beds)
        outputs.append(delay_table(spec, wanted, parse_factors(admissions), runs=runs,
                                   seed=seed, limits=access.limits))
    if pool:
        outputs.append(_pooling(spec, pool, split, runs, seed, access.limits))
    if as_json:
        print_json([delays_dict(t) for t in outputs] if len(outputs) > 1
                   else delays_dict(outputs[0]))
        return
    typer.echo("\n\n".join(render_delays(t) if isinstance(t, DelayTable)
                           else render_pooling(t) for t in outputs))


def _pooling(spec: SystemSpec, pool: str, split: list[str] | None, runs: int, seed: int,
             limits: Limits) -> PoolingTable:
    wards = [w.strip() for w in pool.split(",")]
    if len(wards) != 2 or not all(wards):
        raise ParameterError(f"--pool '{pool}' is not two wards separated by a comma",
                             hint="e.g. --pool asu,rehab")
    if not split:
        raise ParameterError("--pool needs at least one --split A,B,SHARED",
                             hint="e.g. --split 0,0,22 --split 9,9,8")
    return pooling_table(spec, (wards[0], wards[1]), [parse_split(s) for s in split],
                         runs=runs, seed=seed, limits=limits)


def _p(value: float) -> str:
    return f"{value:.3f}"


def render_delays(delays: DelayTable) -> str:
    """The table in the paper's layout: one row per ward and beds, a column group per
    admissions level (probability of delay, 1 in n, Erlang B)."""
    levels = list(dict.fromkeys(r.admissions for r in delays.rows))
    header = ["ward", "beds"]
    for level in levels:
        header += [f"p(delay) x{level:g}", "1 in n", "Erlang B"]
    grouped: dict[tuple[str, int], list[str]] = {}
    for r in delays.rows:
        cells = grouped.setdefault((r.ward, r.beds), [r.ward, str(r.beds)])
        cells += [_p(r.p_delay), str(r.one_in or "-"), _p(r.erlang_b)]
    means = "; ".join(f"x{level}: " + ", ".join(f"{w} {m:.2f}" for w, m in wards.items()
                                                 if any(r.ward == w for r in delays.rows))
                      for level, wards in delays.mean_occupancy.items())
    return "\n".join([
        f"{delays.system}: probability of delay by beds, '{delays.scenario}', "
        f"{delays.runs} runs (seed {delays.seed})",
        table(header, list(grouped.values())),
        f"Mean occupancy with no bed limit (Little's law) {means}."])


def render_pooling(pooling: PoolingTable) -> str:
    """The pooling configurations: beds dedicated and shared, each ward's delay."""
    a, b = pooling.wards
    rows = [[str(r.dedicated[0]), str(r.dedicated[1]), str(r.pooled),
             _p(r.p_delay[0]), str(r.one_in[0] or "-"), _p(r.p_delay[1]),
             str(r.one_in[1] or "-"), _p(r.p_loss[0]), _p(r.p_loss[1])]
            for r in pooling.rows]
    return "\n".join([
        f"{pooling.system}: pooling {a} and {b}, {pooling.runs} runs (seed {pooling.seed})",
        table([a, b, "shared", f"p(delay) {a}", "1 in n", f"p(delay) {b}", "1 in n",
               f"loss {a}", f"loss {b}"], rows),
        "p(delay): the paper's way (Additional file 1: independent units, all beds taken "
        "in the unlimited occupancy); loss: the loss system with these beds."])
