"""Uncertain parameters, Monte Carlo streaming, Sobol indices and the Dask path."""

from __future__ import annotations

import math

import numpy as np
import pytest
from xmile_factory import aux, model_of

import wholesystem
from wholesystem.analysis.montecarlo import ModelSource, open_store, run_ensemble
from wholesystem.analysis.sensitivity import analyse_model, sobol
from wholesystem.analysis.uncertainty import Parameter, parse_range, sample
from wholesystem.errors import ParameterError


def test_distribution_means_match_their_definitions() -> None:
    """PERT(0, 1, 5) has mean (0 + 4*1 + 5)/6 = 1.5; lognormal takes the value's own mean
    and sd; beta(2, 3) has mean 2/5; a Latin hypercube of 4000 runs gets them to 1%."""
    ps = [Parameter("a", "pert", {"low": 0, "mode": 1, "high": 5}),
          Parameter("b", "lognormal", {"mean": 10, "sd": 3}),
          Parameter("c", "beta", {"alpha": 2, "beta": 3}),
          Parameter("d", "empirical", {"values": [1, 2, 3]})]
    table = sample(ps, 4000, "lhs", seed=1)
    assert table["a"].mean() == pytest.approx(1.5, rel=0.01)
    assert table["b"].mean() == pytest.approx(10, rel=0.01)
    assert table["b"].std() == pytest.approx(3, rel=0.02)
    assert table["c"].mean() == pytest.approx(0.4, rel=0.01)
    assert set(table["d"]) == {1, 2, 3}


def test_iman_conover_imposes_rank_correlation_and_keeps_marginals() -> None:
    from scipy.stats import spearmanr

    ps = [Parameter("a", "normal", {"mean": 0, "sd": 1}),
          Parameter("b", "uniform", {"low": 0, "high": 1})]
    target = np.array([[1, 0.7], [0.7, 1]])
    plain = sample(ps, 2000, "lhs", seed=2)
    table = sample(ps, 2000, "lhs", seed=2, correlation=target)
    assert spearmanr(table["a"], table["b"])[0] == pytest.approx(0.7, abs=0.03)
    assert np.allclose(np.sort(table["a"]), np.sort(plain["a"]))


@pytest.mark.parametrize(("fields", "message"), [
    ({"low": 2, "high": 1}, "low must be below high"),
    ({"low": 1}, "needs high"),
])
def test_bad_distributions_name_the_parameter(fields: dict, message: str) -> None:
    with pytest.raises(ParameterError, match=f"parameter 'x'.*{message}"):
        Parameter("x", "uniform", fields)


def test_parse_range() -> None:
    assert parse_range("a b=1:3").values == {"low": 1.0, "high": 3.0}
    assert parse_range("c=1:2:3").distribution == "triangular"
    with pytest.raises(ParameterError):
        parse_range("c=1")


def test_ishigami_sobol_indices_match_analytical_values() -> None:
    """Ishigami y = sin x1 + 7 sin^2 x2 + 0.1 x3^4 sin x1, x_i ~ U(-pi, pi), run through a
    model. With a=7, b=0.1: V = a^2/8 + b pi^4/5 + b^2 pi^8/18 + 1/2 = 13.8446;
    V1 = (1 + b pi^4/5)^2 / 2 = 4.3459, V2 = a^2/8 = 6.125, V3 = 0,
    V13 = b^2 pi^8 (1/18 - 1/50) = 3.3737, so S1 = (0.3139, 0.4424, 0) and
    ST = (0.5576, 0.4424, 0.2437)."""
    a, b = 7.0, 0.1
    v = a**2 / 8 + b * math.pi**4 / 5 + b**2 * math.pi**8 / 18 + 0.5
    v1 = (1 + b * math.pi**4 / 5) ** 2 / 2
    v2 = a**2 / 8
    v13 = b**2 * math.pi**8 * (1 / 18 - 1 / 50)
    model = model_of(aux("x1", "0") + aux("x2", "0") + aux("x3", "0")
                     + aux("y", "SIN(x1) + 7*SIN(x2)^2 + 0.1*x3^4*SIN(x1)"), stop=1)
    ps = [Parameter(f"x{i}", "uniform", {"low": -math.pi, "high": math.pi}) for i in (1, 2, 3)]
    [result] = analyse_model(model, ps, ["y"], samples=4096, periods=0)
    got = {i.parameter: i for i in result.indices}
    expected = {"x1": (v1 / v, (v1 + v13) / v), "x2": (v2 / v, v2 / v), "x3": (0, v13 / v)}
    for name, (s1, st) in expected.items():
        assert pytest.approx(s1, abs=0.04) == got[name].S1
        assert pytest.approx(st, abs=0.04) == got[name].ST


def test_linear_model_variance_shares() -> None:
    """y = 2 a + b + 3 c with a ~ U(0,1) (var 1/12), b ~ N(0, 1), c ~ N(0, 0.5): the
    variance shares are 4/12, 1, 9/4 over their sum 3.5833; no interactions, S1 = ST."""
    ps = [Parameter("a", "uniform", {"low": 0, "high": 1}),
          Parameter("b", "normal", {"mean": 0, "sd": 1}),
          Parameter("c", "normal", {"mean": 0, "sd": 0.5})]
    shares = np.array([4 / 12, 1.0, 9 / 4])
    shares /= shares.sum()
    result = sobol(lambda t: (2 * t["a"] + t["b"] + 3 * t["c"]).to_numpy(), ps, samples=4096)
    got = {i.parameter: i for i in result.indices}
    for name, share in zip("abc", shares, strict=True):
        assert pytest.approx(share, abs=0.03) == got[name].S1
        assert pytest.approx(share, abs=0.03) == got[name].ST
    assert result.indices[0].parameter == "c"
    assert "explains 63% of the variance" in result.statements[0]


def _hospital_study_inputs() -> tuple[ModelSource, object, list[str]]:
    source = ModelSource(str(wholesystem.example_path("hospital_discharge")))
    ps = [Parameter(f"{s} capacity", "triangular", {"low": c * 0.8, "mode": c, "high": c * 1.2})
          for s, c in (("p2_b", 102), ("p3_b", 72))]
    return source, sample(ps, 60, "lhs", seed=3), ["whole system cost", "p2_b waiting"]


def test_streamed_study_equals_in_memory_and_single_runs(tmp_path) -> None:
    source, table, outputs = _hospital_study_inputs()
    memory = run_ensemble(source, table, outputs, chunk_size=25, seed=1)
    run_ensemble(source, table, outputs, chunk_size=25, seed=1, store=tmp_path / "s")
    stored = open_store(tmp_path / "s")
    assert stored.runs == 60
    assert np.array_equal(stored.series("p2_b waiting"), memory.series("p2_b waiting"))
    single = source.load().run(dict(table.iloc[7]))
    assert memory.final("whole system cost")[7] == pytest.approx(
        single["whole system cost"].iloc[-1])
    bands = memory.bands("whole system cost")
    assert (bands["p5"] <= bands["p50"]).all()
    assert (bands["p50"] <= bands["p95"]).all()


def test_dask_local_cluster_gives_identical_results() -> None:
    pytest.importorskip("dask.distributed")
    from wholesystem.analysis.distributed import dask_cluster

    source, table, outputs = _hospital_study_inputs()
    local = run_ensemble(source, table, outputs, chunk_size=20, seed=5)
    with dask_cluster(workers=2) as evaluator:
        remote = run_ensemble(source, table, outputs, chunk_size=20, seed=5,
                              evaluator=evaluator)
    assert np.array_equal(local.values, remote.values)
