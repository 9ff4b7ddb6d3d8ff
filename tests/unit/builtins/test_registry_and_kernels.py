"""The builtin registry per dialect, and the two kernel modules agreeing number for number."""

from __future__ import annotations

import math
import re
from pathlib import Path

import numpy as np
import pytest

from wholesystem.builtins import (
    DIALECTS,
    Builtin,
    BuiltinKind,
    StateReads,
    UnitsRule,
    builtins_of,
    kernels,
    lookup_builtin,
)
from wholesystem.builtins import scalar_kernels as scalar
from wholesystem.builtins.docs import functions_markdown


def one(value: object) -> float:
    """The single number a vector kernel returned for scalar arguments."""
    return float(np.asarray(value).reshape(-1)[0])


def test_lookup_by_dialect() -> None:
    assert lookup_builtin("delay_fixed", "mdl").name == "DELAY FIXED"  # type: ignore[union-attr]
    assert lookup_builtin("DELAY FIXED", "xmile") is None
    assert lookup_builtin("SMTH1", "mdl") is None
    vensim_pulse = lookup_builtin("PULSE", "mdl")
    xmile_pulse = lookup_builtin("PULSE", "xmile")
    assert vensim_pulse is not None
    assert xmile_pulse is not None
    assert vensim_pulse.signature == "PULSE(start, width)" != xmile_pulse.signature
    assert lookup_builtin("ABS", "mdl") is lookup_builtin("ABS", "xmile")


def test_every_template_names_kernels_both_backends_have() -> None:
    for dialect in ("xmile", "mdl"):
        for builtin in builtins_of(dialect).values():
            if builtin.template is None:
                continue
            for name in re.findall(r"k\.([a-z_0-9]+)", builtin.template):
                assert hasattr(kernels, name), (builtin.name, name)
                if not builtin.vector_only:
                    assert hasattr(scalar, name), (builtin.name, name)


def test_docs_list_both_dialects() -> None:
    page = functions_markdown()
    for name in ("DELAY FIXED(input, delay, initial)", "SMTH1(input, time [, initial])",
                 "VECTOR SELECT", "RANDOM NORMAL", "ALLOCATE AVAILABLE"):
        assert name in page
    assert "| mdl |" in page
    assert "| xmile, mdl |" in page


@pytest.mark.parametrize(("name", "args"), [
    ("trunc", [(-2.5,), (2.5,), (0.0,)]),
    ("quantum", [(-1.9, 1.0), (112.3, 10.0), (5.0, 0.0), (50.0, 12.0)]),
    ("log_base", [(8.0, 2.0), (100.0, 10.0), (0.0, 10.0)]),
    ("pulse_width", [(t, 0.5, 2.0, 1.0) for t in np.arange(0, 4, 0.5)]
     + [(2.0, 0.5, 2.0, 0.0)]),
    ("pulse_train", [(t, 1.0, 1.0, 1.0, 3.0, 7.0) for t in range(10)]
     + [(t, 1.0, 0.0, 2.0, 1.0, 5.0) for t in range(7)]),
    ("step_half", [(t, 1.0, 3.0, 2.5) for t in range(5)]),
    ("time_base", [(3.0, 1970.0, 0.25)]),
    ("get_time_value", [(3.0, 1.0, 0, 2.0, 0), (3.0, 1.0, 1, 2.0, 0), (3.0, 1.0, 2, 0, 0),
                        (3.0, 1.0, 0, 0, 3)]),
])
def test_scalar_and_vector_kernels_agree(name: str, args: list[tuple[float, ...]]) -> None:
    for values in args:
        expected = one(getattr(kernels, name)(*values))
        got = getattr(scalar, name)(*values)
        assert (math.isnan(expected) and math.isnan(got)) or got == pytest.approx(expected)


@pytest.mark.parametrize("name", ["lookup_forward", "lookup_invert"])
def test_lookup_kernels_agree(name: str) -> None:
    xs, ys = [0.0, 1.0, 2.0, 4.0], [1.0, 1.5, 3.0, 4.0]
    for x in np.linspace(-1, 5, 25):
        vector = one(getattr(kernels, name)(x, np.array(xs), np.array(ys)))
        assert getattr(scalar, name)(float(x), xs, ys) == pytest.approx(vector)


