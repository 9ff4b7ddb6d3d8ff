"""Uncertain parameters: distributions with their evidence, correlated draws, sampling designs.

A :class:`Parameter` names a model constant (any name :meth:`Model.run_many` accepts) and
gives its distribution together with who owns the estimate, where it comes from and how
good the evidence is. Draws are made from unit-interval designs (simple random, Latin
hypercube or scrambled Sobol) pushed through each distribution's quantile function, so the
same design serves every distribution; rank correlations between parameters are imposed
afterwards with Iman and Conover's method (1982), which keeps each marginal exactly.

>>> from wholesystem.analysis.uncertainty import Parameter, sample
>>> los = Parameter("p2_b length of stay", "triangular", {"low": 30, "mode": 42.8, "high": 60})
>>> table = sample([los], 5, method="lhs", seed=1)
>>> bool(table["p2_b length of stay"].between(30, 60).all())
True
"""

from __future__ import annotations

import csv
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from wholesystem.errors import ParameterError, SystemFileError
from wholesystem.system.read.source import load_yaml

__all__ = ["DISTRIBUTIONS", "Parameter", "sample", "unit_design", "impose_correlation",
           "read_parameters", "parameters_from_mapping", "parse_range", "parameter_dict"]

DISTRIBUTIONS: dict[str, tuple[str, ...]] = {
    "uniform": ("low", "high"),
    "triangular": ("low", "mode", "high"),
    "normal": ("mean", "sd"),
    "lognormal": ("mean", "sd"),
    "beta": ("alpha", "beta", "low", "high"),
    "pert": ("low", "mode", "high"),
    "empirical": ("values",),
}
"""Each distribution's fields. ``lognormal`` takes the mean and standard deviation of the
value itself (not of its logarithm); ``beta`` is scaled onto ``low..high`` (default 0..1);
``pert`` is the beta-PERT with shape 4; ``empirical`` resamples observed ``values``."""

_OPTIONAL = {"beta": {"low": 0.0, "high": 1.0}}


@dataclass(frozen=True)
class Parameter:
    """One uncertain model input."""

    name: str
    """The model constant it sets."""
    distribution: str
    """One of :data:`DISTRIBUTIONS`."""
    values: Mapping[str, Any]
    """The distribution's fields (see :data:`DISTRIBUTIONS`)."""
    source: str = ""
    """Where the estimate comes from (a publication, a data extract)."""
    owner: str = ""
    """Who is answerable for it."""
    evidence: str = ""
    """How good the evidence is, in words."""

    def __post_init__(self) -> None:
        _validate(self)

    @property
    def bounds(self) -> tuple[float, float]:
        """A range holding (almost) all the distribution: the 0.1% and 99.9% quantiles."""
        low, high = self.quantile(np.array([0.001, 0.999]))
        return float(low), float(high)

    def quantile(self, u: NDArray[np.float64]) -> NDArray[np.float64]:
        """The values at probabilities ``u`` (the inverse cumulative distribution)."""
        from scipy import stats

        v, kind = self.values, self.distribution
        u = np.clip(np.asarray(u, dtype=float), 1e-12, 1 - 1e-12)
        if kind == "uniform":
            return v["low"] + u * (v["high"] - v["low"])
        if kind == "triangular":
            width = v["high"] - v["low"]
            c = (v["mode"] - v["low"]) / width if width else 0.5
            return stats.triang.ppf(u, c, loc=v["low"], scale=width)
        if kind == "normal":
            return stats.norm.ppf(u, loc=v["mean"], scale=v["sd"])
        if kind == "lognormal":
            sigma2 = math.log1p((v["sd"] / v["mean"]) ** 2)
            mu = math.log(v["mean"]) - sigma2 / 2
            return stats.lognorm.ppf(u, math.sqrt(sigma2), scale=math.exp(mu))
        if kind == "beta":
            low, high = v.get("low", 0.0), v.get("high", 1.0)
            return stats.beta.ppf(u, v["alpha"], v["beta"], loc=low, scale=high - low)
        if kind == "pert":
            low, mode, high = v["low"], v["mode"], v["high"]
            alpha = 1 + 4 * (mode - low) / (high - low)
            beta = 1 + 4 * (high - mode) / (high - low)
            return stats.beta.ppf(u, alpha, beta, loc=low, scale=high - low)
        observed = np.sort(np.asarray(v["values"], dtype=float))
        # the empirical quantile function: each observed value equally likely
        index = np.minimum((u * len(observed)).astype(int), len(observed) - 1)
        return observed[index]


