"""Causal links and feedback loops of models whose structure is known by hand."""

from __future__ import annotations

import pytest
from xmile_factory import aux, flow, model_of, stock

import wholesystem
from wholesystem.analysis.causal import causal_structure
from wholesystem.analysis.loops import find_loops, loop_id
from wholesystem.errors import ParameterError


def _loops(model: wholesystem.Model) -> dict[tuple[str, ...], str]:
    found = find_loops(causal_structure(model))
    assert found.complete
    return {loop.variables: loop.polarity for loop in found.loops}


def test_teacup_has_one_balancing_loop() -> None:
    """Heat loss = (T - room) / c: T -> loss is + (d/dT = 1/c, c > 0), loss drains T (-);
    one - link makes the single loop balancing."""
    assert _loops(wholesystem.load(wholesystem.example_path("teacup"))) == {
        ("heat loss to room", "teacup temperature"): "B"}


def test_delayed_discharge_loops() -> None:
    """Each outflow proportional to its own stock (discharges, becoming fit, package ends)
    makes a two-link B loop; package starts = MIN(delayed, MAX(0, cap - in use)) / t
    rises with delayed (B through the drain of 'delayed') and falls with packages in
    use, which it fills (+ then -: B). Five balancing loops, nothing else."""
    found = _loops(wholesystem.load(wholesystem.example_path("delayed_discharge")))
    assert found == {
        ("discharges home", "patients in treatment"): "B",
        ("becoming fit to leave", "patients in treatment"): "B",
        ("delayed in hospital", "package starts"): "B",
        ("package starts", "packages in use"): "B",
        ("package ends", "packages in use"): "B",
    }


def _logistic() -> wholesystem.Model:
    return model_of(
        stock("Population", "10", inflows="births")
        + flow("births", "r * Population * room")
        + aux("room", "1 - Population / K") + aux("r", "0.1") + aux("K", "1000"),
        stop=100, dt=0.25)


def test_logistic_growth_has_one_reinforcing_and_one_balancing_loop() -> None:
    """births = r P room: P -> births + (r, room > 0 along the run), births -> P +: R.
    room = 1 - P/K: P -> room -, room -> births + (r P > 0): one - link, B."""
    assert _loops(_logistic()) == {("births", "population"): "R",
                                   ("births", "population", "room"): "B"}


def test_predator_prey_loops() -> None:
    """Lotka-Volterra: prey births a*X (R), predation b*X*Y drains prey (B via X) and,
    through predator births c*X*Y, gives the cross loop X -> pred births -> Y ->
    predation -> X: + + + - = B; predator deaths d*Y (B); predator births from Y (R)."""
    model = model_of(
        stock("Prey", "10", inflows="prey_births", outflows="predation")
        + stock("Predators", "5", inflows="predator_births", outflows="predator_deaths")
        + flow("prey_births", "1.0 * Prey") + flow("predation", "0.1 * Prey * Predators")
        + flow("predator_births", "0.075 * Prey * Predators")
        + flow("predator_deaths", "1.5 * Predators"), stop=10, dt=0.01)
    loops = _loops(model)
    assert loops[("prey", "prey births")] == "R"
    assert loops[("predation", "prey")] == "B"
    assert loops[("predator deaths", "predators")] == "B"
    assert loops[("predator births", "predators")] == "R"
    assert loops[("predation", "prey", "predator births", "predators")] == "B"
    assert len(loops) == 5


def test_sir_loops() -> None:
    """SIR: infection = beta S I / N drains S and fills I. I -> infection -> I is R
    (contagion); S -> infection -> S is B (depletion); recovery = I / d drains I (B)."""
    model = model_of(
        stock("S", "990", outflows="infection")
        + stock("I", "10", inflows="infection", outflows="recovery")
        + flow("infection", "0.3 * S * I / 1000") + flow("recovery", "I / 10"),
        stop=100, dt=0.5)
    assert _loops(model) == {("i", "infection"): "R", ("infection", "s"): "B",
                             ("i", "recovery"): "B"}


def test_loop_ids_are_stable_and_pinning_checks_the_path() -> None:
    """The id does not depend on where the loop is entered."""
    assert loop_id("B", ["a", "b", "c"]) == loop_id("B", ["b", "c", "a"])
    graph = causal_structure(_logistic())
    with pytest.raises(ParameterError, match="no link"):
        find_loops(graph, pinned=[["population", "room"]])


def test_a_cut_enumeration_says_so() -> None:
    """With room for one loop only, the 2-variable loop is kept (every loop of up to 2
    variables is then in the set) and the set is marked incomplete."""
    found = find_loops(causal_structure(_logistic()), max_loops=1)
    assert not found.complete
    assert found.found == 1
    assert found.longest_complete == 2


def test_counting_says_exactly_how_many_loops_a_cut_left_out() -> None:
    """Logistic growth has two loops; kept to one, the count says one was left out."""
    from wholesystem.analysis.loops import count_loops, with_total

    graph = causal_structure(_logistic())
    assert count_loops(graph) == (2, True)
    assert count_loops(graph, limit=1) == (1, False)
    cut = with_total(find_loops(graph, max_loops=1))
    assert (cut.total, cut.total_exact, cut.left_out) == (2, True, 1)
    assert cut.to_json()["left_out"] == 1


def test_a_system_files_loops_are_in_the_fields_words() -> None:
    """The delayed-discharge system file lowers to 'hospital admissions' and
    'hospital waiting'; its loops are named as the system layer describes them."""
    found = find_loops(causal_structure(wholesystem.load(
        wholesystem.example_path("delayed_discharge_system"))))
    names = " ".join(loop.name for loop in found.loops)
    assert "People waiting for Acute beds" in names
    assert "hospital waiting" not in names
