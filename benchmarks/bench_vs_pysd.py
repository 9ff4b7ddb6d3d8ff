"""Side-by-side speed of wholesystem and PySD 3.14.3 on the same models.

For every model the script measures, in one process and on the same temporary copy of the file:

- **load**: ``pysd.read_xmile`` / ``pysd.read_vensim`` (translate, write and import Python)
  against ``wholesystem.load``; median of a few loads;
- **one run**: ``model.run()`` in each engine; median of a few runs;
- **a 1,000-run sweep** of one constant over 0.5x..1.5x its value: PySD's loop of
  ``model.run(params={name: value})`` against wholesystem's vectorised
  ``model.run_many(param_table)`` (a DataFrame, one column per parameter, one row per run).
  PySD's loop is timed on a sample of the runs and extrapolated linearly to 1,000 unless
  ``--full`` is given; the output says which.

Ratios are PySD time / wholesystem time: above 1 means wholesystem is faster. Each measurement
stops early once it has used ``--budget`` seconds (always at least one call), so slow models such
as World3 keep the whole benchmark within minutes on a 2-core machine.

Run it from the bench venv (``benchmarks/setup`` creates it, ``benchmarks/run`` uses it)::

    benchmarks/run                      # default model set
    benchmarks/run --models teacup --json out/bench.json
    benchmarks/run --list
"""

from __future__ import annotations

import argparse
import contextlib
import gc
import importlib
import json
import math
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import warnings
from collections.abc import Callable, Iterator, Sequence
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from functools import partial
from numbers import Real
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

__all__ = ["ModelCase", "main"]

REPO_ROOT = Path(__file__).resolve().parents[1]
PYSD_VERSION = "3.14.3"
CONTROL_NAMES = frozenset(
    {"initial_time", "final_time", "time_step", "saveper", "dt", "starttime", "stoptime", "time"}
)
# Same tolerance as shared/tools/sdconform.py: a quick check that both engines ran the same model.
ABS_TOL, REL_TOL = 1e-6, 1e-3
TEMP_PREFIX = "bench-vs-pysd-"
TEMP_COPY = re.compile(rf"\S*{TEMP_PREFIX}[^/\\\s]+[/\\][^/\\\s]+[/\\][^/\\\s]+[/\\]")


# --------------------------------------------------------------------------- models


def drop_help_link(path: Path) -> None:
    """Remove Vensim's ``help link :is: ...`` entry, which PySD 3.14.3 cannot parse."""
    lines = path.read_bytes().decode("utf-8").splitlines(keepends=True)
    start = next((i for i, line in enumerate(lines) if line.startswith("help link")), None)
    if start is None:
        return
    end = next(i for i in range(start, len(lines)) if lines[i].rstrip().endswith("|"))
    path.write_bytes("".join(lines[:start] + lines[end + 1 :]).encode("utf-8"))


@dataclass(frozen=True)
class ModelCase:
    """One model file to benchmark."""

    name: str
    """Short name shown in the table and used by ``--models`` and ``--param``."""
    path: Path
    """The original file; it is copied (with its folder's data files) before anything reads it."""
    expensive: bool = False
    """Skipped (PySD too) while wholesystem cannot load it, unless ``--always-pysd``."""
    prepare: Callable[[Path], None] | None = None
    """Rewrites PySD's temporary copy, e.g. to drop a construct PySD cannot parse."""


SUITE_CASES: tuple[tuple[str, str, bool], ...] = (
    ("teacup", "sd-test-models/samples/teacup/teacup.xmile", False),
    (
        "hares_lynxes_modules",
        "sd-test-models/samples/bpowers-hares_and_lynxes_modules/model.xmile",
        False,
    ),
    ("trig", "sd-test-models/tests/trig/test_trig.xmile", False),
    ("arithmetics_exp", "sd-test-models/tests/arithmetics_exp/test_arithmetics_exp.xmile", False),
    (
        "arrays_1d",
        "sd-test-models/tests/subscript_individually_defined_1d_arrays/"
        + "subscript_individually_defined_1d_arrays.xmile",
        False,
    ),
    ("delay_xmile", "sd-test-models/tests/delay_xmile/test_delay_xmile.xmile", False),
    ("lookups_inline", "sd-test-models/tests/lookups_inline/test_lookups_inline.xmile", False),
    ("teacup_mdl", "sd-test-models/samples/teacup/teacup.mdl", False),
    ("lotka_volterra_mdl", "sd-test-models/samples/Lotka_Volterra/Lotka_Volterra.mdl", False),
    ("workforce_mdl", "sd-test-models/samples/Workforce/workforce.mdl", True),
    ("population_mdl", "sd-test-models/samples/Population/Subscripted Population Model.mdl", True),
    ("world3", "benchmarks/world3/World3_03_Scenarios.mdl", True),
)
MODEL_SUFFIXES = (".xmile", ".stmx", ".mdl")


