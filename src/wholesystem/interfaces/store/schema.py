"""The workbench's tables: workspaces and their members, models and their versions,
scenarios, runs, the experiment log, Critical Systems Heuristics answers and evidence.

The tables are declared once here; :mod:`~wholesystem.interfaces.store.migrations`
creates and evolves them (Alembic), so a database made by an older release is upgraded
in place, never recreated.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, ClassVar

from sqlalchemy import (
    JSON,
    DateTime,
    Float,
    ForeignKey,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

__all__ = ["Base", "User", "ApiToken", "Workspace", "Member", "StoredModel", "ModelVersion",
           "Scenario", "Run", "LogEntry", "CshAnswer", "Evidence", "BudgetThreshold", "Job",
           "ROLES", "JOB_STATES", "utcnow"]

ROLES = ("viewer", "editor", "owner")
"""Workspace roles, weakest first: viewers read, editors also write, owners also manage
members."""


JOB_STATES = ("queued", "running", "cancelling", "done", "failed", "cancelled")
"""A background job's states; the last three are final."""


def utcnow() -> datetime:
    """Now, in UTC (every timestamp the store writes)."""
    return datetime.now(UTC)


class Base(DeclarativeBase):
    """Declarative base of the workbench tables."""

    type_annotation_map: ClassVar[dict[Any, Any]] = {dict[str, Any]: JSON, list[Any]: JSON}


class User(Base):
    """Someone who signs in (shared mode) or the one local user (local mode)."""

    __tablename__ = "users"
    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(80), unique=True)
    password_hash: Mapped[str | None] = mapped_column(String(200))
    """argon2 hash; none for users who only use API tokens."""
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class ApiToken(Base):
    """A bearer token; only its SHA-256 is kept."""

    __tablename__ = "api_tokens"
    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    token_sha256: Mapped[str] = mapped_column(String(64), unique=True)
    label: Mapped[str] = mapped_column(String(200), default="")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class Workspace(Base):
    """A group's shared place: its models, scenarios, runs and log."""

    __tablename__ = "workspaces"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class Member(Base):
    """A user's role in a workspace."""

    __tablename__ = "members"
    workspace_id: Mapped[int] = mapped_column(
        ForeignKey("workspaces.id", ondelete="CASCADE"), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"),
                                         primary_key=True)
    role: Mapped[str] = mapped_column(String(20))


