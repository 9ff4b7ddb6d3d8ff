"""Resident journeys: individuals simulated through the same services and pathways.

Where the aggregate model moves fractions of people, this simulation moves people one by
one: Poisson arrivals, stays drawn from their distributions, routes drawn from their
fractions, first come first served when places free up. It is vectorised over people
(every person is a row of a few NumPy arrays) and over runs (each run has its own
``numpy.random.Generator``, one :class:`numpy.random.SeedSequence` child per run). Time
advances in the system's steps, with the same conventions as the aggregate model, so
that with many runs the mean occupancies of the two agree within sampling error:

- a step's arrivals, discharges and returns join queues before that step's admissions;
- a stay lasts ``max(1, round(drawn / step))`` steps (see :mod:`~wholesystem.system.stays`);
- people already in service at the start leave as the service's ``remaining_stay`` says;
- costs of a step are charged for the people in service or waiting at its start.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import networkx as nx
import numpy as np
from numpy.typing import NDArray

from wholesystem.system.spec import (
    LEAVE,
    UNMET,
    Duration,
    ServiceKind,
    SystemSpec,
)
from wholesystem.system.stays import step_probabilities
from wholesystem.system.visits import daily_visit_chances, schedule

__all__ = ["JourneyRun", "simulate_journeys", "Event", "EVENT_KINDS"]

WAITING, IN_SERVICE, RETURNING, LEFT, LEFT_UNMET, NOT_YET = 1, 2, 3, 4, 5, 0

EVENT_KINDS = ("arrive", "admit", "contact", "divert", "discharge", "return", "leave",
               "unmet", "move")
"""What the event log of tracked people records."""

_LEAVE_ROUTE, _UNMET_ROUTE, _SERVICE_ROUTE, _RETURN_ROUTE = 0, 1, 2, 3


@dataclass(frozen=True, slots=True)
class Event:
    """Something that happened to a tracked person."""

    person: int
    """Row of the person."""
    step: int
    """Time step it happened in."""
    kind: str
    """One of :data:`EVENT_KINDS`."""
    service: int
    """Service index it concerns (-1 for none)."""
    other: int = -1
    """Service index moved to, for moves and returns (-1 for none)."""


@dataclass
class _Tables:
    """A spec turned into arrays the simulation indexes."""

    spec: SystemSpec
    steps: int
    capacity: NDArray[np.float64]            # (steps, S): places, or people per step
    places: NDArray[np.bool_]                # (S,)
    stays: list[NDArray[np.float64] | None]  # cumulative step probabilities per service
    initial_stays: list[NDArray[np.float64] | None]
    route_cum: NDArray[np.float64]           # (C + 1, S, R) cumulative fractions, padded
    route_kind: NDArray[np.int64]            # (C + 1, S, R); row 0 everyone's routes,
    route_target: NDArray[np.int64]          # row c + 1 cohort c's
    route_delay: dict[tuple[int, int, int], NDArray[np.float64]]
    divert: NDArray[np.int64]                # (S,): -1 queue, -2 unmet, else service
    owner: NDArray[np.int64]                 # (S,)
    payer: NDArray[np.int64]                 # (S,)
    levels: list[NDArray[np.int64]]
    needs: list[tuple[int, int, int]]        # (cohort index, need index, service)
    arrival_rates: NDArray[np.float64]       # (steps, needs): expected people per step
    visiting: NDArray[np.bool_]              # (S,): visits services
    # per visits service: (values, cumulative chances) of first and last visits a day
    visit_ends: dict[int, tuple[tuple[NDArray[np.int64], NDArray[np.float64]],
                                tuple[NDArray[np.int64], NDArray[np.float64]]]]
    own_stays: dict[tuple[int, int], NDArray[np.float64]]
    """(cohort index, service index): a cohort's own stay, cumulative step chances."""


def _cumulative(p: NDArray[np.float64]) -> NDArray[np.float64]:
    cum = np.cumsum(p)
    cum[-1] = 1.0 + 1e-12
    return cum