def test_lookup_area_agrees_and_is_additive() -> None:
    xs, ys = [0.0, 1.0, 2.0], [1.0, 1.0, 2.0]
    for a, b in [(0, 1), (2, 4), (0.5, 2.5), (-1, 0.25), (3, 1)]:
        vector = one(kernels.lookup_area(a, b, np.array(xs), np.array(ys)))
        assert scalar.lookup_area(a, b, xs, ys) == pytest.approx(vector)
    whole = scalar.lookup_area(-1, 3, xs, ys)
    assert whole == pytest.approx(scalar.lookup_area(-1, 1.3, xs, ys)
                                  + scalar.lookup_area(1.3, 3, xs, ys))


def test_vector_kernels_work_along_the_last_axis_per_run() -> None:
    values = np.array([[[3.0, 1.0, 2.0], [0.0, 5.0, 4.0]]])  # one run, 2 x 3
    order = kernels.vector_sort_order(values, 1)
    assert order.tolist() == [[[1, 2, 0], [0, 2, 1]]]
    assert kernels.vector_rank(values, -1).tolist() == [[[1, 3, 2], [3, 1, 2]]]
    assert kernels.vector_reorder(values, order).tolist() == [[[1, 2, 3], [0, 4, 5]]]
    assert kernels.vector_elm_map(values, np.array([[0.0, 4.0, 9.0]])).tolist()[0][:2] == [
        3.0, 5.0]


def test_allocation_conserves_what_is_available() -> None:
    request = np.array([[500.0, 300.0, 750.0]])
    for shape in (0, 1, 2, 3, 4):
        profile = np.array([[[shape, 5, 2, 0], [shape, 7, 4, 0], [shape, 3, 4, 0]]],
                           dtype=float)
        for available in (0.0, 100.0, 1000.0, 1549.0, 5000.0):
            given = kernels.allocate_available(request, profile, available)
            assert given.sum() == pytest.approx(min(available, request.sum()), rel=1e-6)
            assert np.all(given <= request + 1e-9)
            assert np.all(given >= 0)


def test_allocation_profiles_match_vensim() -> None:
    # Vensim's own results for two requesters (priorities 0.1 and 0.9, width 0.5, 100
    # available): fixed profiles are scaled in proportion, and the normal profile follows
    # Vensim's approximation of the normal distribution (erfc would give 3.87758); Vensim
    # stops its search within about 1e-5 of the available amount
    request = np.array([[200.0, 300.0]])
    expected = {0: [40.0, 60.0], 3: [3.87908, 96.1207], 4: [11.863, 88.1368]}
    for shape, values in expected.items():
        profile = np.array([[[shape, 0.1, 0.5, 0], [shape, 0.9, 0.5, 0]]])
        given = kernels.allocate_available(request, profile, 100.0)
        assert given[0].tolist() == pytest.approx(values, rel=1e-5)


def test_fixed_profiles_are_served_before_the_others() -> None:
    profile = np.array([[[0, 1, 1, 0], [1, 9, 1, 0], [1, 5, 1, 0]]], dtype=float)
    given = kernels.allocate_available(np.array([[60.0, 30.0, 50.0]]), profile, 100.0)
    assert given[0].tolist() == pytest.approx([60.0, 30.0, 10.0])
    given = kernels.allocate_available(np.array([[160.0, 30.0, 50.0]]), profile, 100.0)
    assert given[0].tolist() == pytest.approx([100.0, 0.0, 0.0])


def test_material_delay_state_schedules_each_input() -> None:
    state = kernels.new_state("material", start=0.0, dt=1.0, steps=6, runs=1, seed=0,
                              site=0, scalar=False)
    out = []
    for step in range(6):
        out.append(one(state.read(float(step), 2.0 if step < 2 else 1.0, -1.0, 0.0)))
        state.stage(10.0 + step)
        state.commit()
    assert out == [-1.0, -1.0, 10.0, 11.0 + 12.0, 13.0, 14.0]


