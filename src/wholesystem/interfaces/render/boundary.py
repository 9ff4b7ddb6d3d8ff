"""Boundary critique in words: where the conclusion flips, and the is/ought gaps the
numbers bear on.

>>> import wholesystem
>>> from wholesystem.system.boundary import boundary_critique
>>> system = wholesystem.load_system(wholesystem.example_path("hospital_discharge"))
>>> report = boundary_critique(system, ["bristol_council"], "fewer_care_home_beds")
>>> [flip.kind for flip in report.flips][:1]
['shunt']
>>> "the saving is a cost shunt" in flip_sentences(report)[0]
True
"""

from __future__ import annotations

from typing import Any

from wholesystem.interfaces.render.comparisons import verdict_words
from wholesystem.interfaces.render.numbers import money
from wholesystem.system.boundary import BoundaryReport, CritiqueAnswer, Flip, bears_on

__all__ = ["flip_sentences", "gap_sentences", "whole_sentence", "boundary_dict"]

_DOES = {"saves": "saves", "costs more": "costs more", "no change": "changes nothing"}


def whole_sentence(report: BoundaryReport) -> str:
    """The whole-system comparison's verdict in words."""
    return verdict_words(report.whole_comparison, report.whole_change, report.whole_moved,
                         report.currency)


def flip_sentences(report: BoundaryReport) -> tuple[str, ...]:
    """Each flip of the conclusion as a sentence (empty: the conclusion survives)."""
    return tuple(_flip_sentence(report, flip) for flip in report.flips)


def _flip_sentence(report: BoundaryReport, flip: Flip) -> str:
    c = report.currency
    inside = " and ".join(name for _, name in report.inside)
    payers = [f"{name} (+{money(change, c)})"
              for name, change in report.affected_organisations if change > 0]
    savers = [f"{name} (saves {money(-change, c)})"
              for name, change in report.affected_organisations if change < 0]
    if flip.kind == "shunt":
        whole = ("pays " + money(report.whole_change, c) + " more"
                 if report.whole_verdict == "costs more" else "does not save")
        return (f"Inside the boundary of {inside} the scenario saves {money(-flip.amount, c)}"
                f", but the whole system {whole}: the saving is a cost shunt"
                + (f" onto {', '.join(payers)}." if payers else "."))
    if flip.kind == "saved outside":
        return (f"Inside the boundary of {inside} the scenario costs {money(flip.amount, c)}"
                f" more, but it saves the whole system {money(-report.whole_change, c)}: the "
                "savings fall outside the boundary, to " + (", ".join(savers) or "others")
                + (f", while {', '.join(payers)} pay more" if payers else "") + ".")
    if flip.kind == "feedback":
        return (f"Feedback through organisations outside changes {inside}'s own cost by "
                f"{money(flip.amount, c)} compared with the narrow view.")
    whole_change = (f" ({money(report.whole_change, c)})."
                    if report.whole_verdict != "no change" else ".")
    return (f"Inside the boundary of {inside} the scenario {_DOES[report.narrow_verdict]}; "
            f"for the whole system it {_DOES[report.whole_verdict]}{whole_change}")


def gap_sentences(report: BoundaryReport) -> tuple[str, ...]:
    """Each is/ought gap beside the numbers it bears on."""
    evidence = _evidence(report)
    lines = []
    for answer in report.gaps:
        shown = [evidence[k] for k in bears_on(answer) if k in evidence]
        if shown:
            lines.append(_gap_sentence(answer, shown))
    return tuple(lines)


def _gap_sentence(answer: CritiqueAnswer, shown: list[str]) -> str:
    return (f"{answer.question} ({answer.stakeholder}): is '{answer.is_}', ought "
            f"'{answer.ought}'; the numbers: {'; '.join(shown)}.")


def _evidence(report: BoundaryReport) -> dict[str, str]:
    c = report.currency

    def change(value: float) -> str:
        return f"{'+' if value >= 0 else '-'}{money(abs(value), c)}"

    affected = ([n for n, _ in report.affected_organisations]
                + [w for w, _, _ in report.affected_residents][:4])
    return {
        "cost": f"whole-system cost {change(report.whole_change)}, inside the boundary "
                f"{change(report.narrow_change)}",
        "affected": "affected outside: " + (", ".join(affected) or "nobody"),
        "cut": f"{len(report.cut_links)} links fixed at the boundary, "
               f"{len(report.cross_loops)} loops only across it",
        "inside": "inside: " + ", ".join(n for _, n in report.inside),
    }


def boundary_dict(report: BoundaryReport) -> dict[str, Any]:
    """The report as plain data with its sentences (what ``boundary --json`` prints and
    the API serves): ``whole_summary``, ``flips`` and ``gaps`` in words, the records
    they come from under ``flip_records`` and ``gap_records``."""
    data = report.to_json()
    data["flip_records"], data["gap_records"] = data["flips"], data["gaps"]
    data["whole_summary"] = whole_sentence(report)
    data["flips"] = list(flip_sentences(report))
    data["gaps"] = list(gap_sentences(report))
    return data
