"""The probability that a patient is delayed, by number of beds (Monks et al. 2016).

Monks T, Worthington D, Allen M, Pitt M, Stein K, James MA (2016) "A modelling tool for
capacity planning in acute and community stroke services", *BMC Health Services Research*
16:530, doi:10.1186/s12913-016-1789-4, plan beds from the occupancy a unit would have with
no bed limit (:mod:`wholesystem.system.occupancy`). With :math:`p_k` the share of audits
at which :math:`k` beds are occupied, a unit of :math:`n` beds delays an arriving patient
with probability

.. math:: P(\\text{delay} \\mid n) = \\frac{p_n}{\\sum_{k \\le n} p_k},

the occupancy distribution cut at :math:`n` beds and renormalised, read at "all full".
For Poisson arrivals this is exact for the unit with :math:`n` beds that turns patients
away (the loss system's occupancy is the unlimited one truncated, whatever the stays:
Erlang's insensitivity), and with Poisson occupancy it is Erlang's loss formula
:func:`erlang_b`.

Pooling (the paper's scenarios 2 and 3): beds shared by two units. With every bed pooled
the pooled occupancy is the sum of the two, audit by audit, and the same formula applies.
With ``a`` and ``b`` dedicated beds and ``c`` shared, the paper's Additional file 1 takes
the two units as independent and counts a patient of the first unit delayed when the
unlimited occupancies :math:`N_1, N_2` leave nothing free for them:
:math:`N_1 \\ge a` and :math:`(N_1 - a) + (N_2 - b)^+ \\ge c` (:func:`shared_tail_delay`).
That is a tail probability, not the cut-and-renormalised form above, and it overstates
delays. The loss form, exact for a loss system with these bed rules (the unlimited joint
distribution truncated to the feasible occupancies, which is coordinate-convex), is
:func:`shared_loss_delay`; both are reported.

>>> round(erlang_b(10, 8.145), 4)
0.1283
>>> round(delay_probability(poisson_occupancy(8.145, 60), 10), 4)
0.1283
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray

from wholesystem.errors import ParameterError
from wholesystem.limits import Limits
from wholesystem.system.occupancy import OccupancyAudit, audit_occupancy, mean_occupancy
from wholesystem.system.spec import SystemSpec

__all__ = ["erlang_b", "poisson_occupancy", "delay_probability", "one_in",
           "shared_tail_delay", "shared_loss_delay", "DelayRow", "DelayTable",
           "PoolingRow", "PoolingTable", "delay_table", "pooling_table", "delays_dict"]


def erlang_b(beds: int, load: float) -> float:
    """Erlang's loss formula: the share of arrivals that find all ``beds`` full when the
    unlimited occupancy is Poisson with mean ``load``.

    By the recursion :math:`B(0) = 1`, :math:`B(k) = aB(k-1) / (k + aB(k-1))`, which
    never overflows.

    >>> erlang_b(1, 1.0)
    0.5
    """
    if beds < 0 or not load >= 0:
        raise ParameterError(f"Erlang B needs beds >= 0 and a load >= 0 (got {beds}, "
                             f"{load:g})")
    blocked = 1.0
    for k in range(1, beds + 1):
        blocked = load * blocked / (k + load * blocked)
    return blocked


def poisson_occupancy(mean: float, upto: int) -> NDArray[np.float64]:
    """Poisson probabilities of 0..``upto`` occupied beds (the M/G/infinity occupancy).

    >>> [round(float(p), 4) for p in poisson_occupancy(2.0, 2)]
    [0.1353, 0.2707, 0.2707]
    """
    k = np.arange(upto + 1)
    logs = k * math.log(mean) - mean - np.array([math.lgamma(i + 1) for i in k]) \
        if mean > 0 else np.where(k == 0, 0.0, -np.inf)
    return np.exp(logs)


def delay_probability(distribution: NDArray[np.float64], beds: int) -> float:
    """:math:`p_n / \\sum_{k \\le n} p_k` for ``beds`` = n (Monks et al. 2016).

    Beyond the occupancies ever seen the answer is 0; when none at or under ``beds`` was
    seen, every arrival is delayed (1).

    >>> delay_probability(np.array([0.2, 0.3, 0.4, 0.1]), 1)
    0.6
    """
    if beds < 0:
        raise ParameterError(f"beds must be 0 or more (got {beds})")
    if beds >= distribution.size:
        return 0.0
    below = float(distribution[: beds + 1].sum())
    return float(distribution[beds]) / below if below > 0 else 1.0


def one_in(probability: float) -> int | None:
    """"1 in every n patients delayed": n = 1 / probability, rounded (None when 0)."""
    return round(1.0 / probability) if probability > 0 else None


def _padded(distribution: NDArray[np.float64], size: int) -> NDArray[np.float64]:
    out = np.zeros(size)
    out[: min(size, distribution.size)] = distribution[:size]
    return out


def _overflow(size: int, dedicated: tuple[int, int], pooled: int) -> NDArray[np.int64]:
    """Shared beds in use at each joint occupancy (i, j): (i - a)+ + (j - b)+."""
    k = np.arange(size)
    return (np.maximum(k - dedicated[0], 0)[:, None]
            + np.maximum(k - dedicated[1], 0)[None, :])


def shared_tail_delay(first: NDArray[np.float64], second: NDArray[np.float64],
                      dedicated: tuple[int, int], pooled: int) -> tuple[float, float]:
    """Delay of each unit's patients with dedicated and shared beds, the paper's way
    (Additional file 1): independent units, P(own beds full and every shared bed used).

    >>> p = np.array([0.5, 0.5])
    >>> shared_tail_delay(p, p, (0, 0), 1)  # the one bed is taken unless both are empty
    (0.75, 0.75)
    """
    size = max(first.size, second.size) + pooled + 1
    joint = np.outer(_padded(first, size), _padded(second, size))
    used = _overflow(size, dedicated, pooled)
    k = np.arange(size)
    full = used >= pooled
    return (float(joint[full & (k[:, None] >= dedicated[0])].sum()),
            float(joint[full & (k[None, :] >= dedicated[1])].sum()))


def shared_loss_delay(first: NDArray[np.float64], second: NDArray[np.float64],
                      dedicated: tuple[int, int], pooled: int) -> tuple[float, float]:
    """Delay of each unit's patients in the loss system with these beds: the unlimited
    (independent) joint occupancy truncated to the occupancies the beds allow, read at
    the states where one more patient of that unit would not fit.

    With no shared beds it is :func:`delay_probability` of each unit; with no dedicated
    beds it is that of the summed occupancy.

    >>> p = np.array([0.5, 0.5])
    >>> shared_loss_delay(p, p, (0, 0), 1)  # states (0,0), (1,0), (0,1): 2 of 3 full
    (0.6666666666666666, 0.6666666666666666)
    """
    size = max(first.size, second.size) + pooled + 2
    joint = np.outer(_padded(first, size), _padded(second, size))
    used = _overflow(size, dedicated, pooled)
    fits = used <= pooled
    total = float(joint[fits].sum())
    if total <= 0:
        return 1.0, 1.0
    no_room_first = np.zeros_like(fits)
    no_room_first[:-1, :] = used[1:, :] > pooled
    no_room_second = np.zeros_like(fits)
    no_room_second[:, :-1] = used[:, 1:] > pooled
    return (float(joint[fits & no_room_first].sum()) / total,
            float(joint[fits & no_room_second].sum()) / total)


@dataclass(frozen=True, slots=True)
class DelayRow:
    """The probability of delay for one ward, number of beds and admissions level."""

    ward: str
    """Ward id."""
    beds: int
    """Beds in the ward."""
    admissions: float
    """Factor on every arrival rate (1: current admissions, 1.05: 5% more)."""
    p_delay: float
    """Share of arriving patients who find every bed full, from the simulated audit."""
    one_in: int | None
    """1 in every n patients delayed (n = 1 / p_delay rounded)."""
    erlang_b: float
    """The same from Erlang's formula with the ward's mean occupancy (exact in theory)."""


@dataclass(frozen=True, slots=True)
class DelayTable:
    """Probability of delay by beds, for each ward and admissions level."""

    system: str
    """System name."""
    scenario: str
    """Scenario of the system file."""
    runs: int
    """Simulated runs per admissions level."""
    seed: int
    """Seed of the first level's batch (each level adds its position)."""
    mean_occupancy: dict[str, dict[str, float]]
    """Admissions level (as written, e.g. '1.05') -> ward -> mean occupancy (theory)."""
    rows: tuple[DelayRow, ...]
    """Ward by ward, beds ascending, each admissions level in turn."""


