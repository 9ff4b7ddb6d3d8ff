"""Conveyors, built to isee's "Traditional Conveyor Computation" (see
:mod:`wholesystem.builtins.conveyor_kernels`).

Each expected series is derived by hand: material that flows in during the step starting
at t is put on the belt at t + DT, transit time / DT slats from the end, moves one slat a
DT and comes off in the outflow of the step in which it is on the last slat, that is in
the outflow at t + transit time. Leakages take their fraction of what entered, evenly
over the slats of their zone, or (exponential) their fraction per time unit of what a slat
holds.
"""

from __future__ import annotations

import numpy as np
import pytest
from xmile_factory import xmile

from wholesystem.errors import ModelStructureError, UnsupportedFeatureError
from wholesystem.parse import read_xmile_text
from wholesystem.run import Model

PULSE_IN = '<flow name="i"><eqn>IF TIME = 0 THEN {size} ELSE 0</eqn></flow>'
OUT = '<flow name="o"><eqn>0</eqn></flow>'


def conveyor(transit: str = "3", initial: str = "0", leaks: str = "", options: str = "",
             attributes: str = "") -> str:
    outflows = "<outflow>o</outflow>" + "".join(
        f"<outflow>{name}</outflow>" for name in ("l", "m") if f'name="{name}"' in leaks)
    return (f'<stock name="c"><eqn>{initial}</eqn><inflow>i</inflow>{outflows}'
            f"<conveyor{attributes}><len>{transit}</len>{options}</conveyor></stock>"
            + OUT + leaks)


def run(variables: str, **kwargs: object) -> dict[str, list[float]]:
    model = Model(read_xmile_text(xmile(variables, **kwargs), "m.xmile"))  # type: ignore[arg-type]
    results = model.run()
    return {str(c): [float(v) for v in results[c]] for c in results.columns}


def test_conveyor_delivers_after_its_transit_time() -> None:
    """6 flows in during [0, 1): on the belt at t = 1, out in the flow at t = 3; the
    outflow's own equation (0) is replaced by what comes off."""
    r = run(conveyor() + PULSE_IN.format(size=6), stop=5)
    assert r["o"] == [0, 0, 0, 6, 0, 0]
    assert r["c"] == [0, 6, 6, 6, 0, 0]


def test_transit_time_counts_in_slats_of_one_dt() -> None:
    """DT 0.5, transit 1: two slats. 4 a time unit for the first DT is 2 of material;
    it comes off in the DT starting at 1.0, as 2 / 0.5 = 4."""
    r = run(conveyor(transit="1") + PULSE_IN.format(size=4), stop=2, dt=0.5)
    assert r["o"] == [0, 0, 4, 0, 0]


def test_initial_contents_are_spread_over_the_slats() -> None:
    """6 at the start over 3 slats: 2 comes off in each of the first three DTs."""
    r = run(conveyor(initial="6") + PULSE_IN.format(size=0), stop=4)
    assert r["o"] == [2, 2, 2, 0, 0]
    assert r["c"] == [6, 4, 2, 0, 0]


def test_linear_leakage_removes_its_fraction_along_the_way() -> None:
    """Leak fraction 0.5 of 6: 3 leaks, 1 in each of the 3 DTs on the belt (t = 1, 2, 3);
    the other 3 comes off at t = 3. Everything that entered left: 6 = 3 + 3."""
    r = run(conveyor(leaks='<flow name="l"><eqn>0.5</eqn><leak/></flow>')
            + PULSE_IN.format(size=6), stop=5)
    assert r["l"] == [0, 1, 1, 1, 0, 0]
    assert r["o"] == [0, 0, 0, 3, 0, 0]
    assert r["c"] == [0, 6, 5, 4, 0, 0]


def test_a_leak_zone_leaks_only_there() -> None:
    """Transit 4 (4 slats), zone from half way to the end: ages 2 and 3, so 8 * 0.5 = 4
    leaks as 2 at t = 3 and 2 at t = 4, and 4 comes off at t = 4."""
    leak = '<flow name="l" leak_start="0.5" leak_end="1"><eqn>0.5</eqn><leak/></flow>'
    r = run(conveyor(transit="4", leaks=leak) + PULSE_IN.format(size=8), stop=5)
    assert r["l"] == [0, 0, 0, 2, 2, 0]
    assert r["o"] == [0, 0, 0, 0, 4, 0]


def test_a_leak_zone_of_no_width_leaks_at_its_position() -> None:
    """leak_start = leak_end = 1: the whole fraction leaks from the last slat."""
    leak = '<flow name="l" leak_start="1"><eqn>0.25</eqn><leak/></flow>'
    r = run(conveyor(transit="2", leaks=leak) + PULSE_IN.format(size=8), stop=3)
    assert r["l"] == [0, 0, 2, 0]
    assert r["o"] == [0, 0, 6, 0]