def find_shared_root() -> Path:
    """The shared folder: ``$WHOLESYSTEM_SHARED`` or ``../shared`` from the repository root."""
    return Path(os.environ.get("WHOLESYSTEM_SHARED", REPO_ROOT.parent / "shared")).resolve()


def find_examples_root() -> Path:
    """The bundled examples, from the installed package if it imports, else from ``src/``."""
    try:
        module = importlib.import_module("wholesystem")
        return Path(module.__file__ or "").parent / "examples"
    except Exception:  # wholesystem may be half-written
        return REPO_ROOT / "src" / "wholesystem" / "examples"


def collect_cases(shared: Path, all_xmile: bool) -> list[ModelCase]:
    """Suite models, every suite XMILE with ``--all-xmile``, then bundled examples."""
    cases = [
        ModelCase(name, shared / rel, expensive, drop_help_link if name == "world3" else None)
        for name, rel, expensive in SUITE_CASES
    ]
    if all_xmile and (shared / "sd-test-models").is_dir():
        known = {case.path for case in cases}
        for path in sorted((shared / "sd-test-models").rglob("*.xmile")):
            if path not in known:
                cases.append(ModelCase(f"suite:{path.parent.name}/{path.stem}", path))
    examples = find_examples_root()
    if examples.is_dir():
        for path in sorted(p for p in examples.rglob("*") if p.suffix in MODEL_SUFFIXES):
            name = path.stem if path.stem == path.parent.name else path.relative_to(examples)
            cases.append(ModelCase(f"example:{Path(name).with_suffix('')}", path))
    return cases


def copy_model(case: ModelCase, into: Path) -> Path:
    """Copy the model and the plain files beside it (input data) into a fresh folder."""
    into.mkdir(parents=True)
    for item in case.path.parent.iterdir():
        if item.is_file():
            shutil.copy2(item, into / item.name)
    return into / case.path.name


# --------------------------------------------------------------------------- engines


def first_line(error: BaseException) -> str:
    """The error's type and first line, without the temporary folder the model was copied to."""
    text = TEMP_COPY.sub("", str(error)).strip().splitlines()
    return f"{type(error).__name__}: {text[0][:200] if text else ''}".rstrip(": ")


def normalise(name: str) -> str:
    """Compare names across engines: case, quotes, spaces and underscores do not matter."""
    return re.sub(r"[\s_]+", "_", name.strip().strip('"').lower())


def scalar_constants(values: dict[str, Any]) -> dict[str, float]:
    """Real-valued, non-control constants (arrays and the time settings are left out)."""
    return {
        name: float(value)
        for name, value in values.items()
        if isinstance(value, Real)
        and not isinstance(value, bool)
        and normalise(name) not in CONTROL_NAMES
        and math.isfinite(float(value))
    }


class PysdEngine:
    """PySD 3.14.3 driven the way its documentation shows."""

    label = "pysd"

    def __init__(self) -> None:
        import pysd

        self.pysd = pysd
        self.version: str = pysd.__version__

    def load(self, path: Path) -> Any:
        reader = self.pysd.read_vensim if path.suffix == ".mdl" else self.pysd.read_xmile
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return reader(str(path))

    def constants(self, model: Any) -> dict[str, float]:
        doc = model.doc
        rows = doc[(doc["Type"] == "Constant") & (doc["Subtype"] == "Normal")]
        return scalar_constants({name: model[name] for name in rows["Real Name"]})

    def run(self, model: Any) -> pd.DataFrame:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return model.run()

    def run_with(self, model: Any, param: str, value: float) -> pd.DataFrame:
        # PySD keeps a value set through run(params=...), so each run sets its own.
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return model.run(params={param: value})


