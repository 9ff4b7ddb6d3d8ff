"""Loop dominance (Loops That Matter) on models whose switch is known analytically."""

from __future__ import annotations

import json
import math
from typing import Any

import numpy as np
import pytest
from xmile_factory import aux, flow, model_of, stock

import wholesystem
from wholesystem.analysis.dominance import loop_dominance, loop_scores, plan_scores
from wholesystem.analysis.loops import LoopSet
from wholesystem.analysis.ltm import LinkChanges
from wholesystem.errors import ParameterError

K, R0, P0 = 1000.0, 0.1, 10.0


def _logistic(method: str, dt: float = 0.25) -> wholesystem.Model:
    return model_of(
        stock("Population", str(P0), inflows="births")
        + flow("births", "r * Population * room")
        + aux("room", "1 - Population / K") + aux("r", str(R0)) + aux("K", str(K)),
        stop=100, dt=dt, method=method)


def _switches(result: object) -> list[tuple[float, str]]:
    return [(p.start, p.polarity) for p in result.periods]  # type: ignore[attr-defined]


def test_logistic_dominance_passes_to_the_balancing_loop_at_half_capacity() -> None:
    """births = r P room, room = 1 - P/K. Over a step the change P alone causes in births
    is r dP room, the change room alone causes is r P d(room) = -r P dP / K (both at the
    step's start values). The R loop P -> births -> P scores |r dP room / d births|, the B
    loop P -> room -> births -> P scores -|r P dP / K / d births|, so |R| / |B| =
    (K - P) / P, which is 1 at P = K/2: R explains more than half before, B after.
    Analytically P(t) = K / (1 + (K/P0 - 1) exp(-r t)) reaches K/2 at
    t* = ln(K/P0 - 1) / r = 45.95; with RK4 (no visible integration error at this DT) the
    switch must lie within one DT of t*."""
    result = loop_dominance(_logistic("RK4"))
    assert [p.polarity for p in result.periods] == ["R", "B"]
    switch = result.periods[1].start
    t_star = math.log(K / P0 - 1) / R0
    assert abs(switch - t_star) <= 0.25
    # the relative scores are exactly (K - P)/K and P/K at each step's start
    population = _logistic("RK4").run()["Population"].to_numpy()[:-1]
    reinforcing, balancing = result.periods[0].dominant[0], result.periods[1].dominant[0]
    np.testing.assert_allclose(result.relative[reinforcing], (K - population) / K,
                               rtol=1e-6)
    np.testing.assert_allclose(result.relative[balancing], -population / K, rtol=1e-6)


def test_logistic_switch_under_euler_is_where_the_run_crosses_half_capacity() -> None:
    """Under Euler the simulated P crosses K/2 later than the analytical curve; dominance
    still passes to B within one DT of the simulated crossing."""
    model = _logistic("Euler")
    result = loop_dominance(model)
    population = model.run()["Population"]
    crossing = float(population.index[np.argmax(population.to_numpy() > K / 2)])
    assert [p.polarity for p in result.periods] == ["R", "B"]
    assert abs(result.periods[1].start - crossing) <= 0.25


N, P, Q = 10_000.0, 0.01, 0.5


def _bass() -> wholesystem.Model:
    return model_of(
        stock("Potential adopters", str(N), outflows="adoption")
        + stock("Adopters", "0", inflows="adoption")
        + flow("adoption", "from_advertising + from_word_of_mouth")
        + aux("from_advertising", "p * Potential_adopters")
        + aux("from_word_of_mouth", "q * Adopters * Potential_adopters / N")
        + aux("p", str(P)) + aux("q", str(Q)) + aux("N", str(N)),
        stop=20, dt=1 / 16, method="RK4")


def test_bass_diffusion_switches_at_peak_adoption() -> None:
    """Bass: adoption = p Pot + q A Pot / N drains Pot and fills A (A + Pot = N). Over a
    step |dPot| = |dA| = d, so the loop scores are: B 'advertising saturation'
    -p d / |d adoption|, B 'word-of-mouth saturation' -q A d / N / |d adoption|, R 'word
    of mouth' +q Pot d / N / |d adoption|. Their absolute sum is (p + q) d / |d adoption|,
    so R's relative score is q Pot / (N (p + q)): R alone explains at least half while
    A <= N (q - p) / (2q), the textbook peak of adoption at t* = ln(q/p) / (p + q) = 7.67;
    after it, R and word-of-mouth saturation together, and from A = N (p + q) / (2q)
    (t = 7.82 by the Bass solution) saturation alone."""
    result = loop_dominance(_bass())
    assert [p.polarity for p in result.periods] == ["R", "mixed", "B"]
    t_peak = math.log(Q / P) / (P + Q)
    assert abs(result.periods[1].start - t_peak) <= 1 / 16
    x = (1 - 0.51) / (1 + 0.51 * Q / P)  # exp(-(p+q) t) where A/N = (p+q)/(2q) = 0.51
    assert abs(result.periods[2].start - (-math.log(x) / (P + Q))) <= 1 / 16
    names = {loop.id: set(loop.variables) for loop in result.loops.loops}
    assert "adopters" in names[result.periods[0].dominant[0]]
    assert "from word of mouth" in names[result.periods[2].dominant[0]]
    assert "adopters" not in names[result.periods[2].dominant[0]]
    assert all(p.coverage >= 0.5 for p in result.periods)


