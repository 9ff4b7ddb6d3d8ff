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


@pytest.mark.parametrize(("written", "advice"), [
    ("1e9", "write 1.0e+9, with a dot and a signed exponent"),
    ("5e-3", "write 5.0e-3"),
])
def test_a_number_yaml_reads_as_text_says_how_to_write_it(written: str, advice: str) -> None:
    """PyYAML (YAML 1.1) reads '1e9' and '5e-3' as strings: a float in exponent form needs
    a dot in the mantissa and a signed exponent ('1.0e+9' is 1e9, '5.0e-3' is 0.005), so
    the message says what to write instead."""
    document = yaml.safe_load(f"name: x\ntime: {{horizon: {written}}}\norganisations: {{t: T}}\n"
                              "services: {w: {owner: t, length_of_stay: 5}}\n")
    [problem] = [p for p in validate(document) if p.path == ("time", "horizon")]
    assert f"got '{written}'" in problem.message
    assert advice in problem.message
    assert yaml.safe_load("x: 1.0e+9")["x"] == 1e9