class WholesystemEngine:
    """wholesystem through its public contract: load, Model.run, Model.run_many, .constants."""

    label = "wholesystem"

    def __init__(self) -> None:
        import wholesystem

        self.load_model: Callable[[Path], Any] = wholesystem.load  # type: ignore[attr-defined,unused-ignore]
        self.version: str = getattr(wholesystem, "__version__", "?")

    def load(self, path: Path) -> Any:
        return self.load_model(path)

    def constants(self, model: Any) -> dict[str, float] | None:
        values = getattr(model, "constants", None)
        return None if values is None else scalar_constants(dict(values))

    def run(self, model: Any) -> pd.DataFrame:
        return model.run()

    def run_many(self, model: Any, table: pd.DataFrame) -> Any:
        return model.run_many(table)


def start_engine(factory: Callable[[], Any]) -> tuple[Any | None, str | None]:
    """The engine, or None and why it is not available."""
    try:
        return factory(), None
    except Exception as error:  # report why, run the other engine
        return None, f"not available: {first_line(error)}"


# --------------------------------------------------------------------------- timing


@dataclass
class EngineResult:
    """What one engine did on one model; times in seconds."""

    load_s: list[float] = field(default_factory=list)
    run_s: list[float] = field(default_factory=list)
    sweep_s: float | None = None
    """Time for the whole sweep (extrapolated when ``sweep_runs_timed`` < sweep size)."""
    sweep_runs_timed: int = 0
    sweep_per_run_s: list[float] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    """Failures (``stage: error``) and remarks, printed under the table."""

    @property
    def load_median(self) -> float | None:
        return statistics.median(self.load_s) if self.load_s else None

    @property
    def run_median(self) -> float | None:
        return statistics.median(self.run_s) if self.run_s else None


@dataclass
class ModelResult:
    name: str
    path: str
    skipped: str | None = None
    param: str | None = None
    param_value: float | None = None
    pysd: EngineResult = field(default_factory=EngineResult)
    wholesystem: EngineResult = field(default_factory=EngineResult)
    agreement: str | None = None


def timed(call: Callable[[], Any]) -> tuple[float, Any]:
    gc.collect()
    start = time.perf_counter()
    value = call()
    return time.perf_counter() - start, value


def time_repeated(
    call: Callable[[], Any], repeats: int, budget_s: float
) -> tuple[list[float], Any]:
    """Up to ``repeats`` calls, stopping once ``budget_s`` is spent; returns times, last value."""
    times: list[float] = []
    value: Any = None
    while len(times) < max(repeats, 1):
        seconds, value = timed(call)
        times.append(seconds)
        if sum(times) > budget_s:
            break
    return times, value


@contextlib.contextmanager
def stage(result: EngineResult, name: str) -> Iterator[None]:
    """Record a failing stage as ``name: error`` and carry on with the next model or stage."""
    try:
        yield
    except Exception as error:  # report engine failures, do not stop
        result.notes.append(f"{name}: {first_line(error)}")


# --------------------------------------------------------------------------- one model


@dataclass(frozen=True)
class Options:
    load_repeats: int
    run_repeats: int
    sweep_size: int
    sweep_sample: int
    full: bool
    budget_s: float
    always_pysd: bool
    params: dict[str, str]
    """Model name (or ``*``) -> parameter to sweep, from ``--param``."""


def load_both(
    case: ModelCase, workdir: Path, engines: dict[str, Any], opts: Options, result: ModelResult
) -> dict[str, Any]:
    models: dict[str, Any] = {}
    for label, engine in engines.items():
        outcome: EngineResult = getattr(result, label)
        if engine is None:
            continue
        if (
            label == "pysd"
            and case.expensive
            and "wholesystem" not in models
            and not opts.always_pysd
        ):
            result.skipped = (
                "wholesystem cannot load it yet, so PySD is skipped too "
                "(expensive; --always-pysd measures it)"
            )
            continue
        path = copy_model(case, workdir / label)
        if label == "pysd" and case.prepare is not None:
            case.prepare(path)
        with stage(outcome, "load"):
            outcome.load_s, models[label] = time_repeated(
                partial(engine.load, path), opts.load_repeats, opts.budget_s
            )
    return models


