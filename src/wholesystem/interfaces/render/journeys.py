"""Journeys in words: typical residents' timelines and the report as JSON.

:func:`wholesystem.system.journey_report.journeys` returns events and costs
(:class:`~wholesystem.system.journey_report.Timeline`); the command line, the API and the
workbench's journeys page all tell them with :func:`timeline_lines`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import asdict
from typing import Any

from wholesystem.interfaces.render.numbers import money
from wholesystem.system.journey_report import (
    JourneyEvent,
    JourneysReport,
    ScenarioJourneys,
    ServiceStats,
    Timeline,
)

__all__ = ["timeline_title", "timeline_lines", "event_sentence", "scenario_timelines",
           "journeys_dict"]

_TITLES = {
    "typical": "A typical journey (cost near the median)",
    "most bounced": "The most bounced-around journey",
    "longest wait": "The longest wait",
}

_END_WORDS = {
    "still waiting": "still waiting at the end of the run",
    "still in service": "still in service at the end of the run",
    "due back": "due to come back after the end of the run",
}


def timeline_title(timeline: Timeline) -> str:
    """Why this journey is shown, as a heading."""
    return _TITLES.get(timeline.pick, timeline.pick)


def _waited(event: JourneyEvent) -> str:
    days = event.waited_days
    return f" after waiting {days:g} days" if days > 0 else ""


def event_sentence(event: JourneyEvent, need: str, services: Mapping[str, ServiceStats]
                   ) -> str:
    """What happened, after the time: ``admitted to Hospital (Acute trust) after ...``."""
    def plain(service_id: str) -> str:
        return services[service_id].name

    def named(service_id: str) -> str:
        service = services[service_id]
        return f"{service.name} ({service.organisation})"

    if event.kind in _END_WORDS:
        return _END_WORDS[event.kind]
    here = plain(event.service)
    words: dict[str, Callable[[], str]] = {
        "arrive": lambda: f"needs {need}; presents at {named(event.service)}" + (
            f" (waiting in {event.queue_in} when it is full)" if event.queue_in else ""),
        "admit": lambda: f"admitted to {named(event.service)}{_waited(event)}",
        "contact": lambda: f"seen by {named(event.service)}{_waited(event)}",
        "divert": lambda: (f"{here} is full; sent on to {named(event.other)}" if event.other
                           else f"{here} is full; goes without (need unmet)"),
        "move": lambda: f"leaves {here}; waits" + (
            f" in {event.queue_in}" if event.queue_in else "") + f" for {named(event.other)}",
        "discharge": lambda: (f"leaves {here} with the need not met; will come back to "
                              f"{plain(event.other)}"),
        "return": lambda: f"comes back to {named(event.service)} (repeat presentation)",
        "leave": lambda: f"leaves {here}; need met",
        "unmet": lambda: f"leaves {here} with the need unmet",
    }
    return words[event.kind]()


def timeline_lines(timeline: Timeline, services: Mapping[str, ServiceStats], unit: str,
                   currency: str) -> list[str]:
    """One line per event, ``<time>: <what happened>``, then what the person cost.

    ``services`` are the scenario's services by id (for their names and organisations);
    a time is its date when the system has a start date, else ``<unit> <time>``.
    """
    lines = [f"{event.date or f'{unit} {event.time:g}'}: "
             f"{event_sentence(event, timeline.need, services)}"
             for event in timeline.events]
    paid = [f"{name} {money(amount, currency)}" for name, amount in timeline.cost.items()
            if amount > 0.5]
    lines.append("cost: " + ("; ".join(paid) if paid else "nothing"))
    return lines


def scenario_timelines(scenario: ScenarioJourneys, unit: str, currency: str
                       ) -> list[tuple[str, list[str]]]:
    """Each typical journey of a scenario as (title, lines)."""
    services = {s.id: s for s in scenario.services}
    return [(timeline_title(t), timeline_lines(t, services, unit, currency))
            for t in scenario.typical]


def journeys_dict(report: JourneysReport) -> dict[str, Any]:
    """The report as plain data (what ``--json`` prints and the API serves), each typical
    journey with its ``title`` and ``lines`` in words beside its events."""
    data = asdict(report)
    for scenario, plain in zip(report.scenarios, data["scenarios"], strict=True):
        told = scenario_timelines(scenario, report.unit, report.currency)
        for (title, lines), timeline in zip(told, plain["typical"], strict=True):
            timeline["title"], timeline["lines"] = title, lines
    return data
