"""Background jobs: long analyses run in worker threads of the server process.

A job is a row in the store (:class:`~wholesystem.interfaces.store.schema.Job`) and a
piece of work: a function of a progress callback that returns the job's result. The
worker calls the work, records its progress (at most a few times a second) and writes
the final state together with the whole result in one transaction, so a job that is
cancelled, fails, or dies with the server never leaves half a result in the store.

Cancelling is cooperative: the progress callback raises :class:`JobCancelled` once a
cancel was asked for, so the analysis stops at its next progress point (a chunk of runs,
an optimiser evaluation). A job whose analysis reports no progress runs to its end and
its result is then thrown away.
"""

from __future__ import annotations

import logging
import queue
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from wholesystem.errors import WholesystemError
from wholesystem.interfaces.store import Store

__all__ = ["JobCancelled", "JobOutput", "JobRunner", "Progress", "Work", "phased"]

_log = logging.getLogger(__name__)
Progress = Callable[[int, int], None]
"""``progress(done, total)``: what an analysis calls as it works."""


class JobCancelled(Exception):
    """Raised inside a job's work when it was asked to stop."""


@dataclass(frozen=True)
class JobOutput:
    """What a finished job keeps: its JSON result and, optionally, series as a compact
    columnar archive (see :func:`~wholesystem.interfaces.store.encode_results`)."""

    result: dict[str, object]
    columns: tuple[str, ...] = ()
    data: bytes | None = None


Work = Callable[[Progress], JobOutput]
"""A job's work: given a progress callback, the result."""


def phased(progress: Progress, phases: int, per_phase: int) -> Progress:
    """A callback for work that reports ``0..per_phase`` again for each of ``phases``
    parts (one Monte Carlo study per intervention...), seen as one count to the end."""
    state = {"phase": 0, "last": 0}

    def report(done: int, _total: int) -> None:
        if done < state["last"]:
            state["phase"] += 1
        state["last"] = done
        finished = min(state["phase"], phases - 1) * per_phase + min(done, per_phase)
        progress(finished, phases * per_phase)

    return report


@dataclass
class JobRunner:
    """Worker threads over a queue of jobs.

    Threads are daemons: a server that stops takes its jobs with it, and on the next
    start :meth:`Store.abandon_unfinished_jobs` marks them failed with no result.
    """

    store: Store
    workers: int = 2
    every: float = 0.2
    """Least seconds between two progress writes of one job."""
    _queue: queue.Queue[tuple[int, Work]] = field(default_factory=queue.Queue)
    _cancel: dict[int, threading.Event] = field(default_factory=dict)
    _threads: list[threading.Thread] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def submit(self, job_id: int, work: Work) -> None:
        """Queue ``work`` for the (already stored, queued) job ``job_id``."""
        with self._lock:
            self._cancel[job_id] = threading.Event()
            while len(self._threads) < self.workers:
                thread = threading.Thread(target=self._serve, daemon=True,
                                          name=f"wholesystem-job-{len(self._threads)}")
                thread.start()
                self._threads.append(thread)
        self._queue.put((job_id, work))

    def cancel(self, job_id: int) -> None:
        """Tell a running job to stop at its next progress point."""
        with self._lock:
            event = self._cancel.get(job_id)
        if event is not None:
            event.set()

    def _serve(self) -> None:
        while True:
            job_id, work = self._queue.get()
            try:
                self._run(job_id, work)
            finally:
                with self._lock:
                    self._cancel.pop(job_id, None)
                self._queue.task_done()

    def _run(self, job_id: int, work: Work) -> None:
        with self._lock:
            event = self._cancel.get(job_id) or threading.Event()
        if event.is_set() or not self.store.start_job(job_id):
            return
        try:
            output = work(self._progress(job_id, event))
        except JobCancelled:
            self.store.finish_job(job_id, "cancelled", message="cancelled while running")
        except WholesystemError as error:
            self.store.finish_job(job_id, "failed", message=str(error))
        except Exception:  # the worker must survive any job
            _log.exception("job %s failed", job_id)
            self.store.finish_job(job_id, "failed", message="internal error while running "
                                                            "(see the server log)")
        else:
            if event.is_set():
                self.store.finish_job(job_id, "cancelled", message="cancelled")
            else:
                self.store.finish_job(job_id, "done", result=output.result,
                                      columns=output.columns, data=output.data)

    def _progress(self, job_id: int, event: threading.Event) -> Progress:
        last = [0.0]

        def progress(done: int, total: int) -> None:
            if event.is_set():
                raise JobCancelled
            now = time.monotonic()
            if now - last[0] >= self.every or done >= total:
                last[0] = now
                if self._cancel_asked(job_id):
                    event.set()
                    raise JobCancelled
                self.store.job_progress(job_id, done, total)

        return progress

    def _cancel_asked(self, job_id: int) -> bool:
        # Another server process (or a restart of this one) may have asked in the store.
        job = self.store.job_by_id(job_id)
        return job is None or job.state == "cancelling"
