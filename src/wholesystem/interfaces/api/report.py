"""A saved scenario as a self-contained HTML report for a board paper: the verdict, who
pays, who waits, every lever moved from the base case, and the experiment log about it.
Every value is escaped; the page loads nothing from anywhere."""

from __future__ import annotations

from collections.abc import Sequence
from html import escape
from typing import Any

from wholesystem.interfaces.render import money, shunt_sentence, verdict_sentence
from wholesystem.interfaces.render.comparisons import cause_rows, traced_sentence
from wholesystem.interfaces.store.schema import LogEntry, Scenario
from wholesystem.system.shunts import Comparison

__all__ = ["scenario_report"]

_STYLE = ("body{font:16px/1.45 system-ui,sans-serif;max-width:60rem;margin:2rem auto;"
          "color:#111}table{border-collapse:collapse}td,th{border-bottom:1px solid #767676;"
          "padding:.3rem .6rem;text-align:right}td:first-child,th:first-child{text-align:left}"
          ".verdict{font-weight:700;background:#eef3fa;padding:.6rem;border-left:6px solid "
          "#0b4f9c}")


def _table(head: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    cells = "".join(f"<th>{escape(h)}</th>" for h in head)
    body = "".join("<tr>" + "".join(f"<td>{escape(c)}</td>" for c in row) + "</tr>"
                   for row in rows)
    return f"<table><thead><tr>{cells}</tr></thead><tbody>{body}</tbody></table>"


def scenario_report(system_name: str, scenario: Scenario, comparison: Comparison,
                    changed: Sequence[dict[str, Any]], log: Sequence[LogEntry]) -> str:
    """The report's HTML."""
    c = comparison.currency
    pays = [[o.name, money(o.baseline, c), money(o.scenario, c), money(o.change, c)]
            for o in comparison.organisations]
    pays.append(["Whole system", money(comparison.whole_baseline, c),
                 money(comparison.whole_scenario, c), money(comparison.whole_change, c)])
    waits = [[o.label, f"{o.baseline:,.1f}", f"{o.scenario:,.1f}", f"{o.change:+,.1f}"]
             for o in comparison.outcomes]
    levers = [[x["label"], f"{x['base']:g}", f"{x['value']:g}"] for x in changed]
    entries = "".join(
        f"<h3>{escape(e.created_at.strftime('%d %B %Y'))}, {escape(e.author)}</h3><dl>"
        + "".join(f"<dt>{k}</dt><dd>{escape(v)}</dd>" for k, v in (
            ("Question", e.question), ("Hypothesis", e.hypothesis),
            ("Findings", e.findings), ("Decision", e.decision)))
        + "</dl>" for e in log)
    shunts = "".join(f"<p>Cost shunt: {escape(shunt_sentence(s))}</p>"
                     f"<p>{escape(traced_sentence(s))}</p>" for s in comparison.shunts)
    causes = "".join(f"<li>{escape(org)}: {escape(cause)}</li>"
                     for org, cause in cause_rows(comparison))
    return (
        f"<!doctype html><html lang='en'><head><meta charset='utf-8'><title>"
        f"{escape(scenario.name)}: {escape(system_name)}</title><style>{_STYLE}</style>"
        f"</head><body><h1>{escape(scenario.name)}</h1><p>{escape(system_name)}; over "
        f"{comparison.horizon:g} {escape(comparison.unit)}s, against the base case "
        f"'{escape(scenario.base)}'.</p><p>{escape(scenario.note)}</p>"
        f"<p class='verdict'>{escape(verdict_sentence(comparison))}</p>{shunts}"
        f"<h2>Every lever moved from the base case</h2>"
        f"{_table(['Lever', 'Base case', 'This scenario'], levers) if levers else '<p>none</p>'}"
        f"<h2>Who pays</h2>{_table(['Organisation', 'Base case', 'This scenario', 'Change'], pays)}"
        f"<h2>Why each organisation's cost changed</h2><ul>{causes or '<li>no change</li>'}</ul>"
        f"<h2>Who waits</h2>{_table(['Residents', 'Base case', 'This scenario', 'Change'], waits)}"
        f"<h2>Experiment log</h2>{entries or '<p>no entries</p>'}</body></html>")
