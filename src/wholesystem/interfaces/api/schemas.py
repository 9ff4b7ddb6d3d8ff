"""The API's request and response bodies (pydantic), as the OpenAPI schema shows them.

Analysis results (ledgers, comparisons, journeys, loops) are the analyses' own plain
data (their ``*_dict`` functions), served as JSON objects.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

__all__ = ["Login", "Me", "TokenOut", "WorkspaceIn", "WorkspaceOut", "MemberIn", "MemberOut",
           "VersionOut", "ModelOut", "ModelDetail", "LeverOut", "LeverGroup", "RunIn",
           "RunOut", "ScenarioIn", "ScenarioOut", "ChangedLever", "ScenarioCompare",
           "LogIn", "LogOut", "Problem"]

Name = Field(min_length=1, max_length=200)
Text = Field(default="", max_length=20_000)
LeverValues = dict[str, float]


class _Out(BaseModel):
    model_config = ConfigDict(from_attributes=True)


class Problem(BaseModel):
    """An RFC 9457 problem: what went wrong, and which field or file position."""

    type: str = "about:blank"
    title: str
    status: int
    detail: str
    field: str | None = None
    errors: list[dict[str, Any]] = []


class Login(BaseModel):
    username: str = Field(min_length=1, max_length=80)
    password: str = Field(min_length=1, max_length=1000)


class Me(BaseModel):
    username: str
    shared: bool
    """True when the server needs logins (shared mode)."""


class TokenOut(BaseModel):
    token: str
    """Shown once; send it as ``Authorization: Bearer <token>``."""


class WorkspaceIn(BaseModel):
    name: str = Name


class WorkspaceOut(_Out):
    id: int
    name: str
    role: str


class MemberIn(BaseModel):
    username: str = Field(min_length=1, max_length=80)
    role: Literal["viewer", "editor", "owner"]


class MemberOut(BaseModel):
    username: str
    role: str


class VersionOut(_Out):
    id: int
    number: int
    filename: str
    sha256: str
    size: int
    note: str
    created_at: datetime


class ModelOut(_Out):
    id: int
    name: str
    kind: str
    created_at: datetime


class ModelDetail(ModelOut):
    versions: list[VersionOut]
    scenarios: list[str]
    """Scenarios and interventions of a system file (empty for other models)."""
    variables: list[str]
    """Variables of the compiled model (display names)."""


class LeverOut(BaseModel):
    name: str
    label: str
    service: str
    value: float
    minimum: float
    maximum: float
    step: float
    unit: str
    affects: list[str]
    evidence: dict[str, str] | None = None
    """Where its value comes from, when recorded (source, owner, note)."""


class LeverGroup(BaseModel):
    organisation: str
    name: str
    levers: list[LeverOut]


class RunIn(BaseModel):
    scenario: str = Field(default="baseline", min_length=1, max_length=200)
    """Base scenario the levers are moved from."""
    levers: LeverValues = {}
    save: bool = False
    """Keep the run (its parameters and results) in the store."""
    version: int | None = Field(default=None, ge=1, le=2**31 - 1)
    """Model version number (default: the latest)."""


class RunOut(BaseModel):
    run_id: int | None
    comparison: dict[str, Any]
    """The cost-shunt comparison against the baseline (who pays, who saves, who waits)."""
    series: dict[str, Any]
    """Time series per organisation (cost) and service (waiting) for the charts."""
    changed: list[ChangedLever]


class ChangedLever(BaseModel):
    name: str
    label: str
    base: float
    value: float


class ScenarioIn(BaseModel):
    model_id: int = Field(ge=1, le=2**31 - 1)
    version: int | None = Field(default=None, ge=1, le=2**31 - 1)
    name: str = Name
    base: str = Field(default="baseline", min_length=1, max_length=200)
    levers: LeverValues = {}
    note: str = Text


class ScenarioOut(_Out):
    id: int
    version_id: int
    name: str
    base: str
    levers: dict[str, float]
    note: str
    created_at: datetime


class ScenarioCompare(BaseModel):
    scenario: ScenarioOut
    changed: list[ChangedLever]
    """Every lever that differs from the base case."""
    comparison: dict[str, Any]


class LogIn(BaseModel):
    question: str = Text
    hypothesis: str = Text
    findings: str = Text
    decision: str = Text
    scenario_id: int | None = Field(default=None, ge=1, le=2**31 - 1)
    run_id: int | None = Field(default=None, ge=1, le=2**31 - 1)


class LogOut(_Out):
    id: int
    author: str
    question: str
    hypothesis: str
    findings: str
    decision: str
    scenario_id: int | None
    run_id: int | None
    created_at: datetime


RunOut.model_rebuild()