def _validate(p: Parameter) -> None:
    where = f"parameter '{p.name}'"
    if p.distribution not in DISTRIBUTIONS:
        raise ParameterError(f"{where}: unknown distribution '{p.distribution}'",
                             hint="one of " + ", ".join(DISTRIBUTIONS))
    wanted = DISTRIBUTIONS[p.distribution]
    optional = _OPTIONAL.get(p.distribution, {})
    missing = [f for f in wanted if f not in p.values and f not in optional]
    if missing:
        raise ParameterError(f"{where}: {p.distribution} needs {', '.join(missing)}")
    extra = [f for f in p.values if f not in wanted]
    if extra:
        raise ParameterError(f"{where}: {p.distribution} has no field {', '.join(extra)}",
                             hint="fields: " + ", ".join(wanted))
    if p.distribution == "empirical":
        observed = p.values["values"]
        if (not isinstance(observed, Sequence) or not observed
                or not all(_is_number(x) for x in observed)):
            raise ParameterError(f"{where}: 'values' must be a list of numbers")
        return
    for name in p.values:
        if not _is_number(p.values[name]):
            raise ParameterError(f"{where}: '{name}' must be a finite number, "
                                 f"not {p.values[name]!r}")
    _check_shape(p, where, {**optional, **p.values})


def _check_shape(p: Parameter, where: str, v: Mapping[str, float]) -> None:
    kind = p.distribution
    if kind in ("uniform", "beta") and not v["low"] < v["high"]:
        raise ParameterError(f"{where}: low must be below high")
    if kind in ("triangular", "pert") and not v["low"] <= v["mode"] <= v["high"]:
        raise ParameterError(f"{where}: needs low <= mode <= high")
    if kind == "pert" and not v["low"] < v["high"]:
        raise ParameterError(f"{where}: low must be below high")
    if kind in ("normal", "lognormal") and not v["sd"] > 0:
        raise ParameterError(f"{where}: sd must be positive")
    if kind == "lognormal" and not v["mean"] > 0:
        raise ParameterError(f"{where}: a lognormal mean must be positive")
    if kind == "beta" and not (v["alpha"] > 0 and v["beta"] > 0):
        raise ParameterError(f"{where}: alpha and beta must be positive")


def _is_number(x: Any) -> bool:
    return isinstance(x, int | float) and not isinstance(x, bool) and math.isfinite(x)


# -- designs ----------------------------------------------------------------------------
def unit_design(runs: int, dimensions: int, method: str = "lhs",
                seed: int = 0) -> NDArray[np.float64]:
    """Points in the unit hypercube, shape ``(runs, dimensions)``.

    ``random``: independent uniforms; ``lhs``: a Latin hypercube (one point in each of
    ``runs`` equal slices of every axis); ``sobol``: a scrambled Sobol sequence (best with a
    power-of-two number of runs).
    """
    from scipy.stats import qmc

    if runs < 1 or dimensions < 1:
        raise ParameterError("a design needs at least one run and one parameter")
    rng = np.random.default_rng(seed)
    if method == "random":
        return rng.random((runs, dimensions))
    if method == "lhs":
        return qmc.LatinHypercube(d=dimensions, rng=rng).random(runs)
    if method == "sobol":
        import warnings

        with warnings.catch_warnings():  # non power-of-two sizes are allowed, just less even
            warnings.simplefilter("ignore", UserWarning)
            return qmc.Sobol(d=dimensions, scramble=True, rng=rng).random(runs)
    raise ParameterError(f"unknown sampling method '{method}'", hint="random, lhs or sobol")


