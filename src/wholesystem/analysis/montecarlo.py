"""Monte Carlo: a parameter table run as vectorised chunks, streamed to Parquet, summarised.

Runs are cut into chunks of ``chunk_size`` rows; each chunk is one vectorised
:meth:`~wholesystem.run.Model.run_many` call whose random-number seed is the chunk's child
of ``numpy.random.SeedSequence(seed)``. The answer depends only on the table, the chunk size
and the seed, never on where or in which order chunks run, which is what lets a Dask
cluster (:mod:`~wholesystem.analysis.distributed`) give the local run's numbers exactly.

With ``store=PATH`` every chunk is appended to ``PATH/runs.parquet`` as it arrives (one
row group per chunk; columns ``run``, ``time`` and one per output) and nothing is kept in
memory, so a 100,000-run study never has to fit; percentile bands are then read back one
output column at a time.

>>> import wholesystem
>>> from wholesystem.analysis.montecarlo import run_ensemble
>>> model = wholesystem.load(wholesystem.example_path("teacup"))
>>> table = {"Room Temperature": [60.0, 70.0, 80.0]}
>>> study = run_ensemble(model, table, ["Teacup Temperature"], chunk_size=2)
>>> study.runs, study.bands("Teacup Temperature").columns.tolist()
(3, ['p5', 'p25', 'p50', 'p75', 'p95', 'mean'])
"""

from __future__ import annotations

import functools
import os
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from wholesystem.datafiles import FileAccess, atomic_output
from wholesystem.errors import ParameterError, UnknownNameError
from wholesystem.ir.names import canonical_name
from wholesystem.limits import Limits
from wholesystem.run import Model

__all__ = ["ModelSource", "Chunk", "ChunkResult", "Evaluator", "LocalEvaluator",
           "Ensemble", "run_ensemble", "run_chunk", "chunk_table", "resolve_model",
           "open_store", "PERCENTILES"]

PERCENTILES = (5, 25, 50, 75, 95)


@dataclass(frozen=True)
class ModelSource:
    """Where a model comes from, small enough to send to another process.

    ``path`` is a model file (XMILE, Vensim) or a system file (``.yaml``, run in
    ``scenario``). Each process loads and compiles it once and keeps it.
    """

    path: str
    scenario: str = "baseline"
    limits: Limits = field(default_factory=Limits)
    """The resource limits it is read, compiled and run under."""

    def load(self) -> Model:
        """The compiled model (loaded once per process)."""
        resolved = Path(self.path).resolve()
        return _load_cached(str(resolved), self.scenario, resolved.stat().st_mtime_ns,
                            self.limits)


@functools.lru_cache(maxsize=16)
def _load_cached(path: str, scenario: str, _mtime: int, limits: Limits) -> Model:
    access = FileAccess.for_cli(path, limits=limits)
    if Path(path).suffix.lower() in (".yaml", ".yml"):
        from wholesystem.system.model import load_system

        return load_system(path, access).model(scenario)[2]
    from wholesystem.run import load

    return load(path, access)


def resolve_model(source: Model | ModelSource) -> Model:
    """The model itself, loading a :class:`ModelSource`."""
    return source.load() if isinstance(source, ModelSource) else source


@dataclass(frozen=True)
class Chunk:
    """A slice of the runs, with everything needed to simulate it anywhere."""

    source: Model | ModelSource
    table: pd.DataFrame
    """Its rows of the parameter table (index: run numbers)."""
    outputs: tuple[str, ...]
    seed: int
    number: int


@dataclass(frozen=True)
class ChunkResult:
    """A simulated chunk."""

    number: int
    runs: NDArray[np.int64]
    times: NDArray[np.float64]
    values: NDArray[np.float64]
    """Shape (time, run, output)."""
    labels: tuple[str, ...]


