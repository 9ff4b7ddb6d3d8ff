"""Each job kind as a call of its analysis function: no modelling happens here.

A request is checked before it is queued (names of parameters and outputs, levers in
range), so a bad request gets its 422 at once, naming the field; the work itself is then
one call of :mod:`wholesystem.analysis` with a progress callback, and its result is the
analysis's own ``*_dict`` (ensembles also keep their percentile bands as compressed
columns).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

import numpy as np
import pandas as pd

from wholesystem.analysis.calibration import (
    FitParameter,
    Observations,
    calibration_dict,
    least_squares,
    mcmc,
)
from wholesystem.analysis.dominance import loop_dominance
from wholesystem.analysis.interventions import rank_interventions, ranking_dict
from wholesystem.analysis.montecarlo import PERCENTILES, run_ensemble
from wholesystem.analysis.sensitivity import analyse_model, design, sensitivity_dict
from wholesystem.analysis.uncertainty import (
    Parameter,
    parameter_dict,
    read_parameters,
    sample,
)
from wholesystem.errors import ParameterError, UnknownNameError
from wholesystem.interfaces.api.job_schemas import (
    MAX_RUNS,
    CalibrationIn,
    EnsembleIn,
    FieldProblem,
    LoopsIn,
    RankIn,
    SensitivityIn,
    UncertainIn,
)
from wholesystem.interfaces.api.jobs import JobOutput, Progress, Work, phased
from wholesystem.interfaces.api.views import MAX_POINTS
from wholesystem.interfaces.store import decode_results, encode_results
from wholesystem.ir.names import canonical_name
from wholesystem.run import Model
from wholesystem.system.levers import check_levers
from wholesystem.system.model import SystemModel

__all__ = ["Prepared", "prepare_ensemble", "prepare_sensitivity", "prepare_rank",
           "prepare_calibration", "prepare_loops", "ensemble_series", "engine_model"]

_T = TypeVar("_T")
BAND_NAMES = tuple(f"p{p:g}" for p in PERCENTILES) + ("mean",)


@dataclass(frozen=True)
class Prepared:
    """A checked request: how much work it is, and the work."""

    total: int
    work: Work


def engine_model(loaded: SystemModel | Model, scenario: str) -> Model:
    """The compiled model a scenario runs on (a plain model has only its own)."""
    if isinstance(loaded, SystemModel):
        if scenario not in loaded.scenarios:
            raise FieldProblem("scenario", f"no scenario '{scenario}'; the file has: "
                                           + ", ".join(loaded.scenarios))
        return loaded.model(scenario)[2]
    if scenario != "baseline":
        raise FieldProblem("scenario", "a plain model has only the 'baseline' scenario")
    return loaded


def _constants(model: Model) -> dict[str, str]:
    return {canonical_name(name): name for name in model.constants}


def _parameters(loaded: SystemModel | Model, model: Model, given: Sequence[UncertainIn],
                path: Path) -> tuple[list[Parameter], np.ndarray | None]:
    """The uncertain parameters asked for, or the system file's own block."""
    if not given:
        if isinstance(loaded, SystemModel):
            try:
                return read_parameters(path)
            except ParameterError:
                pass
        raise FieldProblem("parameters", "name at least one uncertain parameter (this "
                                         "model has no uncertainty: block)")
    known = _constants(model)
    parameters = []
    for i, entry in enumerate(given):
        if canonical_name(entry.name) not in known:
            raise FieldProblem(f"parameters.{i}.name", f"'{entry.name}' is not a constant "
                                                       "of the model")
        try:
            parameters.append(Parameter(entry.name, entry.distribution, entry.fields(),
                                        entry.source, entry.owner, entry.evidence))
        except ParameterError as error:
            raise FieldProblem(f"parameters.{i}", str(error)) from None
    return parameters, None


def _outputs(loaded: SystemModel | Model, model: Model, asked: Sequence[str],
             default: Sequence[tuple[str, str, str]]) -> list[tuple[str, str, str]]:
    """``(column, label, group)`` of each output: those asked for, else ``default``."""
    if not asked:
        if default:
            return list(default)
        raise FieldProblem("outputs", "name at least one output variable")
    columns = {canonical_name(c): c for c in model.columns}
    chosen = []
    for i, name in enumerate(asked):
        column = columns.get(canonical_name(name))
        if column is None:
            raise FieldProblem(f"outputs.{i}", f"'{name}' is not a variable of the model")
        chosen.append((column, name, "output"))
    return chosen