def test_random_state_is_reproducible_and_constant_within_a_step() -> None:
    def draws(seed: int) -> list[float]:
        state = kernels.new_state("random", start=0.0, dt=1.0, steps=3, runs=2, seed=seed,
                                  site=0, scalar=False)
        values = [state.read(t, 1.0, 0.0, 1.0, 0.0) for t in (0.0, 0.5, 1.0)]
        assert np.array_equal(values[0], values[1])
        return [float(v) for value in values for v in value]

    assert draws(1) == draws(1) != draws(2)


def test_kinds_are_known() -> None:
    assert {b.kind for b in builtins_of("mdl").values()} == set(BuiltinKind)


def test_invert_matrix_inverts_the_last_two_axes() -> None:
    matrices = np.array([[[[4.0, 7.0], [2.0, 6.0]], [[1.0, 2.0], [2.0, 4.0]]]])
    inverse = kernels.invert_matrix(matrices)
    assert np.allclose(inverse[0, 0] @ matrices[0, 0], np.eye(2))
    assert np.isnan(inverse[0, 1]).all()  # singular


def test_committed_functions_page_is_generated_from_the_registry() -> None:
    page = Path(__file__).parents[3] / "docs" / "functions.md"
    assert page.read_text(encoding="utf-8") == functions_markdown(), (
        "docs/functions.md is stale: run python -m wholesystem.builtins.docs > docs/functions.md")


def _every_builtin() -> list[Builtin]:
    return list({id(b): b for d in DIALECTS for b in builtins_of(d).values()}.values())


def test_state_reads_name_arguments_the_function_takes() -> None:
    """Only stateful builtins say what they read, and only of arguments they can be given;
    a DELAYED units rule needs ``reads`` to find the initial value."""
    for builtin in _every_builtin():
        if builtin.reads is None:
            assert builtin.units is not UnitsRule.DELAYED, builtin.name
            continue
        assert builtin.kind is BuiltinKind.STATEFUL, builtin.name
        positions = (*builtin.reads.step, *builtin.reads.start)
        if builtin.reads.initial is not None:
            positions += (builtin.reads.initial,)
        assert all(0 <= p < builtin.max_args for p in positions), builtin.name


def test_state_reads_follow_the_lowering() -> None:
    """SMTH1(input, time, initial) is its hidden stock: nothing read within a step, the
    initial value (position 2) at the start; DELAY1 divides its stock by the delay time
    (position 1) in the step and at the start; SMOOTH N(input, time, initial, n) starts at
    position 2; PREVIOUS(x, initial) reads its initial value every step (position 1)."""
    smooth = lookup_builtin("SMTH1")
    assert smooth is not None
    assert smooth.reads == StateReads((), (), 2)
    delay = lookup_builtin("DELAY1", "mdl")
    assert delay is not None
    assert delay.reads == StateReads((1,), (1,), 2)
    vensim_smooth = lookup_builtin("SMOOTH N", "mdl")
    assert vensim_smooth is not None
    assert vensim_smooth.reads is not None
    assert vensim_smooth.reads.initial == 2
    previous = lookup_builtin("PREVIOUS")
    assert previous is not None
    assert previous.reads is not None
    assert previous.reads.step == (1,)


def test_exact_renames_name_a_function_that_takes_the_same_arguments() -> None:
    """A renamed export is the target language's builtin, accepting every argument count
    the source accepts (SMOOTHI's three arguments are SMTH1's optional-initial form)."""
    for dialect in DIALECTS:
        for builtin in builtins_of(dialect).values():
            for target_dialect, name in builtin.renamed:
                target = lookup_builtin(name, target_dialect)
                assert target is not None, (builtin.name, target_dialect, name)
                assert target.min_args <= builtin.min_args, builtin.name
                assert target.max_args >= builtin.max_args, builtin.name
    smoothi = lookup_builtin("SMOOTHI", "mdl")
    assert smoothi is not None
    assert smoothi.renamed_in("xmile") == "SMTH1"
    assert smoothi.renamed_in("mdl") is None