def run_chunk(chunk: Chunk) -> ChunkResult:
    """Simulate one chunk (what a worker does)."""
    model = resolve_model(chunk.source)
    results = model.run_many(chunk.table.reset_index(drop=True),
                             return_columns=list(chunk.outputs), seed=chunk.seed)
    labels = tuple(results.columns)
    return ChunkResult(chunk.number, chunk.table.index.to_numpy(dtype=np.int64),
                       results.times, results.values, labels)


class Evaluator(Protocol):
    """Runs chunks somewhere and hands back their results in chunk order."""

    def map_chunks(self, chunks: Sequence[Chunk]) -> Iterator[ChunkResult]:
        """Results of ``chunks``, in the order given."""
        ...


@dataclass(frozen=True)
class LocalEvaluator:
    """Chunks one after another in this process."""

    def map_chunks(self, chunks: Sequence[Chunk]) -> Iterator[ChunkResult]:
        """Results of ``chunks``, in the order given."""
        return (run_chunk(c) for c in chunks)


def chunk_table(table: pd.DataFrame, chunk_size: int, seed: int
                ) -> list[tuple[pd.DataFrame, int]]:
    """The table cut into chunks, each with its seed (a child of ``SeedSequence(seed)``)."""
    if chunk_size < 1:
        raise ParameterError("the chunk size must be at least 1")
    starts = range(0, len(table), chunk_size)
    children = np.random.SeedSequence(seed).spawn(len(starts))
    return [(table.iloc[s:s + chunk_size], int(child.generate_state(1)[0]))
            for s, child in zip(starts, children, strict=True)]


@dataclass
class Ensemble:
    """A finished Monte Carlo study: in memory, on disk, or both."""

    times: NDArray[np.float64]
    labels: tuple[str, ...]
    parameters: pd.DataFrame
    values: NDArray[np.float64] | None = None
    """Shape (time, run, output) when kept in memory."""
    store: Path | None = None
    """The folder holding ``runs.parquet`` and ``parameters.parquet``, if streamed."""
    _cache: dict[str, NDArray[np.float64]] = field(default_factory=dict, repr=False)

    @property
    def runs(self) -> int:
        """Number of runs."""
        return len(self.parameters)

    def series(self, output: str) -> NDArray[np.float64]:
        """One output, shape (time, run)."""
        label = self._label(output)
        if self.values is not None:
            return self.values[:, :, self.labels.index(label)]
        if label not in self._cache:
            import pyarrow.parquet as pq

            assert self.store is not None
            column = pq.read_table(self.store / "runs.parquet", columns=[label])[label]
            flat = column.to_numpy()
            self._cache = {label: flat.reshape(self.runs, len(self.times)).T}
        return self._cache[label]

    def final(self, output: str) -> NDArray[np.float64]:
        """One output at the last saved time, one value per run."""
        return self.series(output)[-1]

    def bands(self, output: str, percentiles: Sequence[float] = PERCENTILES
              ) -> pd.DataFrame:
        """Percentiles over runs at each time (columns ``p5``... and ``mean``)."""
        values = self.series(output)
        table = pd.DataFrame(np.percentile(values, list(percentiles), axis=1).T,
                             index=pd.Index(self.times, name="time"),
                             columns=[f"p{p:g}" for p in percentiles])
        table["mean"] = values.mean(axis=1)
        return table

    def _label(self, output: str) -> str:
        if output in self.labels:
            return output
        key = canonical_name(output)
        for label in self.labels:
            if canonical_name(label) == key:
                return label
        raise UnknownNameError(output, hint="not an output of this study: "
                                            + ", ".join(self.labels))