def _stay_table(duration: Duration, step: float) -> NDArray[np.float64]:
    return _cumulative(step_probabilities(duration, step))


def _tables(spec: SystemSpec) -> _Tables:
    step, services = spec.time.step, spec.services
    steps = math.ceil(spec.time.horizon / step - 1e-9)
    index = {s.id: i for i, s in enumerate(services)}
    organisations = {o.id: i for i, o in enumerate(spec.organisations)}
    times = np.arange(steps) * step
    capacity = np.full((steps, len(services)), np.inf)
    for i, service in enumerate(services):
        if service.capacity is not None:
            values = np.array([service.capacity.at(t) for t in times])
            capacity[:, i] = values if service.kind is ServiceKind.PLACES else values * step
    stays: list[NDArray[np.float64] | None] = []
    initial: list[NDArray[np.float64] | None] = []
    for service in services:
        if service.length_of_stay is None:
            stays.append(None)
            initial.append(None)
            continue
        p = step_probabilities(service.length_of_stay, step)
        stays.append(_cumulative(p))
        if service.remaining_stay == "uniform":
            initial.append(_cumulative(p))
        else:  # length-biased: stays found in progress in a steady state
            biased = p * np.arange(len(p))
            initial.append(_cumulative(biased / biased.sum()))
    # Row 0: the routes for everyone (and for people there at the start); row c + 1:
    # cohort c's, which are its own where it has some.
    rows = (None, *(c.id for c in spec.cohorts))
    width = max(len(spec.routes_from(s.id, c)) for s in services for c in rows)
    route_cum = np.full((len(rows), len(services), width), 2.0)
    route_kind = np.zeros((len(rows), len(services), width), dtype=np.int64)
    route_target = np.full((len(rows), len(services), width), -1, dtype=np.int64)
    delays: dict[tuple[int, int, int], NDArray[np.float64]] = {}
    for row, cohort in enumerate(rows):
        for i, service in enumerate(services):
            total = 0.0
            routes = spec.routes_from(service.id, cohort)
            for j, route in enumerate(routes):
                total += route.fraction
                route_cum[row, i, j] = total
                if route.to == LEAVE:
                    route_kind[row, i, j] = _LEAVE_ROUTE
                elif route.to == UNMET:
                    route_kind[row, i, j] = _UNMET_ROUTE
                else:
                    route_target[row, i, j] = index[route.to]
                    route_kind[row, i, j] = _RETURN_ROUTE if route.after else _SERVICE_ROUTE
                    if route.after is not None:
                        delays[(row, i, j)] = _stay_table(route.after, step)
            route_cum[row, i, len(routes) - 1] = 1.0 + 1e-12
    own_stays = {(c, index[service_id]): _stay_table(stay, step)
                 for c, cohort in enumerate(spec.cohorts) for service_id, stay in cohort.stays}
    divert = np.array([-1 if s.when_full.divert_to is None else
                       (-2 if s.when_full.divert_to == UNMET else index[s.when_full.divert_to])
                       for s in services], dtype=np.int64)
    needs, rates = _arrivals(spec, index, times)
    visiting = np.array([s.kind is ServiceKind.VISITS for s in services], dtype=bool)
    ends = {}
    for i, service in enumerate(services):
        if service.visits is not None and visiting[i]:
            first = daily_visit_chances(service.visits.first, service.visits.spread)
            last = daily_visit_chances(service.visits.last, service.visits.spread)
            ends[i] = ((first[0], _cumulative(first[1])), (last[0], _cumulative(last[1])))
    return _Tables(
        spec, steps, capacity,
        np.array([s.kind is not ServiceKind.CONTACTS for s in services]),
        stays, initial, route_cum, route_kind, route_target, delays, divert,
        np.array([organisations[s.owner] for s in services]),
        np.array([organisations[s.delay_payer] for s in services]),
        _levels(spec, index), needs, rates, visiting, ends, own_stays)