class StoredModel(Base):
    """A model or system file, with one or more versions."""

    __tablename__ = "models"
    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"),
                                              index=True)
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(20))
    """``system``, ``xmile`` or ``vensim``."""
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class ModelVersion(Base):
    """One uploaded file, kept byte for byte with its hash."""

    __tablename__ = "model_versions"
    __table_args__ = (UniqueConstraint("model_id", "number"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    model_id: Mapped[int] = mapped_column(ForeignKey("models.id", ondelete="CASCADE"),
                                          index=True)
    number: Mapped[int] = mapped_column(Integer)
    filename: Mapped[str] = mapped_column(String(255))
    content: Mapped[bytes] = mapped_column(LargeBinary)
    sha256: Mapped[str] = mapped_column(String(64))
    size: Mapped[int] = mapped_column(Integer)
    note: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class Scenario(Base):
    """Lever values over a base scenario of one model version, with a note."""

    __tablename__ = "scenarios"
    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"),
                                              index=True)
    version_id: Mapped[int] = mapped_column(ForeignKey("model_versions.id",
                                                       ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(200))
    base: Mapped[str] = mapped_column(String(200), default="baseline")
    """The system's own scenario the levers are moved from."""
    levers: Mapped[dict[str, Any]] = mapped_column(default=dict)
    note: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class Run(Base):
    """A simulated scenario: what went in and the results, in a compact columnar form."""

    __tablename__ = "runs"
    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"),
                                              index=True)
    version_id: Mapped[int] = mapped_column(ForeignKey("model_versions.id",
                                                       ondelete="CASCADE"))
    scenario_id: Mapped[int | None] = mapped_column(ForeignKey("scenarios.id",
                                                               ondelete="SET NULL"))
    base: Mapped[str] = mapped_column(String(200), default="baseline")
    levers: Mapped[dict[str, Any]] = mapped_column(default=dict)
    seed: Mapped[int | None] = mapped_column(Integer)
    engine_version: Mapped[str] = mapped_column(String(40))
    columns: Mapped[list[Any]] = mapped_column(default=list)
    results: Mapped[bytes] = mapped_column(LargeBinary)
    """Compressed NumPy archive: ``time`` and one float64 array per column."""
    results_sha256: Mapped[str] = mapped_column(String(64))
    summary: Mapped[dict[str, Any]] = mapped_column(default=dict)
    """Headline figures (cost per organisation...) for lists and the log."""
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class LogEntry(Base):
    """The experiment log: question, hypothesis, findings and decision for a run."""

    __tablename__ = "experiment_log"
    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"),
                                              index=True)
    run_id: Mapped[int | None] = mapped_column(ForeignKey("runs.id", ondelete="SET NULL"))
    scenario_id: Mapped[int | None] = mapped_column(ForeignKey("scenarios.id",
                                                               ondelete="SET NULL"))
    author: Mapped[str] = mapped_column(String(80), default="")
    question: Mapped[str] = mapped_column(Text, default="")
    hypothesis: Mapped[str] = mapped_column(Text, default="")
    findings: Mapped[str] = mapped_column(Text, default="")
    decision: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class CshAnswer(Base):
    """An answer to one of Ulrich's twelve Critical Systems Heuristics questions."""

    __tablename__ = "csh_answers"
    __table_args__ = (UniqueConstraint("model_id", "question"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"),
                                              index=True)
    model_id: Mapped[int] = mapped_column(ForeignKey("models.id", ondelete="CASCADE"))
    question: Mapped[str] = mapped_column(String(40))
    is_answer: Mapped[str] = mapped_column(Text, default="")
    """What *is* the case."""
    ought_answer: Mapped[str] = mapped_column(Text, default="")
    """What *ought* to be the case."""
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class Evidence(Base):
    """Where a parameter's value comes from and who answers for it."""

    __tablename__ = "evidence"
    __table_args__ = (UniqueConstraint("model_id", "parameter"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"),
                                              index=True)
    model_id: Mapped[int] = mapped_column(ForeignKey("models.id", ondelete="CASCADE"))
    parameter: Mapped[str] = mapped_column(String(300))
    source: Mapped[str] = mapped_column(Text, default="")
    owner: Mapped[str] = mapped_column(String(200), default="")
    note: Mapped[str] = mapped_column(Text, default="")
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class BudgetThreshold(Base):
    """An organisation's budget for a model: scenarios costing it more are flagged."""

    __tablename__ = "budget_thresholds"
    __table_args__ = (UniqueConstraint("model_id", "organisation"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"),
                                              index=True)
    model_id: Mapped[int] = mapped_column(ForeignKey("models.id", ondelete="CASCADE"))
    organisation: Mapped[str] = mapped_column(String(200))
    """The organisation's id in the system file."""
    amount: Mapped[float] = mapped_column(Float)
    """Its budget over the system's horizon, in the file's currency."""
    set_by: Mapped[str] = mapped_column(String(80), default="")
    """Who set it (user name)."""
    note: Mapped[str] = mapped_column(Text, default="")
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class Job(Base):
    """A long analysis run in the background: its request, its progress and its result.

    The result, the final state and the finishing time are written in one transaction;
    until then ``result`` is empty, so a cancelled or killed job never leaves half a
    result behind.
    """

    __tablename__ = "jobs"
    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"),
                                              index=True)
    version_id: Mapped[int] = mapped_column(ForeignKey("model_versions.id",
                                                       ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(40))
    """``ensemble``, ``sensitivity``, ``rank``, ``calibration``..."""
    request: Mapped[dict[str, Any]] = mapped_column(default=dict)
    """What was asked for (the validated request body)."""
    state: Mapped[str] = mapped_column(String(20), default="queued")
    """One of :data:`JOB_STATES`."""
    done: Mapped[int] = mapped_column(Integer, default=0)
    total: Mapped[int] = mapped_column(Integer, default=0)
    """Progress: units of work done out of ``total`` (runs, evaluations...)."""
    message: Mapped[str] = mapped_column(Text, default="")
    """Why it failed, or what it is doing."""
    result: Mapped[dict[str, Any] | None] = mapped_column(JSON, default=None)
    """The analysis's JSON result, written with the final state."""
    result_columns: Mapped[list[Any]] = mapped_column(default=list)
    result_data: Mapped[bytes | None] = mapped_column(LargeBinary, default=None)
    """Series (percentile bands...) as a compressed columnar archive, see
    :mod:`~wholesystem.interfaces.store.results`."""
    author: Mapped[str] = mapped_column(String(80), default="")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    started_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    finished_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