def _system_outputs(loaded: SystemModel | Model, scenario: str
                    ) -> list[tuple[str, str, str]]:
    if not isinstance(loaded, SystemModel):
        return []
    spec, layout, _ = loaded.model(scenario)
    organisations = {o.id: o.name for o in spec.organisations}
    services = {s.id: s.name for s in spec.services}
    return ([(column, organisations[org], "cost") for org, column in layout.organisation_costs]
            + [(s.waiting, services[s.service], "waiting") for s in layout.services])


def prepare_ensemble(loaded: SystemModel | Model, path: Path, body: EnsembleIn) -> Prepared:
    """A Monte Carlo ensemble of the scenario with its levers set, over uncertain draws
    (:func:`~wholesystem.analysis.montecarlo.run_ensemble`), kept as percentile bands."""
    model = engine_model(loaded, body.scenario)
    parameters, correlation = _parameters(loaded, model, body.parameters, path)
    outputs = _outputs(loaded, model, body.outputs, _system_outputs(loaded, body.scenario))
    levers: dict[str, float] = {}
    if body.levers:
        if not isinstance(loaded, SystemModel):
            raise FieldProblem("levers", "levers belong to system files")
        levers = _checked(lambda: check_levers(loaded, body.levers, body.scenario), "levers")
    try:
        table = sample(parameters, body.runs, body.method, body.seed, correlation)
    except ParameterError as error:
        raise FieldProblem("parameters", str(error)) from None
    uncertain = {canonical_name(str(c)) for c in table.columns}
    for name, value in levers.items():  # a lever also drawn as uncertain is left to vary
        if canonical_name(name) not in uncertain:
            table[name] = value

    def work(progress: Progress) -> JobOutput:
        study = run_ensemble(model, table, [c for c, _, _ in outputs],
                             chunk_size=max(10, body.runs // 20), seed=body.seed,
                             progress=progress)
        every = max(1, len(study.times) // MAX_POINTS)
        frame = pd.DataFrame(index=pd.Index(study.times[::every], name="time"))
        summary = []
        for k, (column, label, group) in enumerate(outputs):
            bands = study.bands(column).iloc[::every]
            for band in BAND_NAMES:
                frame[f"{k}:{band}"] = bands[band].to_numpy()
            final = study.bands(column).iloc[-1]
            summary.append({"column": column, "name": label, "group": group,
                            "final": {b: float(final[b]) for b in BAND_NAMES}})
        columns, blob, _ = encode_results(frame)
        result = {"scenario": body.scenario, "runs": study.runs, "levers": levers,
                  "parameters": [parameter_dict(p) for p in parameters],
                  "outputs": summary, "percentiles": list(PERCENTILES)}
        return JobOutput(result, tuple(columns), blob)

    return Prepared(body.runs, work)


def ensemble_series(result: dict[str, object], columns: list[str], data: bytes
                    ) -> dict[str, object]:
    """The bands an ensemble kept: ``{"time": [...], "outputs": [{"name", "group",
    "p5": [...], ..., "mean": [...]}]}``."""
    frame = decode_results(columns, data)
    outputs = result["outputs"]
    assert isinstance(outputs, list)
    return {"time": [float(t) for t in frame.index],
            "outputs": [{"name": o["name"], "group": o["group"],
                         **{b: [round(float(v), 6) for v in frame[f"{k}:{b}"]]
                            for b in BAND_NAMES}} for k, o in enumerate(outputs)]}


def prepare_sensitivity(loaded: SystemModel | Model, path: Path,
                        body: SensitivityIn) -> Prepared:
    """Sobol or Morris indices (:func:`~wholesystem.analysis.sensitivity.analyse_model`)."""
    model = engine_model(loaded, body.scenario)
    parameters, _ = _parameters(loaded, model, body.parameters, path)
    default = [("whole system cost", "whole system cost", "cost")] \
        if isinstance(loaded, SystemModel) else []
    outputs = _outputs(loaded, model, body.outputs, default)
    runs = len(_checked(lambda: design(parameters, body.samples, body.method,
                                       body.seed)[2], "parameters"))
    if runs > MAX_RUNS * 4:
        raise FieldProblem("samples", f"{runs:,} runs is more than one request may ask "
                                      f"for ({MAX_RUNS * 4:,}); ask for fewer samples")

    def work(progress: Progress) -> JobOutput:
        results = analyse_model(model, parameters, [c for c, _, _ in outputs], body.method,
                                body.samples, body.seed, body.periods, progress=progress)
        return JobOutput({"scenario": body.scenario,
                          "parameters": [parameter_dict(p) for p in parameters],
                          "outputs": [sensitivity_dict(r) for r in results]})

    return Prepared(runs, work)


def prepare_rank(loaded: SystemModel | Model, path: Path, body: RankIn) -> Prepared:
    """Interventions ranked over the same uncertain draws
    (:func:`~wholesystem.analysis.interventions.rank_interventions`)."""
    if not isinstance(loaded, SystemModel):
        raise FieldProblem("model", "ranking interventions needs a system file")
    model = engine_model(loaded, "baseline")
    known = [i.id for i in loaded.spec.interventions]
    ids = list(body.interventions) if body.interventions is not None else known
    for i, name in enumerate(ids):
        if name not in known:
            raise FieldProblem(f"interventions.{i}", f"no intervention '{name}'; the file "
                                                     "has: " + ", ".join(known))
    if not ids:
        raise FieldProblem("interventions", "the system file has no interventions to rank")
    if body.parameters or _has_block(path):
        parameters, correlation = _parameters(loaded, model, body.parameters, path)
        table = _checked(lambda: sample(parameters, body.runs, seed=body.seed,
                                        correlation=correlation), "parameters")
    else:  # no uncertainty anywhere: the file's own values, once
        parameters, table = [], pd.DataFrame(index=range(1))

    def work(progress: Progress) -> JobOutput:
        ranking = rank_interventions(path, table, ids, body.goal, seed=body.seed,
                                     progress=phased(progress, 2 * len(ids), len(table)))
        return JobOutput({**ranking_dict(ranking),
                          "parameters": [parameter_dict(p) for p in parameters]})

    return Prepared(2 * len(ids) * len(table), work)


def _has_block(path: Path) -> bool:
    try:
        read_parameters(path)
    except ParameterError:
        return False
    return True


def prepare_calibration(loaded: SystemModel | Model, body: CalibrationIn) -> Prepared:
    """A fit to observations (:func:`~wholesystem.analysis.calibration.least_squares`,
    or :func:`~wholesystem.analysis.calibration.mcmc`)."""
    model = engine_model(loaded, body.scenario)
    known = _constants(model)
    for i, fit in enumerate(body.fit):
        if canonical_name(fit.name) not in known:
            raise FieldProblem(f"fit.{i}.name", f"'{fit.name}' is not a constant of the "
                                                "model")
    columns = {canonical_name(c) for c in model.columns}
    for name in body.observations.values:
        if canonical_name(name) not in columns:
            raise FieldProblem(f"observations.values.{name}",
                               f"'{name}' is not a variable of the model")
    obs = body.observations
    observations = _checked(lambda: Observations(
        np.asarray(obs.times, dtype=float),
        {n: np.array([np.nan if v is None else v for v in s], dtype=float)
         for n, s in obs.values.items()}, obs.aggregate, obs.period, "the request"),
        "observations")
    fits = [FitParameter(f.name, f.low, f.high, f.start) for f in body.fit]

    def work(progress: Progress) -> JobOutput:
        if body.method == "mcmc":
            found = mcmc(model, observations, fits, walkers=body.walkers, steps=body.steps,
                         seed=body.seed, progress=progress)
        else:
            found = least_squares(model, observations, fits, body.seed, body.max_evaluations)
        return JobOutput(calibration_dict(found))

    return Prepared(body.steps if body.method == "mcmc" else 1, work)


def prepare_loops(loaded: SystemModel | Model, body: LoopsIn) -> Prepared:
    """Loop dominance along one run (:func:`~wholesystem.analysis.dominance.
    loop_dominance`); it reports no progress, so a cancel takes effect at its end."""
    model = engine_model(loaded, body.scenario)

    def work(progress: Progress) -> JobOutput:
        progress(0, 1)
        return JobOutput(loop_dominance(model, max_loops=body.max_loops).to_json())

    return Prepared(1, work)


def _checked(call: Callable[[], _T], field: str) -> _T:
    try:
        return call()
    except (ParameterError, UnknownNameError) as error:
        raise FieldProblem(field, str(error)) from None