def _arrivals(spec: SystemSpec, index: dict[str, int], times: NDArray[np.floating]
              ) -> tuple[list[tuple[int, int, int]], NDArray[np.float64]]:
    needs, columns = [], []
    for c, cohort in enumerate(spec.cohorts):
        for n, need in enumerate(cohort.needs):
            rate = np.array([need.arrivals.at(t) for t in times])
            if need.per_person and cohort.population is not None:
                rate = rate * np.array([cohort.population.at(t) for t in times])
            kept = np.array([1.0 - spec.prevented_share(cohort.id, need.id, t) for t in times])
            needs.append((c, n, index[need.service]))
            columns.append(rate * kept * spec.time.step)
    table = np.array(columns).T if columns else np.zeros((len(times), 0))
    return needs, table


def _levels(spec: SystemSpec, index: dict[str, int]) -> list[NDArray[np.int64]]:
    """Services grouped so that moves within a step only go to later groups."""
    from wholesystem.system.read.structure import instant_edges

    graph = nx.DiGraph()
    graph.add_nodes_from(index)
    graph.add_edges_from(instant_edges(spec))
    return [np.array(sorted(index[s] for s in generation), dtype=np.int64)
            for generation in nx.topological_generations(graph)]


@dataclass
class JourneyRun:
    """Everything one scenario's journeys simulation recorded."""

    spec: SystemSpec
    """The scenario's spec."""
    runs: int
    """Independent runs."""
    seed: int
    """Seed of the :class:`numpy.random.SeedSequence` the runs' streams come from."""
    occupancy: NDArray[np.float64]
    """People in service at each saved time: (steps + 1, runs, services)."""
    waiting: NDArray[np.float64]
    """People waiting at each saved time: (steps + 1, runs, services)."""
    served: NDArray[np.float64]
    """Admissions and contacts in each step: (steps, runs, services)."""
    run_of: NDArray[np.int64]
    """Per person: run."""
    cohort_of: NDArray[np.int64]
    """Per person: cohort index (-1: in the system at the start)."""
    need_of: NDArray[np.int64]
    """Per person: need index within the cohort (-1: at the start)."""
    arrived_at: NDArray[np.int64]
    """Per person: arrival step (-1: at the start)."""
    final_state: NDArray[np.int8]
    """Per person: where they are at the end (waiting, in service, returning, left...)."""
    waited: NDArray[np.int32]
    """Per person and service: steps spent waiting."""
    occupied: NDArray[np.int32]
    """Per person and service: steps spent in service."""
    visits: NDArray[np.int32]
    """Per person and service: admissions and contacts."""
    contacts: NDArray[np.int32]
    """Per person and service: contacts."""
    repeats: NDArray[np.int32]
    """Per person: re-presentations."""
    handoffs: NDArray[np.int32]
    """Per person: moves from one service to another."""
    organisation_handoffs: NDArray[np.int32]
    """Per person: moves to a service of another organisation."""
    events: list[Event] = field(default_factory=list)
    """Event log of the tracked people."""
    visits_made: NDArray[np.float64] = field(default_factory=lambda: np.zeros((0, 0, 0)))
    """Visits made by visits services in each step: (steps, runs, services)."""
    home_visits: NDArray[np.int32] = field(default_factory=lambda: np.zeros((0, 0), np.int32))
    """Per person and service: visits received from visits services within the run."""

    @property
    def steps(self) -> int:
        """Time steps simulated."""
        return self.served.shape[0]