def sample(parameters: Sequence[Parameter], runs: int, method: str = "lhs", seed: int = 0,
           correlation: NDArray[np.float64] | None = None) -> pd.DataFrame:
    """A parameter table, one row per run and one column per parameter.

    ``correlation`` is a target rank-correlation matrix (parameters in the given order),
    imposed with :func:`impose_correlation`.
    """
    if not parameters:
        raise ParameterError("no uncertain parameters to sample")
    names = [p.name for p in parameters]
    if len(set(names)) != len(names):
        raise ParameterError("a parameter is named twice: " + ", ".join(
            sorted({n for n in names if names.count(n) > 1})))
    design = unit_design(runs, len(parameters), method, seed)
    values = np.column_stack([p.quantile(design[:, j]) for j, p in enumerate(parameters)])
    if correlation is not None:
        values = impose_correlation(values, np.asarray(correlation, dtype=float), seed)
    return pd.DataFrame(values, columns=names)


def impose_correlation(values: NDArray[np.float64], target: NDArray[np.float64],
                       seed: int = 0) -> NDArray[np.float64]:
    """Reorder each column of ``values`` so their rank correlation approaches ``target``.

    Iman and Conover (1982): build scores with the target correlation (van der Waerden
    scores, corrected by the Cholesky factor of their own sample correlation), then give
    each column of ``values`` the ranks of the matching column of scores. Each column keeps
    exactly its values, so every marginal distribution is untouched.
    """
    from scipy import stats

    n, d = values.shape
    if target.shape != (d, d) or not np.allclose(target, target.T):
        raise ParameterError(f"the correlation matrix must be symmetric, {d} by {d}")
    if not np.allclose(np.diag(target), 1.0):
        raise ParameterError("the correlation matrix must have ones on its diagonal")
    try:
        p = np.linalg.cholesky(target)
    except np.linalg.LinAlgError:
        raise ParameterError("the correlation matrix is not positive definite") from None
    rng = np.random.default_rng(seed)
    base = stats.norm.ppf(np.arange(1, n + 1) / (n + 1))
    scores = np.column_stack([rng.permutation(base) for _ in range(d)])
    own = np.corrcoef(scores, rowvar=False) if d > 1 else np.ones((1, 1))
    q = np.linalg.cholesky(own)
    scores = scores @ np.linalg.inv(q).T @ p.T
    out = np.empty_like(values)
    for j in range(d):
        ranks = np.argsort(np.argsort(scores[:, j]))
        out[:, j] = np.sort(values[:, j])[ranks]
    return out


# -- reading ----------------------------------------------------------------------------
def parameters_from_mapping(entries: Mapping[str, Any], where: str = "parameters"
                            ) -> list[Parameter]:
    """Parameters from ``{name: {distribution: ..., <fields>, source, owner, evidence}}``
    (the ``uncertainty:`` block of a system file, or a YAML table)."""
    if not isinstance(entries, Mapping):
        raise ParameterError(f"{where}: expected a mapping of parameter names")
    found = []
    for name, entry in entries.items():
        if not isinstance(entry, Mapping) or "distribution" not in entry:
            raise ParameterError(f"{where}.{name}: needs a 'distribution' field")
        notes = {k: str(entry.get(k, "")) for k in ("source", "owner", "evidence")}
        values = {k: v for k, v in entry.items()
                  if k not in ("distribution", "source", "owner", "evidence")}
        found.append(Parameter(str(name), str(entry["distribution"]), values, **notes))
    return found


