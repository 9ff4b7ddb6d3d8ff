"""People are conserved in any system: everyone who arrives is in a service, in a queue,
due to come back, or has left, at every step, in the aggregate model and in the journeys.

Systems are generated at random: services of both kinds, with or without capacity, every
length-of-stay distribution, queues and diversions, pathways with failure demand, and
interventions that change capacity, stays and prevention.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from wholesystem.system import apply_scenario, read_system_text
from wholesystem.system.conservation import check_conservation, conservation_residual
from wholesystem.system.journeys import NOT_YET, simulate_journeys
from wholesystem.system.model import SystemModel

_DISTRIBUTIONS = ("exponential", "erlang", "lognormal", "fixed")


@st.composite
def durations(draw: st.DrawFn) -> dict[str, Any]:
    mean = draw(st.floats(0.3, 40))
    kind = draw(st.sampled_from(_DISTRIBUTIONS))
    duration: dict[str, Any] = {"mean": mean, "distribution": kind}
    if kind == "erlang":
        duration["order"] = draw(st.integers(1, 5))
    if kind == "lognormal":
        duration["sigma"] = draw(st.floats(0.1, 1.5))
    return duration


@st.composite
def routes(draw: st.DrawFn, source: int, services: int, contacts: set[int]) -> list[Any]:
    # Routes without a delay only go to later services, so contacts never loop in a step.
    count = draw(st.integers(1, 3))
    weights = [draw(st.floats(0.05, 1)) for _ in range(count)]
    total = sum(weights)
    chosen = []
    for weight in weights:
        later = list(range(source + 1, services))
        target = draw(st.sampled_from(["leave", "unmet", *(f"s{k}" for k in later),
                                       *(f"s{k}" for k in range(services))]))
        route: dict[str, Any] = {"to": target, "fraction": weight / total}
        index = int(target[1:]) if target.startswith("s") else None
        if index is not None and (index <= source):
            route["after"] = draw(durations())
        chosen.append(route)
    # make the fractions add up to exactly 1 after rounding
    chosen[-1]["fraction"] = 1.0 - sum(r["fraction"] for r in chosen[:-1])
    if chosen[-1]["fraction"] < 0:
        chosen[-1]["fraction"] = 0.0
        chosen[0]["fraction"] = 1.0 - sum(r["fraction"] for r in chosen[1:])
    return chosen


@st.composite
def systems(draw: st.DrawFn) -> str:
    count = draw(st.integers(1, 4))
    organisations = {f"o{k}": f"Org {k}" for k in range(draw(st.integers(1, 3)))}
    contacts = {k for k in range(count) if draw(st.booleans())}
    services: dict[str, Any] = {}
    for k in range(count):
        service: dict[str, Any] = {"owner": draw(st.sampled_from(sorted(organisations)))}
        if k in contacts:
            service["kind"] = "contacts"
            service["costs"] = {"per_contact": draw(st.floats(0, 200))}
        else:
            service["length_of_stay"] = draw(durations())
            service["costs"] = {"per_occupied_day": draw(st.floats(0, 500))}
            service["initial"] = {"in_service": draw(st.integers(0, 30)),
                                  "remaining_stay": draw(st.sampled_from(
                                      ["residual", "uniform"]))}
        service["costs"]["per_delayed_day"] = draw(st.floats(0, 400))
        service.setdefault("initial", {})["waiting"] = draw(st.integers(0, 10))
        if draw(st.booleans()):
            service["capacity"] = draw(st.integers(0, 40))
        later = [f"s{j}" for j in range(k + 1, count)]
        if draw(st.booleans()):
            service["when_full"] = {"divert_to": draw(st.sampled_from(["unmet", *later]))}
        services[f"s{k}"] = service
    needs = {f"n{k}": {"service": f"s{draw(st.integers(0, count - 1))}",
                       "arrivals": draw(st.floats(0, 15))}
             for k in range(draw(st.integers(1, 3)))}
    pathways = [{"from": f"s{k}", "routes": draw(routes(k, count, contacts))}
                for k in range(count) if draw(st.booleans())]
    changes = [{"change": "capacity", "services": "all",
                "multiply": draw(st.floats(0.5, 2))},
               {"change": "length_of_stay", "services": "all",
                "multiply": draw(st.floats(0.5, 2))},
               {"change": "prevention", "cohort": "c", "reduce_by": draw(st.floats(0, 1)),
                "after": draw(st.floats(0, 10))}]
    document = {
        "name": "generated",
        "time": {"horizon": draw(st.integers(3, 40)), "step": draw(st.sampled_from([1, 0.5]))},
        "organisations": organisations,
        "services": services,
        "cohorts": {"c": {"needs": needs}},
        "pathways": pathways,
        "interventions": {"change": {"changes": changes,
                                     "cost": {"payer": "o0", "amount": 10}}},
    }
    return yaml.safe_dump(document, sort_keys=False)


@settings(max_examples=30, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(systems())
def test_people_are_conserved_in_the_aggregate_model(text: str) -> None:
    system = SystemModel(read_system_text(text))
    for result in check_conservation(system, ["baseline", "change"]):
        assert result.problems == ()
        assert result.max_residual <= result.tolerance, result
        assert result.lowest >= -1e-6, result
    residual = conservation_residual(system.simulate("baseline"))
    assert np.all(np.isfinite(residual.to_numpy()))


@settings(max_examples=15, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(systems())
def test_people_are_conserved_in_the_journeys(text: str) -> None:
    spec = apply_scenario(read_system_text(text), "change")
    run = simulate_journeys(spec, 2, seed=0)
    present = run.final_state != NOT_YET
    assert present.sum() == len(run.run_of)  # everyone generated has arrived by the end
    assert (run.occupancy >= 0).all()
    assert (run.waiting >= 0).all()
    capacity = [s.capacity for s in spec.services]
    for index, limit in enumerate(capacity):
        if limit is not None and spec.services[index].kind.value == "places":
            start = spec.services[index].initial_in_service
            assert run.occupancy[1:, :, index].max() <= max(limit.value, start) + 1e-9
