"""The first workbench schema.

Revision ID: 0001
Revises:
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def _stamp(name: str = "created_at") -> sa.Column:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=False)


def _workspace() -> sa.Column:
    return sa.Column("workspace_id", sa.Integer,
                     sa.ForeignKey("workspaces.id", ondelete="CASCADE"), nullable=False,
                     index=True)


def upgrade() -> None:
    op.create_table(
        "users",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("username", sa.String(80), nullable=False, unique=True),
        sa.Column("password_hash", sa.String(200)),
        _stamp())
    op.create_table(
        "api_tokens",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("user_id", sa.Integer, sa.ForeignKey("users.id", ondelete="CASCADE"),
                  nullable=False),
        sa.Column("token_sha256", sa.String(64), nullable=False, unique=True),
        sa.Column("label", sa.String(200), nullable=False),
        _stamp())
    op.create_table(
        "workspaces",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("name", sa.String(200), nullable=False),
        _stamp())
    op.create_table(
        "members",
        sa.Column("workspace_id", sa.Integer,
                  sa.ForeignKey("workspaces.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("user_id", sa.Integer, sa.ForeignKey("users.id", ondelete="CASCADE"),
                  primary_key=True),
        sa.Column("role", sa.String(20), nullable=False))
    op.create_table(
        "models",
        sa.Column("id", sa.Integer, primary_key=True),
        _workspace(),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("kind", sa.String(20), nullable=False),
        _stamp())
    op.create_table(
        "model_versions",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("model_id", sa.Integer, sa.ForeignKey("models.id", ondelete="CASCADE"),
                  nullable=False, index=True),
        sa.Column("number", sa.Integer, nullable=False),
        sa.Column("filename", sa.String(255), nullable=False),
        sa.Column("content", sa.LargeBinary, nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("size", sa.Integer, nullable=False),
        sa.Column("note", sa.Text, nullable=False),
        _stamp(),
        sa.UniqueConstraint("model_id", "number"))
    op.create_table(
        "scenarios",
        sa.Column("id", sa.Integer, primary_key=True),
        _workspace(),
        sa.Column("version_id", sa.Integer,
                  sa.ForeignKey("model_versions.id", ondelete="CASCADE"), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("base", sa.String(200), nullable=False),
        sa.Column("levers", sa.JSON, nullable=False),
        sa.Column("note", sa.Text, nullable=False),
        _stamp())
    op.create_table(
        "runs",
        sa.Column("id", sa.Integer, primary_key=True),
        _workspace(),
        sa.Column("version_id", sa.Integer,
                  sa.ForeignKey("model_versions.id", ondelete="CASCADE"), nullable=False),
        sa.Column("scenario_id", sa.Integer,
                  sa.ForeignKey("scenarios.id", ondelete="SET NULL")),
        sa.Column("base", sa.String(200), nullable=False),
        sa.Column("levers", sa.JSON, nullable=False),
        sa.Column("seed", sa.Integer),
        sa.Column("engine_version", sa.String(40), nullable=False),
        sa.Column("columns", sa.JSON, nullable=False),
        sa.Column("results", sa.LargeBinary, nullable=False),
        sa.Column("results_sha256", sa.String(64), nullable=False),
        sa.Column("summary", sa.JSON, nullable=False),
        _stamp())
    op.create_table(
        "experiment_log",
        sa.Column("id", sa.Integer, primary_key=True),
        _workspace(),
        sa.Column("run_id", sa.Integer, sa.ForeignKey("runs.id", ondelete="SET NULL")),
        sa.Column("scenario_id", sa.Integer,
                  sa.ForeignKey("scenarios.id", ondelete="SET NULL")),
        sa.Column("author", sa.String(80), nullable=False),
        sa.Column("question", sa.Text, nullable=False),
        sa.Column("hypothesis", sa.Text, nullable=False),
        sa.Column("findings", sa.Text, nullable=False),
        sa.Column("decision", sa.Text, nullable=False),
        _stamp())
    op.create_table(
        "csh_answers",
        sa.Column("id", sa.Integer, primary_key=True),
        _workspace(),
        sa.Column("model_id", sa.Integer, sa.ForeignKey("models.id", ondelete="CASCADE"),
                  nullable=False),
        sa.Column("question", sa.String(40), nullable=False),
        sa.Column("is_answer", sa.Text, nullable=False),
        sa.Column("ought_answer", sa.Text, nullable=False),
        _stamp("updated_at"),
        sa.UniqueConstraint("model_id", "question"))
    op.create_table(
        "evidence",
        sa.Column("id", sa.Integer, primary_key=True),
        _workspace(),
        sa.Column("model_id", sa.Integer, sa.ForeignKey("models.id", ondelete="CASCADE"),
                  nullable=False),
        sa.Column("parameter", sa.String(300), nullable=False),
        sa.Column("source", sa.Text, nullable=False),
        sa.Column("owner", sa.String(200), nullable=False),
        sa.Column("note", sa.Text, nullable=False),
        _stamp("updated_at"),
        sa.UniqueConstraint("model_id", "parameter"))


def downgrade() -> None:
    for table in ("evidence", "csh_answers", "experiment_log", "runs", "scenarios",
                  "model_versions", "models", "members", "workspaces", "api_tokens", "users"):
        op.drop_table(table)