def read_parameters(path: str | Path) -> tuple[list[Parameter], NDArray[np.float64] | None]:
    """Uncertain parameters from a table and the correlation between them, if given.

    YAML: ``{parameters: {name: {distribution, fields..., source, owner, evidence}},
    correlations: [[name_a, name_b, rho], ...]}``, or a system file's ``uncertainty:`` block
    of the same shape. CSV: columns ``name, distribution, source, owner, evidence`` and the
    distribution fields (``low, mode, high, mean, sd, alpha, beta``; ``values`` as numbers
    separated by spaces).
    """
    path = Path(path)
    if not path.exists():
        raise ParameterError(f"{path}: no such file")
    if path.suffix.lower() == ".csv":
        return _read_csv(path), None
    try:
        # The system files' loader: plain data only, alias bombs and depth bounded.
        document = load_yaml(path.read_text(encoding="utf-8"), str(path))[0] or {}
    except SystemFileError as err:
        raise ParameterError(str(err)) from None
    block = document.get("uncertainty", document) if isinstance(document, Mapping) else None
    if not isinstance(block, Mapping) or "parameters" not in block:
        raise ParameterError(f"{path}: no 'parameters' (or 'uncertainty: parameters') block")
    parameters = parameters_from_mapping(block["parameters"], f"{path.name}: parameters")
    pairs = block.get("correlations") or []
    return parameters, _correlation_matrix(parameters, pairs, path.name) if pairs else None


def _read_csv(path: Path) -> list[Parameter]:
    with path.open(newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    found = []
    for line, row in enumerate(rows, start=2):
        kind = (row.get("distribution") or "").strip()
        if not row.get("name") or not kind:
            raise ParameterError(f"{path}:{line}: needs 'name' and 'distribution'")
        values: dict[str, Any] = {}
        for key in DISTRIBUTIONS.get(kind, ()):
            text = (row.get(key) or "").strip()
            if not text:
                continue
            try:
                values[key] = ([float(x) for x in text.split()] if key == "values"
                               else float(text))
            except ValueError:
                raise ParameterError(f"{path}:{line}: '{key}' is not a number: {text}"
                                     ) from None
        try:
            found.append(Parameter(row["name"].strip(), kind, values,
                                   *(row.get(k, "") or "" for k in
                                     ("source", "owner", "evidence"))))
        except ParameterError as err:
            raise ParameterError(f"{path}:{line}: {err}") from None
    return found


def _correlation_matrix(parameters: Sequence[Parameter], pairs: Any, where: str
                        ) -> NDArray[np.float64]:
    index = {p.name: i for i, p in enumerate(parameters)}
    matrix = np.eye(len(parameters))
    for pair in pairs:
        if not (isinstance(pair, Sequence) and len(pair) == 3 and _is_number(pair[2])):
            raise ParameterError(f"{where}: correlations are [name, name, rho]: {pair!r}")
        a, b, rho = pair
        for name in (a, b):
            if name not in index:
                raise ParameterError(f"{where}: correlation names unknown parameter '{name}'")
        if not -1 < rho < 1:
            raise ParameterError(f"{where}: a correlation must lie between -1 and 1")
        matrix[index[a], index[b]] = matrix[index[b], index[a]] = rho
    return matrix


def parse_range(text: str) -> Parameter:
    """``NAME=LO:HI`` (uniform) or ``NAME=LO:MODE:HI`` (triangular), as the CLI takes it."""
    name, sep, bounds = text.rpartition("=")
    parts = bounds.split(":")
    try:
        numbers = [float(x) for x in parts]
    except ValueError:
        numbers = []
    if not sep or not name.strip() or len(numbers) not in (2, 3):
        raise ParameterError(f"'{text}': expected NAME=LO:HI or NAME=LO:MODE:HI")
    if len(numbers) == 2:
        return Parameter(name.strip(), "uniform", {"low": numbers[0], "high": numbers[1]})
    return Parameter(name.strip(), "triangular",
                     dict(zip(("low", "mode", "high"), numbers, strict=True)))


def parameter_dict(p: Parameter) -> dict[str, Any]:
    """A parameter as plain data."""
    return {"name": p.name, "distribution": p.distribution, **dict(p.values),
            "source": p.source, "owner": p.owner, "evidence": p.evidence}
