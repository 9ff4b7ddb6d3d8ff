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


# Two a day need a care place; places last longer than the run, so nobody leaves.
# Baseline: 5 places. Occupied at the start of days 0..9: 0, 2, 4, then 5 for 7 days = 41
# place-days (council: 41 x £50 = £2,050). Waiting at the start of days 0..9:
# 0, 0, 0, 1, 3, 5, 7, 9, 11, 13 = 49 days in an acute bed (trust: 49 x £300 = £14,700).
# More places (20): occupied 0, 2, 4, ..., 18 = 90 place-days (£4,500); nobody waits.
HAND = dedent("""
    name: Hand-checked
    time: {horizon: 10}
    organisations:
      trust: Acute trust
      council: Adult social care
    services:
      care:
        owner: council
        capacity: 5
        length_of_stay: {mean: 100, distribution: fixed}
        costs: {per_occupied_day: 50, per_delayed_day: 300}
        when_full: {queue_in: acute bed, payer: trust}
    cohorts:
      older:
        needs: {care: {service: care, arrivals: 2}}
    interventions:
      more_places:
        changes: [{change: capacity, services: care, set: 20}]
    """)


# HAND with its places paid for full or empty: £140 a place a week (£20 a day). The 5
# places cost 5 x £20 x 10 days = £1,000 whether full or not; 20 places cost £4,000.
CAPACITY_HAND = HAND.replace("name: Hand-checked", "name: Hand-checked capacity").replace(
    "    costs: {per_occupied_day: 50, per_delayed_day: 300}\n",
    "    costs:\n      per_occupied_day: 50\n      per_delayed_day: 300\n"
    "      per_place: {amount: 140, per: week}\n")