class _Simulation:
    """The state of every person in every run of one scenario."""

    def __init__(self, spec: SystemSpec, runs: int, seed: int, track: int):
        self.spec, self.runs, self.seed = spec, runs, seed
        self.t = _tables(spec)
        self.rngs = [np.random.default_rng(child)
                     for child in np.random.SeedSequence(seed).spawn(runs)]
        self.services = len(spec.services)
        self._people()
        self.tracked = np.zeros(len(self.run_of), dtype=bool)
        self.events: list[Event] = []
        self._choose_tracked(track)
        self.ticket_counter = 0
        self.carry = np.zeros((runs, self.services))
        self._visit_books()

    # -- set-up ---------------------------------------------------------------------
    def _people(self) -> None:
        """Everyone who will ever be in the simulation, sorted by arrival step."""
        t, spec = self.t, self.spec
        runs_, cohorts, needs, steps, entry, initial = [], [], [], [], [], []
        for r, rng in enumerate(self.rngs):
            for s, service in enumerate(spec.services):
                for count, kind in ((service.initial_in_service, IN_SERVICE),
                                    (service.initial_waiting, WAITING)):
                    k = round(count)
                    runs_.append(np.full(k, r))
                    cohorts.append(np.full(k, -1))
                    needs.append(np.full(k, -1))
                    steps.append(np.full(k, -1))
                    entry.append(np.full(k, s))
                    initial.append(np.full(k, kind))
            counts = rng.poisson(t.arrival_rates) if t.needs else np.zeros((t.steps, 0), int)
            for j, (c, n, s) in enumerate(t.needs):
                k = int(counts[:, j].sum())
                runs_.append(np.full(k, r))
                cohorts.append(np.full(k, c))
                needs.append(np.full(k, n))
                steps.append(np.repeat(np.arange(t.steps), counts[:, j]))
                entry.append(np.full(k, s))
                initial.append(np.full(k, NOT_YET))
        arrive = np.concatenate(steps)
        order = np.argsort(arrive, kind="stable")
        self.run_of = np.concatenate(runs_)[order].astype(np.int64)
        self.cohort_of = np.concatenate(cohorts)[order].astype(np.int64)
        self.need_of = np.concatenate(needs)[order].astype(np.int64)
        self.arrived_at = arrive[order].astype(np.int64)
        self.where = np.concatenate(entry)[order].astype(np.int64)
        self.state = np.concatenate(initial)[order].astype(np.int8)
        size = (len(order), self.services)
        self.until = np.full(len(order), -1, dtype=np.int64)
        self.ticket = np.zeros(len(order), dtype=np.int64)
        self.waited = np.zeros(size, dtype=np.int32)
        self.occupied = np.zeros(size, dtype=np.int32)
        self.visits = np.zeros(size, dtype=np.int32)
        self.contacts = np.zeros(size, dtype=np.int32)
        self.repeats = np.zeros(len(order), dtype=np.int32)
        self.handoffs = np.zeros(len(order), dtype=np.int32)
        self.org_handoffs = np.zeros(len(order), dtype=np.int32)
        self.step_starts = np.searchsorted(self.arrived_at, np.arange(-1, self.t.steps + 1))

    def _visit_books(self) -> None:
        """Visits still free on each day, per run, for every visits service; days past the
        horizon keep the last day's capacity so stays running over the end can book."""
        t = self.t
        self.start_at = np.full(len(self.run_of), -1, dtype=np.int64)
        self.booked_until = np.full(len(self.run_of), -1, dtype=np.int64)
        self.home_visits = np.zeros((len(self.run_of), self.services), dtype=np.int32)
        self.visits_made = np.zeros((t.steps, self.runs, self.services))
        self.slots: dict[int, NDArray[np.float64]] = {}
        self._booked_visits: dict[int, NDArray[np.int64]] = {}
        for s in np.flatnonzero(t.visiting):
            table = t.stays[s]
            longest = len(table) if table is not None else 1
            days = np.concatenate([t.capacity[:, s], np.full(longest + 1, t.capacity[-1, s])])
            self.slots[int(s)] = np.tile(days, (self.runs, 1))

    def _schedules(self, people: NDArray[np.int64], service: int, tail: bool
                   ) -> list[NDArray[np.int64]]:
        """Each person's visits a day over their stay (``tail``: the rest of a stay already
        under way at the start, a uniform share of a fresh one, at least a day)."""
        table = self.t.stays[service]
        assert table is not None
        (firsts, first_cum), (lasts, last_cum) = self.t.visit_ends[service]
        days = np.searchsorted(table, self._uniform(people), side="right")
        first = firsts[np.searchsorted(first_cum, self._uniform(people), side="right")]
        last = lasts[np.searchsorted(last_cum, self._uniform(people), side="right")]
        rest = (np.maximum(1, np.ceil(self._uniform(people) * days)).astype(np.int64)
                if tail else days)
        return [schedule(int(f), int(e), int(k))[-int(r):]
                for f, e, k, r in zip(first, last, days, rest, strict=True)]

    def _book(self, person: int, service: int, visits: NDArray[np.int64],
              step: int) -> None:
        """The first day from ``step`` on which the whole schedule fits; its visits are
        taken from those days. Nobody is booked to start after the horizon."""
        slots = self.slots[service][self.run_of[person]]
        k, steps = len(visits), self.t.steps
        start = steps
        for begin in range(step, steps, 32):
            end = min(begin + 32, steps)
            window = slots[begin:end + k - 1]
            if len(window) < (end - begin) + k - 1:
                break
            fits = np.all(np.lib.stride_tricks.sliding_window_view(window, k) >= visits,
                          axis=1)
            hit = np.flatnonzero(fits)
            if len(hit):
                start = begin + int(hit[0])
                break
        self.start_at[person] = start
        self.booked_until[person] = start + k
        if start < steps:
            slots[start:start + k] -= visits
            if self.t.divert[service] != -1:
                self._booked_visits[person] = visits
            self.home_visits[person, service] += int(visits[: steps - start].sum())

    def _choose_tracked(self, track: int) -> None:
        """Arrivals of run 0 spread evenly over the run, so journeys from late in the run
        (when queues are longest) are among them."""
        candidates = np.flatnonzero((self.run_of == 0) & (self.cohort_of >= 0))
        if len(candidates) > track > 0:
            candidates = candidates[np.linspace(0, len(candidates) - 1, track).astype(int)]
        self.tracked[candidates[:track]] = True

    def _uniform(self, people: NDArray[np.int64]) -> NDArray[np.float64]:
        """One uniform draw per person, each from their run's stream."""
        values = np.empty(len(people))
        if not len(people):
            return values
        runs = self.run_of[people]
        order = np.argsort(runs, kind="stable")
        bounds = np.searchsorted(runs[order], np.arange(self.runs + 1))
        for r in np.flatnonzero(np.diff(bounds)):
            chosen = order[bounds[r]:bounds[r + 1]]
            values[chosen] = self.rngs[r].random(len(chosen))
        return values

    def _log(self, people: NDArray[np.int64], step: int, kind: str,
             service: NDArray[np.int64] | int, other: NDArray[np.int64] | int = -1) -> None:
        mask = self.tracked[people]
        if not mask.any():
            return
        services = np.broadcast_to(service, people.shape)[mask]
        others = np.broadcast_to(other, people.shape)[mask]
        self.events.extend(Event(int(p), step, kind, int(s), int(o))
                           for p, s, o in zip(people[mask], services, others, strict=False))

    # -- moves ----------------------------------------------------------------------
    def join_queue(self, people: NDArray[np.int64], service: NDArray[np.int64]) -> None:
        self.state[people] = WAITING
        self.start_at[people] = -1
        self.where[people] = service
        self.ticket[people] = self.ticket_counter + np.arange(len(people))
        self.ticket_counter += len(people)

    def start_initial(self) -> None:
        first = self.step_starts[0], self.step_starts[1]
        people = np.arange(*first)
        waiting = people[self.state[people] == WAITING]
        self.join_queue(waiting, self.where[waiting])
        serving = people[self.state[people] == IN_SERVICE]
        for s in range(self.services):
            chosen = serving[self.where[serving] == s]
            table = self.t.initial_stays[s]
            if not len(chosen) or table is None:
                continue
            if self.t.visiting[s]:
                self._start_visited(chosen, s)
                continue
            u = self._uniform(chosen)
            stay = np.searchsorted(table, u, side="right")
            self.until[chosen] = np.floor(self._uniform(chosen) * stay).astype(np.int64)

    def _start_visited(self, people: NDArray[np.int64], service: int) -> None:
        """People in a visits service at the start keep the rest of their schedules;
        those whose rest does not fit on the first day wait for it."""
        for person, visits in zip(people, self._schedules(people, service, tail=True),
                                  strict=True):
            self._book(int(person), service, visits, 0)
        late = people[self.start_at[people] > 0]
        self.state[late] = WAITING
        self.ticket[late] = -1  # booked already: their place in the queue is their day
        started = people[self.start_at[people] == 0]
        self.until[started] = self.booked_until[started]

    def route(self, people: NDArray[np.int64], step: int) -> None:
        """People finishing at their service go where its routes send them."""
        if not len(people):
            return
        source = self.where[people]
        row = self.cohort_of[people] + 1  # people there at the start (-1) take row 0
        u = self._uniform(people)
        choice = (u[:, None] >= self.t.route_cum[row, source]).sum(axis=1)
        kind = self.t.route_kind[row, source, choice]
        target = self.t.route_target[row, source, choice]
        for code, state, event in ((_LEAVE_ROUTE, LEFT, "leave"),
                                   (_UNMET_ROUTE, LEFT_UNMET, "unmet")):
            chosen = people[kind == code]
            self.state[chosen] = state
            self._log(chosen, step, event, source[kind == code])
        moving = kind == _SERVICE_ROUTE
        self.move(people[moving], source[moving], target[moving], step, "move")
        back = np.flatnonzero(kind == _RETURN_ROUTE)
        if len(back):
            delays = np.empty(len(back), dtype=np.int64)
            u2 = self._uniform(people[back])
            for key in {(int(row[i]), int(source[i]), int(choice[i])) for i in back}:
                mine = ((row[back] == key[0]) & (source[back] == key[1])
                        & (choice[back] == key[2]))
                delays[mine] = np.searchsorted(self.t.route_delay[key], u2[mine], side="right")
            chosen = people[back]
            self.state[chosen] = RETURNING
            self.where[chosen] = target[back]
            self.until[chosen] = step + delays
            self._log(chosen, step, "discharge", source[back], target[back])

    def move(self, people: NDArray[np.int64], source: NDArray[np.int64],
             target: NDArray[np.int64], step: int, event: str) -> None:
        if not len(people):
            return
        self.handoffs[people] += 1
        self.org_handoffs[people] += (self.t.owner[source] != self.t.owner[target])
        self._log(people, step, event, source, target)
        self.join_queue(people, target)

    def admit_visits(self, level: NDArray[np.int64], step: int,
                     occupancy: NDArray[np.int64], served: NDArray[np.float64]) -> None:
        """Visits services: people not yet booked are booked in queue order; people whose
        booked day has come start (or, where the service diverts, go elsewhere)."""
        in_level = np.zeros(self.services, dtype=bool)
        in_level[level[self.t.visiting[level]]] = True
        waiting = np.flatnonzero((self.state == WAITING) & in_level[self.where])
        if not len(waiting):
            return
        new = waiting[self.start_at[waiting] < 0]
        new = new[np.lexsort((self.ticket[new], self.run_of[new]))]
        for s in np.unique(self.where[new]):
            chosen = new[self.where[new] == s]
            for person, visits in zip(chosen, self._schedules(chosen, int(s), tail=False),
                                      strict=True):
                self._book(int(person), int(s), visits, step)
        late = new[self.start_at[new] > step]
        if len(late):
            away = late[self.t.divert[self.where[late]] != -1]
            self._unbook(away)
            self.divert(away, step)
        starting = waiting[self.start_at[waiting] == step]
        self.state[starting] = IN_SERVICE
        self.until[starting] = self.booked_until[starting]
        self.visits[starting, self.where[starting]] += 1
        np.add.at(occupancy, (self.run_of[starting], self.where[starting]), 1)
        np.add.at(served, (self.run_of[starting], self.where[starting]), 1)
        self._log(starting, step, "admit", self.where[starting])

    def _unbook(self, people: NDArray[np.int64]) -> None:
        """Take back the bookings of people who go elsewhere instead of waiting."""
        for person in people:
            s, start = int(self.where[person]), int(self.start_at[person])
            if start < self.t.steps:
                k = int(self.booked_until[person] - start)
                table = self.slots[s][self.run_of[person]]
                raise_back = self._booked_visits.pop(int(person))
                table[start:start + k] += raise_back
                self.home_visits[person, s] -= int(raise_back[: self.t.steps - start].sum())
            self.start_at[person] = -1

    def _record_visits(self, step: int) -> None:
        for s, slots in self.slots.items():
            self.visits_made[step, :, s] = self.t.capacity[step, s] - slots[:, step]

    def admit_level(self, level: NDArray[np.int64], step: int, free_all: NDArray[np.float64],
                    occupancy: NDArray[np.int64], served: NDArray[np.float64]) -> None:
        if self.t.visiting[level].any():
            self.admit_visits(level, step, occupancy, served)
        in_level = np.zeros(self.services, dtype=bool)
        in_level[level[~self.t.visiting[level]]] = True
        waiting = np.flatnonzero((self.state == WAITING) & in_level[self.where])
        if not len(waiting):
            return
        group = self.run_of[waiting] * self.services + self.where[waiting]
        order = np.lexsort((self.ticket[waiting], group))
        waiting, group = waiting[order], group[order]
        first = np.searchsorted(group, group, side="left")
        rank = np.arange(len(waiting)) - first
        free = free_all.reshape(-1)[group]
        admitted = waiting[rank < free]
        refused = waiting[rank >= free]
        served += np.bincount(self.run_of[admitted] * self.services + self.where[admitted],
                              minlength=self.runs * self.services
                              ).reshape(self.runs, self.services)
        self.serve(admitted, step, occupancy)
        self.divert(refused, step)

    def _free(self, step: int, occupancy: NDArray[np.int64]) -> NDArray[np.float64]:
        capacity = self.t.capacity[step]
        finite = np.isfinite(capacity)
        limited = np.where(finite, capacity, 0.0)
        places = np.floor(limited + 1e-9)[None, :] - occupancy
        budget = limited[None, :] + self.carry
        contacts = np.floor(budget + 1e-9)
        self.carry = np.where(finite & ~self.t.places, budget - contacts, 0.0)
        free = np.where(self.t.places[None, :], places, contacts)
        return np.maximum(np.where(finite[None, :], free, np.inf), 0.0)

    def serve(self, people: NDArray[np.int64], step: int,
              occupancy: NDArray[np.int64]) -> None:
        services = self.where[people]
        self.visits[people, services] += 1
        places = self.t.places[services]
        stay = people[places]
        if len(stay):
            u = self._uniform(stay)
            steps = np.empty(len(stay), dtype=np.int64)
            cohorts = self.cohort_of[stay]
            for s in np.unique(self.where[stay]):
                for c in np.unique(cohorts[self.where[stay] == s]):
                    mine = (self.where[stay] == s) & (cohorts == c)
                    table = self.t.own_stays.get((int(c), int(s)), self.t.stays[s])
                    assert table is not None
                    steps[mine] = np.searchsorted(table, u[mine], side="right")
            self.state[stay] = IN_SERVICE
            self.until[stay] = step + steps
            np.add.at(occupancy, (self.run_of[stay], self.where[stay]), 1)
            self._log(stay, step, "admit", self.where[stay])
        seen = people[~places]
        if len(seen):
            self.contacts[seen, self.where[seen]] += 1
            self._log(seen, step, "contact", self.where[seen])
            self.route(seen, step)

    def divert(self, refused: NDArray[np.int64], step: int) -> None:
        target = self.t.divert[self.where[refused]]
        away = refused[target != -1]
        if not len(away):
            return
        where = self.where[away]
        target = self.t.divert[where]
        unmet = away[target == -2]
        self.state[unmet] = LEFT_UNMET
        self._log(unmet, step, "divert", where[target == -2], -2)
        onward = target >= 0
        self.move(away[onward], where[onward], target[onward], step, "divert")

    # -- the run --------------------------------------------------------------------
    def run(self) -> JourneyRun:
        t, runs, services = self.t, self.runs, self.services
        occupancy = np.zeros((runs, services), dtype=np.int64)
        self.start_initial()
        initial = np.flatnonzero(self.state == IN_SERVICE)
        np.add.at(occupancy, (self.run_of[initial], self.where[initial]), 1)
        occupancy_at = np.zeros((t.steps + 1, runs, services))
        waiting_at = np.zeros((t.steps + 1, runs, services))
        served = np.zeros((t.steps, runs, services))
        occupancy_at[0], waiting_at[0] = occupancy, self._queues()
        for step in range(t.steps):
            self._charge()
            self._arrive(step)
            self._discharge(step, occupancy)
            self._return(step)
            free = self._free(step, occupancy)
            for level in t.levels:
                self.admit_level(level, step, free, occupancy, served[step])
            self._record_visits(step)
            occupancy_at[step + 1], waiting_at[step + 1] = occupancy, self._queues()
        return JourneyRun(
            self.spec, runs, self.seed, occupancy_at, waiting_at, served, self.run_of,
            self.cohort_of, self.need_of, self.arrived_at, self.state.copy(), self.waited,
            self.occupied, self.visits, self.contacts, self.repeats, self.handoffs,
            self.org_handoffs, self.events, visits_made=self.visits_made,
            home_visits=self.home_visits)

    def _queues(self) -> NDArray[np.float64]:
        waiting = np.flatnonzero(self.state == WAITING)
        counts = np.bincount(self.run_of[waiting] * self.services + self.where[waiting],
                             minlength=self.runs * self.services)
        return counts.reshape(self.runs, self.services).astype(float)

    def _charge(self) -> None:
        """The step's waiting and occupied time, for the people there at its start."""
        waiting = np.flatnonzero(self.state == WAITING)
        self.waited[waiting, self.where[waiting]] += 1
        serving = np.flatnonzero(self.state == IN_SERVICE)
        self.occupied[serving, self.where[serving]] += 1

    def _arrive(self, step: int) -> None:
        people = np.arange(self.step_starts[step + 1], self.step_starts[step + 2])
        self._log(people, step, "arrive", self.where[people])
        self.join_queue(people, self.where[people])

    def _discharge(self, step: int, occupancy: NDArray[np.int64]) -> None:
        done = np.flatnonzero((self.state == IN_SERVICE) & (self.until <= step))
        if not len(done):
            return
        np.subtract.at(occupancy, (self.run_of[done], self.where[done]), 1)
        self.route(done, step)

    def _return(self, step: int) -> None:
        back = np.flatnonzero((self.state == RETURNING) & (self.until <= step))
        if not len(back):
            return
        self.repeats[back] += 1
        self._log(back, step, "return", self.where[back])
        self.join_queue(back, self.where[back])


def simulate_journeys(spec: SystemSpec, runs: int, seed: int, track: int = 300) -> JourneyRun:
    """Simulate ``runs`` independent runs of every resident of ``spec`` (a spec with its
    scenario applied); ``track`` arrivals of run 0, spread over the run, get an event log."""
    if runs < 1:
        raise ValueError("runs must be at least 1")
    return _Simulation(spec, runs, seed, track).run()