def find_constants(
    engines: dict[str, Any], models: dict[str, Any], result: ModelResult
) -> dict[str, dict[str, float]]:
    """Each engine's scalar constants; an engine without ``model.constants`` is left out."""
    found: dict[str, dict[str, float]] = {}
    for label, model in models.items():
        with stage(getattr(result, label), "constants"):
            values = engines[label].constants(model)
            if values is None:
                getattr(result, label).notes.append(
                    "model has no .constants: the sweep uses the name from --param, else PySD's"
                )
            else:
                found[label] = values
    return found


def choose_param(
    case: ModelCase,
    engines: dict[str, Any],
    models: dict[str, Any],
    opts: Options,
    result: ModelResult,
) -> dict[str, str]:
    """Pick the sweep constant and its value; returns each engine's spelling of its name."""
    found = find_constants(engines, models, result)
    index = {label: {normalise(name): name for name in values} for label, values in found.items()}
    wanted = opts.params.get(case.name, opts.params.get("*"))
    if wanted is None:
        common = set.intersection(*map(set, index.values())) if index else set()
        keys = sorted(k for k in common if found[next(iter(found))][index[next(iter(found))][k]])
        if not keys:
            return {}
        key = keys[0]
    else:
        key = normalise(wanted)
    names: dict[str, str] = {}
    for label in models:
        if label not in found:
            names[label] = wanted or next((index[o][key] for o in index if key in index[o]), key)
        elif key in index[label]:
            names[label] = index[label][key]
        else:
            getattr(result, label).notes.append(f"sweep: no scalar constant {key!r}")
    base = next((found[label][names[label]] for label in found if label in names), None)
    if base is None:
        return {}
    result.param, result.param_value = names.get("pysd", next(iter(names.values()))), base
    return names


def run_both(
    models: dict[str, Any], engines: dict[str, Any], opts: Options, result: ModelResult
) -> dict[str, pd.DataFrame]:
    frames: dict[str, pd.DataFrame] = {}
    for label, model in models.items():
        outcome: EngineResult = getattr(result, label)
        with stage(outcome, "run"):
            outcome.run_s, frames[label] = time_repeated(
                partial(engines[label].run, model), opts.run_repeats, opts.budget_s
            )
    return frames


def sweep_values(base: float, size: int) -> np.ndarray:
    return base * np.linspace(0.5, 1.5, size)


def sweep_pysd(
    engine: PysdEngine,
    model: Any,
    name: str,
    values: np.ndarray,
    opts: Options,
    outcome: EngineResult,
) -> None:
    """PySD's loop, on an evenly spread sample of the values unless ``--full``."""
    count = len(values) if opts.full else min(opts.sweep_sample, len(values))
    sample = values[np.linspace(0, len(values) - 1, count).round().astype(int)]
    for value in sample:
        seconds, _ = timed(partial(engine.run_with, model, name, float(value)))
        outcome.sweep_per_run_s.append(seconds)
        spent = sum(outcome.sweep_per_run_s)
        if not opts.full and len(outcome.sweep_per_run_s) >= 2 and spent > opts.budget_s:
            break
    outcome.sweep_runs_timed = len(outcome.sweep_per_run_s)
    outcome.sweep_s = statistics.fmean(outcome.sweep_per_run_s) * len(values)


def sweep_wholesystem(
    engine: WholesystemEngine,
    model: Any,
    name: str,
    values: np.ndarray,
    opts: Options,
    outcome: EngineResult,
) -> None:
    table = pd.DataFrame({name: values})
    times, _ = time_repeated(lambda: engine.run_many(model, table), 3, opts.budget_s)
    outcome.sweep_per_run_s = [t / len(values) for t in times]
    outcome.sweep_runs_timed = len(values)
    outcome.sweep_s = statistics.median(times)


def sweep_both(
    models: dict[str, Any],
    engines: dict[str, Any],
    names: dict[str, str],
    opts: Options,
    result: ModelResult,
) -> None:
    assert result.param_value is not None
    values = sweep_values(result.param_value, opts.sweep_size)
    for label, name in names.items():
        with stage(getattr(result, label), f"sweep over {name!r}"):
            sweep = sweep_pysd if label == "pysd" else sweep_wholesystem
            sweep(engines[label], models[label], name, values, opts, getattr(result, label))


