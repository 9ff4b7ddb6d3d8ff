"""Journey timelines in words, from events built by hand (no simulation needed)."""

from __future__ import annotations

from wholesystem.interfaces.render.journeys import (
    event_sentence,
    timeline_lines,
    timeline_title,
)
from wholesystem.system.journey_report import JourneyEvent, ServiceStats, Timeline

SERVICES = {
    "ward": ServiceStats("ward", "Hospital ward", "Acute trust", 0, 0, 0, 0),
    "care": ServiceStats("care", "Home care", "Adult social care", 0, 0, 0, 0),
}


def test_a_journey_reads_event_by_event_and_ends_with_its_cost() -> None:
    """Presents on day 0, admitted on day 2 after waiting 2 days, waits for home care from
    day 7 (in the ward: its queue_in), leaves on day 20; cost to the trust 7 x £400 =
    £2,800 and to the council 13 x £55.5 = £721.5, shown as £722 (whole pounds)."""
    timeline = Timeline("typical", "a fall", (
        JourneyEvent(0, None, "arrive", "ward"),
        JourneyEvent(2, None, "admit", "ward", waited_days=2),
        JourneyEvent(7, None, "move", "ward", "care", queue_in="Hospital ward"),
        JourneyEvent(9, None, "admit", "care", waited_days=2),
        JourneyEvent(20, None, "leave", "care"),
    ), {"Acute trust": 2800.0, "Adult social care": 721.5, "General practice": 0.2})
    assert timeline_title(timeline) == "A typical journey (cost near the median)"
    assert timeline_lines(timeline, SERVICES, "day", "£") == [
        "day 0: needs a fall; presents at Hospital ward (Acute trust)",
        "day 2: admitted to Hospital ward (Acute trust) after waiting 2 days",
        "day 7: leaves Hospital ward; waits in Hospital ward for Home care "
        "(Adult social care)",
        "day 9: admitted to Home care (Adult social care) after waiting 2 days",
        "day 20: leaves Home care; need met",
        "cost: Acute trust £2,800; Adult social care £722",
    ]


def test_dates_diverts_and_the_end_of_the_run() -> None:
    """A date replaces the time when the system has one; a divert to nowhere leaves the
    need unmet; a person still waiting at the end says so; no cost reads 'nothing'."""
    events = (JourneyEvent(3, "2024-04-04", "divert", "care"),
              JourneyEvent(3, "2024-04-04", "divert", "care", "ward"),
              JourneyEvent(60, "2024-05-31", "still waiting"))
    lines = timeline_lines(Timeline("longest wait", "care", events, {}), SERVICES, "day",
                           "£")
    assert lines == ["2024-04-04: Home care is full; goes without (need unmet)",
                     "2024-04-04: Home care is full; sent on to Hospital ward (Acute trust)",
                     "2024-05-31: still waiting at the end of the run",
                     "cost: nothing"]
    assert event_sentence(JourneyEvent(1, None, "discharge", "ward", "care"), "x",
                          SERVICES) == ("leaves Hospital ward with the need not met; will "
                                        "come back to Home care")
