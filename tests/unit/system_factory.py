"""Small system files written inline, for the system reader, lowering and analysis tests."""

from __future__ import annotations

import textwrap

MINIMAL = """\
name: Minimal
time: {horizon: 30, step: 1, unit: day}
organisations:
  trust: Acute trust
  council: {name: Adult social care}
services:
  ward:
    owner: trust
    length_of_stay: 5
    costs: {per_occupied_day: 400}
  care:
    owner: council
    capacity: 10
    length_of_stay: {mean: 20, distribution: erlang, order: 2}
    costs: {per_occupied_day: 100, per_delayed_day: 400}
    when_full: {queue_in: acute bed, payer: trust}
cohorts:
  older:
    name: Older people
    needs:
      illness: {service: ward, arrivals: 4}
pathways:
  - from: ward
    routes:
      - {to: care, fraction: 0.25}
      - {to: leave, fraction: 0.75}
"""


def dedent(text: str) -> str:
    """Inline YAML written indented in a test, made flush left."""
    return textwrap.dedent(text).lstrip("\n")