def test_exponential_leakage_takes_a_fraction_of_what_is_there() -> None:
    """exponential_leak, 0.5 per time unit, DT 1: 8 on the belt loses 4 at t = 1, then
    half of the 4 left (2) at t = 2, when the other 2 comes off."""
    r = run(conveyor(transit="2", attributes=' exponential_leak="true"',
                     leaks='<flow name="l"><eqn>0.5</eqn><leak/></flow>')
            + PULSE_IN.format(size=8), stop=3)
    assert r["l"] == [0, 4, 2, 0]
    assert r["o"] == [0, 0, 2, 0]


def test_two_leakages_leak_side_by_side() -> None:
    """Fractions 0.25 and 0.5 of 8 over 2 slats: 1 and 2 per DT; 8 - 2 - 4 = 2 comes off."""
    leaks = ('<flow name="l"><eqn>0.25</eqn><leak/></flow>'
             '<flow name="m"><eqn>0.5</eqn><leak/></flow>')
    r = run(conveyor(transit="2", leaks=leaks) + PULSE_IN.format(size=8), stop=3)
    assert (r["l"], r["m"], r["o"]) == ([0, 1, 1, 0], [0, 2, 2, 0], [0, 0, 2, 0])


def test_transit_time_is_sampled_as_material_enters() -> None:
    """Transit 3 at t = 0, then 1: what entered at t = 0 still takes 3 (out at 3); what
    entered at t = 1 takes 1 (out at 2)."""
    inflow = '<flow name="i"><eqn>IF TIME &lt; 2 THEN 1 ELSE 0</eqn></flow>'
    r = run(conveyor(transit="IF TIME = 0 THEN 3 ELSE 1") + inflow, stop=4)
    assert r["o"] == [0, 0, 1, 1, 0]


def test_arrayed_conveyors_keep_each_element_apart() -> None:
    """Transit 1 for e1 and 2 for e2: the 6 that enters comes off at t = 1 and t = 2."""
    dims = '<dim name="d"><elem name="e1"/><elem name="e2"/></dim>'
    dim = "<dimensions><dim name=\"d\"/></dimensions>"
    body = (f'<stock name="c">{dim}<eqn>0</eqn><inflow>i</inflow><outflow>o</outflow>'
            "<conveyor><len>tt</len></conveyor></stock>"
            f'<flow name="o">{dim}<eqn>0</eqn></flow>'
            f'<flow name="i">{dim}<eqn>IF TIME = 0 THEN 6 ELSE 0</eqn></flow>'
            f'<aux name="tt">{dim}<element subscript="e1"><eqn>1</eqn></element>'
            '<element subscript="e2"><eqn>2</eqn></element></aux>')
    r = run(body, stop=3, dimensions=dims)
    assert r["o[e1]"] == [0, 6, 0, 0]
    assert r["o[e2]"] == [0, 0, 6, 0]


def test_an_ensemble_runs_each_member_as_a_single_run() -> None:
    """The vector backend (several runs at once) gives each member its single run."""
    body = (conveyor(leaks='<flow name="l"><eqn>f</eqn><leak/></flow>')
            + '<flow name="i"><eqn>5</eqn></flow><aux name="f"><eqn>0.2</eqn></aux>')
    model = Model(read_xmile_text(xmile(body, stop=6), "m.xmile"))
    ensemble = model.run_many({"f": [0.2, 0.6]})
    columns = list(ensemble.columns)
    for member, fraction in enumerate((0.2, 0.6)):
        single = model.run(params={"f": fraction})
        assert np.allclose(ensemble.values[:, member, columns.index("o")], single["o"])
        assert np.allclose(ensemble.values[:, member, columns.index("c")], single["c"])


@pytest.mark.parametrize("option", ["<capacity>5</capacity>", "<in_limit>1</in_limit>",
                                    "<arrest>0</arrest>"])
def test_options_not_built_are_refused_by_name(option: str) -> None:
    tag = option.split(">")[0] + ">"
    with pytest.raises(UnsupportedFeatureError, match=tag) as caught:
        read_xmile_text(xmile(conveyor(options=option) + PULSE_IN.format(size=1)), "m.xmile")
    assert caught.value.span.line > 0


def test_spread_inflows_are_refused() -> None:
    body = conveyor() + '<flow name="i" spreadflow="even"><eqn>1</eqn></flow>'
    with pytest.raises(UnsupportedFeatureError, match="spreadflow"):
        read_xmile_text(xmile(body), "m.xmile")


def test_a_conveyor_needs_a_transit_time_and_leak_zones_within_it() -> None:
    with pytest.raises(ModelStructureError, match="transit time"):
        read_xmile_text(xmile(conveyor(transit="") + PULSE_IN.format(size=1)), "m.xmile")
    leak = '<flow name="l" leak_start="0.8" leak_end="0.2"><eqn>0.5</eqn><leak/></flow>'
    with pytest.raises(ModelStructureError, match="leak zone"):
        read_xmile_text(xmile(conveyor(leaks=leak) + PULSE_IN.format(size=1)), "m.xmile")