def _levels_key(admissions: float) -> str:
    return f"{admissions:g}"


def delay_table(spec: SystemSpec, beds: Mapping[str, Sequence[int]],
                admissions: Sequence[float] = (1.0, 1.05), *, runs: int = 150,
                seed: int = 0, warm_up: float = 3 * 365.0, audits: int = 5 * 365,
                limits: Limits | None = None) -> DelayTable:
    """Probability of delay for each ward and number of beds in ``beds``, at each
    admissions level (the paper's Table 2 is ``{'asu': 9..14, 'rehab': 10..16}`` at 1 and
    1.05), simulated with no bed limit and beside Erlang's formula.

    >>> import wholesystem
    >>> from wholesystem.system.read import read_system
    >>> spec = read_system(wholesystem.example_path("stroke"))
    >>> table = delay_table(spec, {"asu": [10]}, [1.0], runs=20, seed=1)
    >>> row = table.rows[0]
    >>> row.beds, round(row.erlang_b, 3), abs(row.p_delay - row.erlang_b) < 0.03
    (10, 0.128, True)
    """
    rows: list[DelayRow] = []
    means: dict[str, dict[str, float]] = {}
    for level, factor in enumerate(admissions):
        audit = audit_occupancy(spec, runs=runs, warm_up=warm_up, audits=audits,
                                seed=seed + level, admissions=factor, limits=limits)
        mean = mean_occupancy(spec, factor)
        means[_levels_key(factor)] = mean
        rows.extend(_ward_rows(audit, mean, beds))
    order = {w: i for i, w in enumerate(beds)}
    rows.sort(key=lambda r: (order[r.ward], r.beds, admissions.index(r.admissions)))
    return DelayTable(spec.name, spec.scenario, runs, seed, means, tuple(rows))