def compare_runs(frames: dict[str, pd.DataFrame]) -> str | None:
    """``ok (N columns)`` when shared columns agree at shared times, else the first mismatch."""
    if len(frames) < 2:
        return None
    left, right = frames["pysd"], frames["wholesystem"]
    try:
        times = np.intersect1d(
            np.round(left.index.to_numpy(float), 9), np.round(right.index.to_numpy(float), 9)
        )
        columns = {normalise(str(c)): c for c in left.columns}
        pairs = [
            (columns[normalise(str(c))], c)
            for c in right.columns
            if normalise(str(c)) in columns and normalise(str(c)) not in CONTROL_NAMES
        ]
    except Exception as error:  # results of a foreign shape
        return f"n/a ({first_line(error)})"
    if not pairs or not len(times):
        return "n/a (no shared columns or times)"
    left = left.set_axis(np.round(left.index.to_numpy(float), 9)).loc[times]
    right = right.set_axis(np.round(right.index.to_numpy(float), 9)).loc[times]
    for pysd_col, ws_col in pairs:
        expected = pd.to_numeric(left[pysd_col], errors="coerce").to_numpy(float)
        got = pd.to_numeric(right[ws_col], errors="coerce").to_numpy(float)
        if not np.allclose(got, expected, rtol=REL_TOL, atol=ABS_TOL, equal_nan=True):
            return f"DIFFERS in {ws_col!r}"
    return f"ok, {len(pairs)} col{'s' if len(pairs) > 1 else ''}"


def warm_up(engines: dict[str, Any], cases: Sequence[ModelCase], workdir: Path) -> None:
    """Load and run one cheap model untimed, so first-use costs (imports, grammar building)
    do not land on whichever model happens to come first."""
    case = next((c for c in cases if c.path.is_file() and not c.expensive), None)
    if case is None:
        return
    for label, engine in engines.items():
        if engine is None:
            continue
        with contextlib.suppress(Exception), warnings.catch_warnings():
            warnings.simplefilter("ignore")
            engine.run(engine.load(copy_model(case, workdir / label)))


def bench_model(
    case: ModelCase, engines: dict[str, Any], opts: Options, workdir: Path
) -> ModelResult:
    result = ModelResult(case.name, str(case.path))
    if not case.path.is_file():
        result.skipped = f"file not found: {case.path}"
        if not find_shared_root().is_dir():
            result.skipped = (
                f"shared folder not found at {find_shared_root()} (set WHOLESYSTEM_SHARED)"
            )
        return result
    models = load_both(case, workdir, engines, opts, result)
    if result.skipped:
        return result
    names = choose_param(case, engines, models, opts, result)
    frames = run_both(models, engines, opts, result)
    result.agreement = compare_runs(frames)
    if names:
        sweep_both(models, engines, names, opts, result)
    elif models:
        result.pysd.notes.append("sweep: no non-zero scalar constant (use --param MODEL=NAME)")
    return result


# --------------------------------------------------------------------------- report


def fmt_time(seconds: float | None) -> str:
    if seconds is None:
        return "-"
    if seconds < 1e-3:
        return f"{seconds * 1e6:.0f} µs"
    if seconds < 1:
        return f"{seconds * 1e3:.1f} ms"
    if seconds < 120:
        return f"{seconds:.2f} s"
    return f"{seconds / 60:.1f} min"


def ratio(pysd_s: float | None, ws_s: float | None) -> float | None:
    return pysd_s / ws_s if pysd_s and ws_s else None


def fmt_ratio(value: float | None) -> str:
    return "-" if value is None else f"{value:,.1f}x" if value >= 10 else f"{value:.2f}x"


def ratios(result: ModelResult) -> dict[str, float | None]:
    pysd, ws = result.pysd, result.wholesystem
    return {
        "load": ratio(pysd.load_median, ws.load_median),
        "run": ratio(pysd.run_median, ws.run_median),
        "sweep": ratio(pysd.sweep_s, ws.sweep_s),
    }