def test_story_merges_short_periods_and_json_is_serialisable() -> None:
    """The 2-3 step mixed period of the Bass model is merged into a neighbour in the
    story, while the exact periods stay in the JSON document."""
    result = loop_dominance(_bass(), merge_steps=4)
    assert len(result.story_periods) == 2
    assert all(p.coverage >= 0.5 for p in result.story_periods)
    assert "reinforcing loop" in result.story[0]
    assert "no longer controls" in result.story[1]
    document = json.loads(json.dumps(result.to_json()))
    assert len(document["periods"]) == 3
    assert {"start", "end", "dominant", "coverage"} <= set(document["periods"][0])
    assert document["complete"] is True
    assert document["caveat"] == ""
    frame = result.scores_frame()
    assert list(frame.columns) == [loop.id for loop in result.loops.loops]


def test_a_cut_enumeration_is_stated_and_pins_are_scored() -> None:
    """With room for one loop the story says the shares are of the loops found; pinning
    the B loop by its path scores it too."""
    cut = loop_dominance(_logistic("RK4"), max_loops=1)
    assert "cut" in cut.caveat
    assert cut.story[-1].startswith("Note:")
    pinned = loop_dominance(_logistic("RK4"), max_loops=1,
                            pins=["Population -> room -> births"])
    assert {loop.polarity for loop in pinned.loops.loops} == {"R", "B"}
    balancing = next(loop.id for loop in pinned.loops.loops if loop.polarity == "B")
    again = loop_dominance(_logistic("RK4"), max_loops=1, pins=[balancing])
    assert balancing in {loop.id for loop in again.loops.loops}
    with pytest.raises(ParameterError, match="no variable"):
        loop_dominance(_logistic("RK4"), pins=["Population -> nothing"])


def _reference_loop_scores(loops: LoopSet, changes: LinkChanges) -> dict[str, list[float]]:
    """Loops That Matter step by step in plain floats, straight from the definitions: a
    link score is |effect / total change| (0 where the target did not change), signed by
    the flow's direction or by sign(effect) * sign(change of the source); a loop score is
    the left-to-right product of its link scores, 0 where that is not finite."""
    def sign(x: float) -> float:
        return float((x > 0) - (x < 0))

    def link(source: str, target: str, polarity: int, t: int) -> float:
        effect = changes.effects.get((source, target))
        total = changes.totals.get(target)
        if effect is None or total is None or total[t] == 0:
            return 0.0
        ratio = abs(float(effect[t]) / float(total[t]))
        if polarity:
            return ratio * polarity
        return ratio * sign(float(effect[t])) * sign(float(changes.causes[source][t]))

    scores: dict[str, list[float]] = {}
    for loop in loops.loops:
        row = []
        for t in range(changes.times.size):
            product = 1.0
            for k in loop.links:
                polarity = (1 if k.polarity == "+" else -1) if k.method == "flow" else 0
                product *= link(k.source, k.target, polarity, t)
            row.append(product if math.isfinite(product) else 0.0)
        scores[loop.id] = row
    return scores


@pytest.mark.parametrize("build", [_bass, lambda: _logistic("Euler")])
def test_vectorised_loop_scores_equal_the_step_by_step_definition(build: Any) -> None:
    """The fast path (every link score as one table row, loops of one length multiplied
    in one reduction, with or without a reused plan) gives exactly the scores computed
    step by step and link by link from the definitions."""
    result = loop_dominance(build())
    changes = result.loops.graph.changes
    assert changes is not None
    expected = _reference_loop_scores(result.loops, changes)
    plan = plan_scores(result.loops)
    for fast in (loop_scores(result.loops), loop_scores(result.loops, changes, plan)):
        assert set(fast) == set(expected)
        for loop_id, row in expected.items():
            assert fast[loop_id].tolist() == row
    assert len(expected) >= 2
