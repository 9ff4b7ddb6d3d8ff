"""The published JSON Schema is the one the reader validates with."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

import wholesystem
from wholesystem.system.read.schema import SYSTEM_SCHEMA, schema_json, validate

ROOT = Path(__file__).resolve().parents[3]
EXAMPLES = sorted((Path(wholesystem.__file__).parent / "examples").glob("*/*.yaml"))


def test_docs_schema_is_generated_from_the_code() -> None:
    published = ROOT / "docs" / "system.schema.json"
    assert published.read_text(encoding="utf-8") == schema_json(), (
        "docs/system.schema.json is stale: regenerate it with "
        "python -c 'from wholesystem.system import schema_json; "
        "open(\"docs/system.schema.json\", \"w\").write(schema_json())'")
    assert json.loads(schema_json()) == SYSTEM_SCHEMA


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.parent.name)
def test_examples_follow_the_schema(path: Path) -> None:
    assert validate(yaml.safe_load(path.read_text(encoding="utf-8"))) == []


def test_validator_reports_paths() -> None:
    problems = validate({"name": "x", "time": {"horizon": -1}, "organisations": {},
                         "services": {"A": {}}})
    paths = {p.path for p in problems}
    assert ("time", "horizon") in paths
    assert ("services", "A") in paths  # not a valid id


def test_discriminated_changes_report_the_matching_branch() -> None:
    document = {"name": "x", "time": {"horizon": 1}, "organisations": {}, "services": {},
                "interventions": {"i": {"changes": [{"change": "capacity",
                                                     "services": "a", "sett": 3}]}}}
    [problem] = validate(document)
    assert problem.path == ("interventions", "i", "changes", 0, "sett")
    assert "unknown field 'sett'" in problem.message


@pytest.mark.parametrize("value", [float("inf"), float("-inf"), float("nan")])
def test_numbers_must_be_finite(value: float) -> None:
    # YAML reads .inf, .nan and 1e400 as floats; no field can use them.
    document = {"name": "x", "time": {"horizon": 1}, "organisations": {},
                "services": {"ward": {"owner": "t", "length_of_stay": value}}}
    [problem] = validate(document)
    assert problem.path == ("services", "ward", "length_of_stay")
    assert "expected a number" in problem.message