def table_rows(results: Sequence[ModelResult], opts: Options) -> list[list[str]]:
    rows = []
    for res in results:
        r = ratios(res)
        sweep_note = (
            ""
            if opts.full or res.pysd.sweep_runs_timed in (0, opts.sweep_sample)
            else f" ({res.pysd.sweep_runs_timed} runs)"
        )
        rows.append(
            [
                res.name,
                res.param or "-",
                fmt_time(res.pysd.load_median),
                fmt_time(res.wholesystem.load_median),
                fmt_ratio(r["load"]),
                fmt_time(res.pysd.run_median),
                fmt_time(res.wholesystem.run_median),
                fmt_ratio(r["run"]),
                fmt_time(res.pysd.sweep_s) + sweep_note,
                fmt_time(res.wholesystem.sweep_s),
                fmt_ratio(r["sweep"]),
                res.agreement or "-",
            ]
        )
    return rows


HEADERS = [
    "model",
    "swept",
    "load pysd",
    "load ws",
    "x",
    "run pysd",
    "run ws",
    "x",
    "sweep pysd",
    "sweep ws",
    "x",
    "agree",
]


def print_table(rows: list[list[str]], title: str) -> None:
    try:
        from rich.console import Console
        from rich.table import Table
    except ImportError:
        widths = [max(len(str(c)) for c in col) for col in zip(HEADERS, *rows, strict=False)]
        print(title)
        for row in [HEADERS, *rows]:
            print("  ".join(str(c).ljust(w) for c, w in zip(row, widths, strict=True)))
        return
    table = Table(title=title, title_justify="left")
    for i, header in enumerate(HEADERS):
        table.add_column(
            header,
            justify="left" if i < 2 or i == 11 else "right",
            style="bold" if header == "x" else None,
            no_wrap=True,
            overflow="ellipsis",
            max_width=28 if i == 1 else None,
        )
    for row in rows:
        table.add_row(*row)
    Console(width=max(190, shutil.get_terminal_size().columns)).print(table)


def geometric_mean(values: Sequence[float]) -> float | None:
    return math.exp(statistics.fmean(math.log(v) for v in values)) if values else None


def summarise(results: Sequence[ModelResult]) -> dict[str, Any]:
    summary: dict[str, Any] = {}
    for metric in ("load", "run", "sweep"):
        values = [v for res in results if (v := ratios(res)[metric]) is not None]
        summary[metric] = {"geomean_ratio": geometric_mean(values), "models": len(values)}
    return summary


def print_report(results: Sequence[ModelResult], opts: Options, env: dict[str, Any]) -> None:
    sweep_how = (
        f"PySD sweep: all {opts.sweep_size} runs timed"
        if opts.full
        else f"PySD sweep: {opts.sweep_sample} runs (fewer when over the {opts.budget_s:g} s "
        f"budget: (n runs)) timed, extrapolated linearly to {opts.sweep_size}"
    )
    title = (
        f"wholesystem {env['wholesystem']} vs PySD {env['pysd']}: x = PySD time / "
        f"wholesystem time (>1: wholesystem faster). {sweep_how}."
    )
    print_table(table_rows(results, opts), title)
    for res in results:
        notes = ([f"skipped: {res.skipped}"] if res.skipped else []) + [
            f"{label}: {err}"
            for label in ("pysd", "wholesystem")
            for err in getattr(res, label).notes
        ]
        for note in notes:
            print(f"  {res.name}: {note}")
    summary = summarise(results)
    parts = [
        f"{m} {fmt_ratio(s['geomean_ratio'])} over {s['models']} models" for m, s in summary.items()
    ]
    print(
        f"Summary (geometric mean of PySD/wholesystem): {'; '.join(parts)}."
        + (
            ""
            if env["wholesystem_status"] == "ok"
            else f" wholesystem {env['wholesystem_status']}."
        )
    )


# --------------------------------------------------------------------------- main


