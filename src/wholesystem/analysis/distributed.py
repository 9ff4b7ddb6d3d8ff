"""Chunks of runs on a Dask cluster: the same studies, spread over workers.

:class:`DaskEvaluator` sends each :class:`~wholesystem.analysis.montecarlo.Chunk` to the
cluster and hands results back in chunk order. Chunks carry their own seeds, so a study
run here gives exactly the numbers it gives locally for the same seed and chunk size. The
model travels as a :class:`~wholesystem.analysis.montecarlo.ModelSource` (its path), and
every worker compiles it once; the path must be readable on the workers.

>>> from wholesystem.analysis.distributed import dask_cluster
>>> with dask_cluster(workers=1) as evaluator:       # doctest: +SKIP
...     study = run_ensemble(source, table, outputs, evaluator=evaluator)
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from wholesystem.analysis.montecarlo import Chunk, ChunkResult, ModelSource, run_chunk
from wholesystem.errors import ParameterError

__all__ = ["DaskEvaluator", "dask_cluster"]


@dataclass(frozen=True)
class DaskEvaluator:
    """Runs chunks on a ``distributed.Client``'s cluster."""

    client: Any
    """A ``dask.distributed.Client``."""

    def map_chunks(self, chunks: Sequence[Chunk]) -> Iterator[ChunkResult]:
        """Results of ``chunks``, in the order given, as each one finishes in turn."""
        for chunk in chunks:
            if not isinstance(chunk.source, ModelSource):
                raise ParameterError("a cluster needs the model as a ModelSource (its path), "
                                     "not a compiled model")
        futures = self.client.map(run_chunk, list(chunks), pure=False)
        try:
            for future in futures:
                yield future.result()
        finally:
            for future in futures:
                future.cancel()


@contextlib.contextmanager
def dask_cluster(scheduler: str | None = None, workers: int | None = None
                 ) -> Iterator[DaskEvaluator]:
    """An evaluator on the cluster at ``scheduler`` (``tcp://host:8786``), or on a local
    cluster of ``workers`` single-threaded processes started (and stopped) here."""
    try:
        from dask.distributed import Client, LocalCluster
    except ImportError:
        raise ParameterError("Dask is not installed",
                             hint="pip install 'wholesystem[distributed]'") from None
    if scheduler:
        with Client(scheduler) as client:  # type: ignore[no-untyped-call]
            yield DaskEvaluator(client)
        return
    if workers is None or workers < 1:
        raise ParameterError("give --scheduler ADDRESS or --workers N (N >= 1)")
    cluster = LocalCluster(  # type: ignore[no-untyped-call]
        n_workers=workers, threads_per_worker=1, processes=True, dashboard_address=None)
    with cluster, Client(cluster) as client:  # type: ignore[no-untyped-call]
        yield DaskEvaluator(client)