def run_ensemble(source: Model | ModelSource,
                 table: pd.DataFrame | Mapping[str, Sequence[float]],
                 outputs: Sequence[str], *, chunk_size: int = 1000, seed: int = 0,
                 evaluator: Evaluator | None = None, store: str | Path | None = None,
                 keep: bool | None = None,
                 progress: Callable[[int, int], None] | None = None) -> Ensemble:
    """Run every row of ``table`` and collect ``outputs`` over time.

    ``evaluator`` chooses where chunks run (default: here, one after another); ``store``
    streams results to Parquet; ``keep`` holds them in memory too (default: only without
    a store); ``progress(done, total)`` is called after each chunk with runs done.
    """
    frame = pd.DataFrame(table).reset_index(drop=True)
    if frame.empty:
        raise ParameterError("the parameter table has no rows")
    if not outputs:
        raise ParameterError("name at least one output")
    keep = store is None if keep is None else keep
    chunks = [Chunk(source, part, tuple(outputs), chunk_seed, k)
              for k, (part, chunk_seed) in enumerate(chunk_table(frame, chunk_size, seed))]
    results = (evaluator or LocalEvaluator()).map_chunks(chunks)
    sink = _ParquetSink(Path(store), frame) if store is not None else None
    kept: list[NDArray[np.float64]] = []
    times: NDArray[np.float64] | None = None
    labels: tuple[str, ...] = ()
    done = 0
    try:
        for result in results:
            times, labels = result.times, result.labels
            if sink is not None:
                sink.write(result)
            if keep:
                kept.append(result.values)
            done += len(result.runs)
            if progress is not None:
                progress(done, len(frame))
    except BaseException:
        if sink is not None:
            sink.close(complete=False)
        raise
    if sink is not None:
        sink.close()
    assert times is not None
    values = np.concatenate(kept, axis=1) if keep else None
    return Ensemble(times, labels, frame, values, Path(store) if store is not None else None)


class _ParquetSink:
    """Appends chunks to ``runs.parquet`` (long format) and writes ``parameters.parquet``."""

    def __init__(self, folder: Path, parameters: pd.DataFrame):
        folder.mkdir(parents=True, exist_ok=True)
        self.folder = folder
        self.writer: Any = None
        # Runs stream into a partial file renamed into place when the study is complete,
        # so a reader never sees half a study (see datafiles.atomic_output).
        self.partial = folder / ".runs.parquet.partial"
        with atomic_output(folder / "parameters.parquet", binary=True) as handle:
            parameters.rename_axis("run").reset_index().to_parquet(handle, index=False)

    def write(self, result: ChunkResult) -> None:
        import pyarrow as pa
        import pyarrow.parquet as pq

        n_times, n_runs, _ = result.values.shape
        columns: dict[str, Any] = {
            "run": np.repeat(result.runs, n_times),
            "time": np.tile(result.times, n_runs),
        }
        run_major = result.values.transpose(1, 0, 2).reshape(n_runs * n_times, -1)
        for k, label in enumerate(result.labels):
            columns[label] = run_major[:, k]
        batch = pa.table(columns)
        if self.writer is None:
            self.writer = pq.ParquetWriter(self.partial, batch.schema)
        self.writer.write_table(batch)

    def close(self, complete: bool = True) -> None:
        """Finish the file; ``complete`` puts it in place, else it is removed."""
        if self.writer is None:
            return
        self.writer.close()
        if complete:
            os.replace(self.partial, self.folder / "runs.parquet")
        else:
            self.partial.unlink(missing_ok=True)


def open_store(folder: str | Path) -> Ensemble:
    """A study streamed earlier, read back lazily from its folder."""
    import pyarrow.parquet as pq

    folder = Path(folder)
    parameters = pd.read_parquet(folder / "parameters.parquet").set_index("run")
    schema = pq.read_schema(folder / "runs.parquet")
    labels = tuple(n for n in schema.names if n not in ("run", "time"))
    first_run = pq.read_table(folder / "runs.parquet", columns=["run", "time"],
                              ).to_pandas()
    times = first_run.loc[first_run["run"] == first_run["run"].iloc[0], "time"].to_numpy()
    return Ensemble(times, labels, parameters.reset_index(drop=True), None, folder)