def describe_environment(
    engines: dict[str, Any], statuses: dict[str, str | None]
) -> dict[str, Any]:
    try:
        commit = subprocess.run(
            ["git", "-C", str(REPO_ROOT), "rev-parse", "--short", "HEAD"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        commit = None
    versions = {}
    for name in ("numpy", "pandas", "xarray"):
        with contextlib.suppress(ImportError):
            versions[name] = importlib.import_module(name).__version__
    return {
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "python": platform.python_version(),
        "platform": platform.platform(),
        "cpus": os.cpu_count(),
        "commit": commit,
        **versions,
        "pysd": getattr(engines["pysd"], "version", statuses["pysd"]),
        "wholesystem": getattr(engines["wholesystem"], "version", "?"),
        "wholesystem_status": statuses["wholesystem"] or "ok",
    }


def parse_params(values: Sequence[str]) -> dict[str, str]:
    params = {}
    for value in values:
        model, sep, name = value.partition("=")
        params.update({model: name} if sep else {"*": value})
    return params


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--models",
        nargs="+",
        metavar="TEXT",
        help="only models whose name contains one of these (case-insensitive)",
    )
    parser.add_argument(
        "--all-xmile", action="store_true", help="add every .xmile file of the shared suite"
    )
    parser.add_argument("--list", action="store_true", help="list the models and exit")
    parser.add_argument(
        "--param",
        action="append",
        default=[],
        metavar="[MODEL=]NAME",
        help="constant to sweep (for all models, or MODEL=NAME for one)",
    )
    parser.add_argument("--load-repeats", type=int, default=3)
    parser.add_argument("--repeats", type=int, default=5, help="runs per one-run median")
    parser.add_argument("--sweep-size", type=int, default=1000)
    parser.add_argument(
        "--sweep-sample",
        type=int,
        default=20,
        help="PySD sweep runs actually timed (then extrapolated)",
    )
    parser.add_argument("--full", action="store_true", help="time every PySD sweep run")
    parser.add_argument(
        "--budget",
        type=float,
        default=20.0,
        help="seconds after which a measurement stops repeating (default 20)",
    )
    parser.add_argument(
        "--always-pysd",
        action="store_true",
        help="measure PySD on expensive models wholesystem cannot load",
    )
    parser.add_argument("--json", type=Path, metavar="OUT", help="also write the numbers here")
    return parser.parse_args(argv)


def select_cases(args: argparse.Namespace) -> list[ModelCase]:
    cases = collect_cases(find_shared_root(), args.all_xmile)
    if args.models:
        wanted = [m.lower() for m in args.models]
        cases = [c for c in cases if any(w in c.name.lower() for w in wanted)]
    return cases


def write_json(
    out: Path, results: Sequence[ModelResult], opts: Options, env: dict[str, Any]
) -> None:
    records = []
    for res in results:
        record = asdict(res)
        record["ratios"] = ratios(res)
        for label in ("pysd", "wholesystem"):
            outcome: EngineResult = getattr(res, label)
            record[label].update(load_median_s=outcome.load_median, run_median_s=outcome.run_median)
        records.append(record)
    payload = {
        "environment": env,
        "options": asdict(opts),
        "pysd_sweep_extrapolated": not opts.full,
        "models": records,
        "summary": summarise(results),
    }
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(payload, indent=2, default=str) + "\n", encoding="utf-8")
    print(f"wrote {out}")


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    cases = select_cases(args)
    if args.list or not cases:
        for case in cases:
            print(f"{case.name:28} {case.path}{' (expensive)' if case.expensive else ''}")
        if not find_shared_root().is_dir():
            print(
                f"shared folder not found at {find_shared_root()}: suite models are skipped "
                "(set WHOLESYSTEM_SHARED)"
            )
        return 0 if cases else 1
    opts = Options(
        args.load_repeats,
        args.repeats,
        args.sweep_size,
        args.sweep_sample,
        args.full,
        args.budget,
        args.always_pysd,
        parse_params(args.param),
    )
    engines, statuses = {}, {}
    for label, factory in (("wholesystem", WholesystemEngine), ("pysd", PysdEngine)):
        engines[label], statuses[label] = start_engine(factory)
        if statuses[label]:
            print(f"{label}: {statuses[label]}")
    if engines["pysd"] is not None and engines["pysd"].version != PYSD_VERSION:
        print(f"warning: PySD {engines['pysd'].version} installed; ratios assume {PYSD_VERSION}")
    env = describe_environment(engines, statuses)
    results = []
    with tempfile.TemporaryDirectory(prefix=TEMP_PREFIX) as tmp:
        warm_up(engines, cases, Path(tmp) / "warm-up")
        for i, case in enumerate(cases):
            print(f"[{i + 1}/{len(cases)}] {case.name} ...", file=sys.stderr, flush=True)
            results.append(bench_model(case, engines, opts, Path(tmp) / f"{i:02d}"))
    print_report(results, opts, env)
    if args.json:
        write_json(args.json, results, opts, env)
    return 0


if __name__ == "__main__":
    sys.exit(main())