def _ward_rows(audit: OccupancyAudit, mean: Mapping[str, float],
               beds: Mapping[str, Sequence[int]]) -> list[DelayRow]:
    rows = []
    for ward, numbers in beds.items():
        if ward not in audit.counts:
            known = ", ".join(w.id for w in audit.wards)
            raise ParameterError(f"no ward '{ward}' in the system (wards: {known})")
        distribution = audit.distribution(ward)
        for n in numbers:
            p = delay_probability(distribution, n)
            rows.append(DelayRow(ward, n, audit.admissions, p, one_in(p),
                                 erlang_b(n, mean[ward])))
    return rows


@dataclass(frozen=True, slots=True)
class PoolingRow:
    """Delays with some beds dedicated to each of two wards and some shared."""

    dedicated: tuple[int, int]
    """Beds kept for each ward's own patients."""
    pooled: int
    """Beds either ward's patients may use."""
    p_delay: tuple[float, float]
    """Each ward's probability of delay the paper's way: the Table 2 form when nothing
    or everything is shared, the independent tail of Additional file 1 otherwise."""
    one_in: tuple[int | None, int | None]
    """1 in every n patients of each ward delayed."""
    p_loss: tuple[float, float]
    """The loss system's probability of delay (truncated independent occupancies)."""


@dataclass(frozen=True, slots=True)
class PoolingTable:
    """The pooling scenarios of two wards."""

    system: str
    """System name."""
    wards: tuple[str, str]
    """The two wards sharing beds."""
    runs: int
    """Simulated runs."""
    seed: int
    """Seed of the batch."""
    rows: tuple[PoolingRow, ...]
    """One per configuration, in the order asked."""


def pooling_table(spec: SystemSpec, wards: tuple[str, str],
                  configurations: Sequence[tuple[int, int, int]], *, runs: int = 150,
                  seed: int = 0, admissions: float = 1.0, warm_up: float = 3 * 365.0,
                  audits: int = 5 * 365, limits: Limits | None = None) -> PoolingTable:
    """Delays of two wards for each (dedicated, dedicated, pooled) configuration (the
    paper's Table 3 pools the ASU and rehab unit: 22 or 26 beds all shared, or 26 with
    some dedicated), from one audit with no bed limit.
    """
    audit = audit_occupancy(spec, runs=runs, warm_up=warm_up, audits=audits, seed=seed,
                            admissions=admissions, limits=limits)
    for ward in wards:
        if ward not in audit.counts:
            raise ParameterError(f"no ward '{ward}' in the system (wards: "
                                 f"{', '.join(w.id for w in audit.wards)})")
    first, second = (audit.distribution(w) for w in wards)
    summed = np.bincount((audit.counts[wards[0]] + audit.counts[wards[1]]).ravel())
    summed = summed / summed.sum()
    rows = [_pooling_row(first, second, summed, (a, b), c)
            for a, b, c in configurations]
    return PoolingTable(spec.name, wards, runs, seed, tuple(rows))


def _pooling_row(first: NDArray[np.float64], second: NDArray[np.float64],
                 summed: NDArray[np.float64], dedicated: tuple[int, int], pooled: int
                 ) -> PoolingRow:
    if min(dedicated) < 0 or pooled < 0:
        raise ParameterError(f"beds must be 0 or more (got {dedicated}, {pooled})")
    if pooled == 0:
        paper = (delay_probability(first, dedicated[0]),
                 delay_probability(second, dedicated[1]))
    elif dedicated == (0, 0):
        # every bed shared: the summed occupancy, audit by audit, as the paper's scenario 2
        both = delay_probability(summed, pooled)
        paper = (both, both)
    else:
        paper = shared_tail_delay(first, second, dedicated, pooled)
    loss = shared_loss_delay(first, second, dedicated, pooled)
    return PoolingRow(dedicated, pooled, paper, (one_in(paper[0]), one_in(paper[1])), loss)


def delays_dict(table: DelayTable | PoolingTable) -> dict[str, Any]:
    """A delay or pooling table as JSON-ready data."""
    return asdict(table)
