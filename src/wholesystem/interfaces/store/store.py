"""The workbench store: every read scoped to a workspace, every write one transaction.

Each method opens its own session and either commits all it wrote or nothing: a model
and its first version, a run and its results, a workspace and its owner are written
together or not at all, so a killed process never leaves half of one behind.

>>> store = Store("sqlite://")
>>> owner = store.ensure_user("ada")
>>> workspace = store.create_workspace("Discharge workshop", owner.id)
>>> model, version = store.add_model(workspace.id, "Teacup", "xmile", "teacup.xmile", b"<xmile/>")
>>> (version.number, version.size, version.sha256[:12])
(1, 8, '07bcf8f46113')
>>> [m.name for m in store.list_models(workspace.id)]
['Teacup']
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any, TypeVar

from sqlalchemy import Engine, delete, func, select
from sqlalchemy.orm import Session, sessionmaker

from wholesystem.interfaces.store.database import (
    create_store_engine,
    default_database_url,
    migrate,
)
from wholesystem.interfaces.store.schema import (
    ROLES,
    ApiToken,
    BudgetThreshold,
    CshAnswer,
    Evidence,
    Job,
    LogEntry,
    Member,
    ModelVersion,
    Run,
    Scenario,
    StoredModel,
    User,
    Workspace,
    utcnow,
)

__all__ = ["Store", "open_store", "sha256_hex"]

_Row = TypeVar("_Row")
_FINAL = ("done", "failed", "cancelled")


def sha256_hex(content: bytes) -> str:
    """Hex SHA-256 of ``content``."""
    return hashlib.sha256(content).hexdigest()


def open_store(url: str | None = None) -> Store:
    """The store at ``url`` (default: :func:`default_database_url`), migrated."""
    return Store(url or default_database_url())


class Store:
    """Workspaces, models, scenarios, runs and the log in one database."""

    def __init__(self, url: str, engine: Engine | None = None):
        self.url = url
        self.engine = engine or create_store_engine(url)
        migrate(self.engine)
        self._sessions = sessionmaker(self.engine, expire_on_commit=False)

    @contextmanager
    def _write(self) -> Iterator[Session]:
        with self._sessions.begin() as session:
            yield session

    @contextmanager
    def _read(self) -> Iterator[Session]:
        with self._sessions() as session:
            yield session

    def _one(self, row_type: type[_Row], **where: Any) -> _Row | None:
        with self._read() as session:
            return session.scalars(select(row_type).filter_by(**where)).first()

    def _all(self, row_type: type[_Row], order: Any, **where: Any) -> list[_Row]:
        with self._read() as session:
            return list(session.scalars(select(row_type).filter_by(**where).order_by(order)))

    def _add(self, row: _Row) -> _Row:
        with self._write() as session:
            session.add(row)
        return row

    def close(self) -> None:
        """Release the engine's connections."""
        self.engine.dispose()

    # users and access -------------------------------------------------------------
    def ensure_user(self, username: str, password_hash: str | None = None) -> User:
        """The user called ``username``, created if new (its password set if given)."""
        with self._write() as session:
            user = session.scalars(select(User).filter_by(username=username)).first()
            if user is None:
                user = User(username=username, password_hash=password_hash)
                session.add(user)
            elif password_hash is not None:
                user.password_hash = password_hash
            session.flush()
        return user

    def user(self, user_id: int) -> User | None:
        """The user with id ``user_id``."""
        return self._one(User, id=user_id)

    def user_named(self, username: str) -> User | None:
        """The user called ``username``."""
        return self._one(User, username=username)

    def add_token(self, user_id: int, token_sha256: str, label: str = "") -> ApiToken:
        """Keep an API token's hash for a user."""
        return self._add(ApiToken(user_id=user_id, token_sha256=token_sha256, label=label))

    def user_for_token(self, token_sha256: str) -> User | None:
        """Whose token hashes to ``token_sha256``."""
        with self._read() as session:
            return session.scalars(select(User).join(ApiToken, ApiToken.user_id == User.id)
                                   .where(ApiToken.token_sha256 == token_sha256)).first()

    def create_workspace(self, name: str, owner_id: int) -> Workspace:
        """A new workspace, owned by ``owner_id``."""
        with self._write() as session:
            workspace = Workspace(name=name)
            session.add(workspace)
            session.flush()
            session.add(Member(workspace_id=workspace.id, user_id=owner_id, role="owner"))
        return workspace

    def workspaces_of(self, user_id: int) -> list[tuple[Workspace, str]]:
        """Each workspace ``user_id`` belongs to, with their role, oldest first."""
        with self._read() as session:
            rows = session.execute(
                select(Workspace, Member.role).join(Member, Member.workspace_id == Workspace.id)
                .where(Member.user_id == user_id).order_by(Workspace.id))
            return [(workspace, role) for workspace, role in rows]

    def workspace(self, workspace_id: int) -> Workspace | None:
        """The workspace with id ``workspace_id``."""
        return self._one(Workspace, id=workspace_id)

    def role_of(self, user_id: int, workspace_id: int) -> str | None:
        """``user_id``'s role in the workspace (None: not a member)."""
        member = self._one(Member, user_id=user_id, workspace_id=workspace_id)
        return member.role if member is not None else None

    def set_member(self, workspace_id: int, user_id: int, role: str) -> Member:
        """Give ``user_id`` ``role`` in the workspace (added or changed)."""
        if role not in ROLES:
            raise ValueError(f"role must be one of {', '.join(ROLES)}, not {role!r}")
        with self._write() as session:
            member = session.get(Member, (workspace_id, user_id))
            if member is None:
                member = Member(workspace_id=workspace_id, user_id=user_id, role=role)
                session.add(member)
            member.role = role
        return member

    def members(self, workspace_id: int) -> list[tuple[User, str]]:
        """The workspace's members and their roles."""
        with self._read() as session:
            rows = session.execute(select(User, Member.role).join(
                Member, Member.user_id == User.id).where(
                Member.workspace_id == workspace_id).order_by(User.username))
            return [(user, role) for user, role in rows]

    # models -----------------------------------------------------------------------
    def add_model(self, workspace_id: int, name: str, kind: str, filename: str,
                  content: bytes, note: str = "") -> tuple[StoredModel, ModelVersion]:
        """A new model and its first version, written together."""
        with self._write() as session:
            model = StoredModel(workspace_id=workspace_id, name=name, kind=kind)
            session.add(model)
            session.flush()
            version = _version(model.id, 1, filename, content, note)
            session.add(version)
        return model, version

    def add_version(self, workspace_id: int, model_id: int, filename: str, content: bytes,
                    note: str = "") -> ModelVersion | None:
        """The model's next version (None: no such model in this workspace)."""
        with self._write() as session:
            model = session.scalars(select(StoredModel).filter_by(
                id=model_id, workspace_id=workspace_id).with_for_update()).first()
            if model is None:
                return None
            latest = session.scalar(select(func.max(ModelVersion.number))
                                    .where(ModelVersion.model_id == model_id))
            version = _version(model_id, (latest or 0) + 1, filename, content, note)
            session.add(version)
        return version

    def list_models(self, workspace_id: int) -> list[StoredModel]:
        """The workspace's models, oldest first."""
        return self._all(StoredModel, StoredModel.id, workspace_id=workspace_id)

    def model(self, workspace_id: int, model_id: int) -> StoredModel | None:
        """One of the workspace's models."""
        return self._one(StoredModel, id=model_id, workspace_id=workspace_id)

    def versions(self, workspace_id: int, model_id: int) -> list[ModelVersion]:
        """The model's versions, first to latest (empty: no such model here)."""
        with self._read() as session:
            return list(session.scalars(
                select(ModelVersion).join(StoredModel, StoredModel.id == ModelVersion.model_id)
                .where(StoredModel.id == model_id, StoredModel.workspace_id == workspace_id)
                .order_by(ModelVersion.number)))

    def version(self, workspace_id: int, version_id: int) -> ModelVersion | None:
        """A model version by id, if its model is in the workspace."""
        with self._read() as session:
            return session.scalars(
                select(ModelVersion).join(StoredModel, StoredModel.id == ModelVersion.model_id)
                .where(ModelVersion.id == version_id,
                       StoredModel.workspace_id == workspace_id)).first()

    def model_of_version(self, version: ModelVersion) -> StoredModel:
        """The model a version belongs to."""
        model = self._one(StoredModel, id=version.model_id)
        assert model is not None  # a version's model is deleted with it (cascade)
        return model

    # scenarios, runs, log ---------------------------------------------------------
    def add_scenario(self, workspace_id: int, version_id: int, name: str, base: str,
                     levers: dict[str, float], note: str = "") -> Scenario:
        """Save lever values over a base scenario, with a note."""
        return self._add(Scenario(workspace_id=workspace_id, version_id=version_id,
                                  name=name, base=base, levers=dict(levers), note=note))

    def list_scenarios(self, workspace_id: int) -> list[Scenario]:
        """The workspace's saved scenarios, oldest first."""
        return self._all(Scenario, Scenario.id, workspace_id=workspace_id)

    def scenario(self, workspace_id: int, scenario_id: int) -> Scenario | None:
        """One saved scenario of the workspace."""
        return self._one(Scenario, id=scenario_id, workspace_id=workspace_id)

    def add_run(self, workspace_id: int, version_id: int, *, base: str,
                levers: dict[str, float], columns: Sequence[str], results: bytes,
                engine_version: str, summary: dict[str, Any],
                scenario_id: int | None = None, seed: int | None = None) -> Run:
        """Keep a run and its results, together."""
        return self._add(Run(workspace_id=workspace_id, version_id=version_id,
                             scenario_id=scenario_id, base=base, levers=dict(levers),
                             seed=seed, engine_version=engine_version, columns=list(columns),
                             results=results, results_sha256=sha256_hex(results),
                             summary=summary))

    def list_runs(self, workspace_id: int) -> list[Run]:
        """The workspace's runs, oldest first."""
        return self._all(Run, Run.id, workspace_id=workspace_id)

    def run(self, workspace_id: int, run_id: int) -> Run | None:
        """One run of the workspace."""
        return self._one(Run, id=run_id, workspace_id=workspace_id)

    def add_log_entry(self, workspace_id: int, *, author: str, question: str = "",
                      hypothesis: str = "", findings: str = "", decision: str = "",
                      run_id: int | None = None,
                      scenario_id: int | None = None) -> LogEntry:
        """One entry in the workspace's experiment log."""
        return self._add(LogEntry(workspace_id=workspace_id, author=author, question=question,
                                  hypothesis=hypothesis, findings=findings, decision=decision,
                                  run_id=run_id, scenario_id=scenario_id))

    def list_log(self, workspace_id: int) -> list[LogEntry]:
        """The workspace's experiment log, oldest first."""
        return self._all(LogEntry, LogEntry.id, workspace_id=workspace_id)

    # boundary and evidence --------------------------------------------------------
    def set_csh_answer(self, workspace_id: int, model_id: int, question: str,
                       is_answer: str, ought_answer: str) -> CshAnswer:
        """Answer (or re-answer) a Critical Systems Heuristics question for a model."""
        with self._write() as session:
            answer = session.scalars(select(CshAnswer).filter_by(
                model_id=model_id, question=question)).first()
            if answer is None:
                answer = CshAnswer(workspace_id=workspace_id, model_id=model_id,
                                   question=question)
                session.add(answer)
            answer.is_answer, answer.ought_answer = is_answer, ought_answer
            answer.updated_at = utcnow()
        return answer

    def csh_answers(self, workspace_id: int, model_id: int) -> list[CshAnswer]:
        """A model's CSH answers."""
        return self._all(CshAnswer, CshAnswer.question, workspace_id=workspace_id,
                         model_id=model_id)

    def set_evidence(self, workspace_id: int, model_id: int, parameter: str, *,
                     source: str, owner: str, note: str = "") -> Evidence:
        """Record (or replace) where a parameter's value comes from."""
        with self._write() as session:
            evidence = session.scalars(select(Evidence).filter_by(
                model_id=model_id, parameter=parameter)).first()
            if evidence is None:
                evidence = Evidence(workspace_id=workspace_id, model_id=model_id,
                                    parameter=parameter)
                session.add(evidence)
            evidence.source, evidence.owner, evidence.note = source, owner, note
            evidence.updated_at = utcnow()
        return evidence

    def evidence(self, workspace_id: int, model_id: int) -> list[Evidence]:
        """A model's evidence, by parameter."""
        return self._all(Evidence, Evidence.parameter, workspace_id=workspace_id,
                         model_id=model_id)

    # budget thresholds ------------------------------------------------------------
    def set_budget(self, workspace_id: int, model_id: int, organisation: str, *,
                   amount: float, set_by: str, note: str = "") -> BudgetThreshold:
        """Set (or replace) an organisation's budget threshold for a model."""
        with self._write() as session:
            budget = session.scalars(select(BudgetThreshold).filter_by(
                model_id=model_id, organisation=organisation)).first()
            if budget is None:
                budget = BudgetThreshold(workspace_id=workspace_id, model_id=model_id,
                                         organisation=organisation)
                session.add(budget)
            budget.amount, budget.set_by, budget.note = amount, set_by, note
            budget.updated_at = utcnow()
        return budget

    def budgets(self, workspace_id: int, model_id: int) -> list[BudgetThreshold]:
        """A model's budget thresholds, by organisation."""
        return self._all(BudgetThreshold, BudgetThreshold.organisation,
                         workspace_id=workspace_id, model_id=model_id)

    def remove_budget(self, workspace_id: int, model_id: int, organisation: str) -> bool:
        """Remove an organisation's threshold; False when it had none."""
        with self._write() as session:
            removed = session.execute(delete(BudgetThreshold).where(
                BudgetThreshold.workspace_id == workspace_id,
                BudgetThreshold.model_id == model_id,
                BudgetThreshold.organisation == organisation))
        return bool(getattr(removed, "rowcount", 0))

    # background jobs --------------------------------------------------------------
    def add_job(self, workspace_id: int, version_id: int, kind: str,
                request: dict[str, Any], total: int, author: str = "") -> Job:
        """A queued job."""
        return self._add(Job(workspace_id=workspace_id, version_id=version_id, kind=kind,
                             request=request, state="queued", done=0, total=total,
                             message="", result_columns=[], author=author))

    def job(self, workspace_id: int, job_id: int) -> Job | None:
        """One job of the workspace."""
        return self._one(Job, id=job_id, workspace_id=workspace_id)

    def job_by_id(self, job_id: int) -> Job | None:
        """A job, whichever workspace it belongs to (for the worker)."""
        return self._one(Job, id=job_id)

    def list_jobs(self, workspace_id: int) -> list[Job]:
        """The workspace's jobs, oldest first."""
        return self._all(Job, Job.id, workspace_id=workspace_id)

    def count_unfinished_jobs(self, workspace_id: int) -> int:
        """Jobs of the workspace still queued or running."""
        with self._read() as session:
            return int(session.scalar(select(func.count()).select_from(Job).where(
                Job.workspace_id == workspace_id, Job.state.not_in(_FINAL))) or 0)

    def start_job(self, job_id: int) -> bool:
        """Mark a queued job running; False when it was cancelled before it started."""
        with self._write() as session:
            job = session.get(Job, job_id)
            if job is None or job.state != "queued":
                return False
            job.state, job.started_at = "running", utcnow()
        return True

    def job_progress(self, job_id: int, done: int, total: int, message: str = "") -> None:
        """Record progress of a running job (never changes its state)."""
        with self._write() as session:
            job = session.get(Job, job_id)
            if job is not None and job.state not in _FINAL:
                job.done, job.total = int(done), int(total)
                if message:
                    job.message = message

    def request_cancel(self, workspace_id: int, job_id: int) -> Job | None:
        """Ask a job to stop: a queued one is cancelled at once, a running one is marked
        ``cancelling`` and stops at its next progress point; finished ones stay as they are."""
        with self._write() as session:
            job = session.scalars(select(Job).filter_by(
                id=job_id, workspace_id=workspace_id).with_for_update()).first()
            if job is None:
                return None
            if job.state == "queued":
                job.state, job.finished_at = "cancelled", utcnow()
                job.message = "cancelled before it started"
            elif job.state == "running":
                job.state = "cancelling"
        return job

    def finish_job(self, job_id: int, state: str, *, result: dict[str, Any] | None = None,
                   columns: Sequence[str] = (), data: bytes | None = None,
                   message: str = "") -> None:
        """The job's final state and its whole result, in one transaction. A job asked to
        cancel ends ``cancelled`` with no result, even if its work had just finished."""
        if state not in _FINAL:
            raise ValueError(f"{state!r} is not a final job state")
        with self._write() as session:
            job = session.scalars(select(Job).filter_by(id=job_id).with_for_update()).first()
            if job is None or job.state in _FINAL:
                return
            if job.state == "cancelling":
                state, result, columns, data = "cancelled", None, (), None
                message = message or "cancelled"
            job.state, job.message, job.finished_at = state, message, utcnow()
            job.result, job.result_columns, job.result_data = result, list(columns), data
            if state == "done":
                job.done = job.total

    def abandon_unfinished_jobs(self) -> int:
        """Jobs left queued or running by a server that stopped: failed, with no result
        (their work was in that process). How many there were."""
        with self._write() as session:
            jobs = list(session.scalars(select(Job).where(Job.state.not_in(_FINAL))))
            for job in jobs:
                job.state, job.finished_at = "failed", utcnow()
                job.message = "the server stopped before this job finished; start it again"
                job.result, job.result_columns, job.result_data = None, [], None
            return len(jobs)


def _version(model_id: int, number: int, filename: str, content: bytes,
             note: str) -> ModelVersion:
    return ModelVersion(model_id=model_id, number=number, filename=filename,
                        content=bytes(content), sha256=sha256_hex(content), size=len(content),
                        note=note)
