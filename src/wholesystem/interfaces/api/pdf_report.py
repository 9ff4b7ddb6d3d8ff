"""A saved scenario as a multi-page PDF for a board paper, drawn with matplotlib's PDF
backend: the verdict, cost shunts and budget flags, every lever moved from the base case,
who pays and who waits per organisation, charts of cost and queues against the base case,
and the experiment log about the scenario.

Layout only: every number comes from the comparison and the runs it is given. Figures are
made with matplotlib's object API (no pyplot), so requests drawing reports at the same
time share no state; fonts are embedded as TrueType so the text can be searched and
copied.
"""

from __future__ import annotations

import io
import textwrap
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from wholesystem.interfaces.render import money, shunt_sentence, verdict_sentence
from wholesystem.interfaces.render.budgets import budget_sentence
from wholesystem.interfaces.render.comparisons import cause_rows, traced_sentence
from wholesystem.interfaces.store.schema import LogEntry, Scenario
from wholesystem.system.budgets import BudgetFlag
from wholesystem.system.shunts import Comparison

__all__ = ["ReportContent", "scenario_pdf"]

_A4 = (8.27, 11.69)
_TOP, _BOTTOM, _LEFT, _RIGHT = 0.94, 0.06, 0.08, 0.92
_INK, _ACCENT, _BAD, _GOOD = "#111111", "#0b4f9c", "#a4000f", "#0b6b2e"


@dataclass(frozen=True)
class ReportContent:
    """What the report shows; all of it computed elsewhere."""

    system_name: str
    scenario: Scenario
    comparison: Comparison
    changed: Sequence[dict[str, Any]]
    """Levers moved from the base case: ``label``, ``base``, ``value``."""
    log: Sequence[LogEntry]
    base_series: dict[str, Any]
    """The base case's chart series (:func:`~wholesystem.interfaces.api.views.series`)."""
    series: dict[str, Any]
    """The scenario's chart series."""
    budgets: Sequence[BudgetFlag] = field(default_factory=tuple)


class _Flow:
    """Text and tables flowing down A4 pages, a new page when one is full."""

    def __init__(self, pages: Any, title: str):
        from matplotlib.figure import Figure

        self._figure_type = Figure
        self.pages, self.title = pages, title
        self.number = 0
        self.figure: Any = None
        self.y = 0.0
        self.new_page()

    def new_page(self) -> None:
        self.finish()
        self.number += 1
        self.figure = self._figure_type(figsize=_A4)
        self.figure.text(_LEFT, 0.03, self.title, fontsize=7, color="#444444")
        self.figure.text(_RIGHT, 0.03, f"page {self.number}", fontsize=7, ha="right",
                         color="#444444")
        self.y = _TOP

    def finish(self) -> None:
        if self.figure is not None:
            self.pages.savefig(self.figure)
            self.figure = None

    def room(self, height: float) -> None:
        if self.y - height < _BOTTOM:
            self.new_page()

    def line(self, text: str, size: float = 10, **style: Any) -> None:
        step = size / 72 / _A4[1] * 1.45
        self.room(step)
        self.figure.text(_LEFT, self.y, text, fontsize=size, va="top",
                         **{"color": _INK, **style})
        self.y -= step

    def heading(self, text: str, size: float = 14) -> None:
        self.room(0.08)
        self.y -= 0.01
        self.line(text, size, weight="bold", color=_ACCENT)

    def paragraph(self, text: str, size: float = 10, width: int = 95, **style: Any) -> None:
        for part in text.splitlines() or [""]:
            for wrapped in textwrap.wrap(part, width) or [""]:
                self.line(wrapped, size, **style)
        self.y -= 0.005

    def table(self, head: Sequence[str], rows: Sequence[Sequence[str]],
              widths: Sequence[float]) -> None:
        """Columns at fractions ``widths`` of the text width; the first left-aligned,
        the rest right-aligned (numbers)."""
        span = _RIGHT - _LEFT
        edges = [_LEFT]
        for w in widths:
            edges.append(edges[-1] + w * span)
        for index, row in enumerate([list(head), *map(list, rows)]):
            self.room(0.02)
            for column, cell in enumerate(row):
                x, ha = (edges[0], "left") if column == 0 else (edges[column + 1], "right")
                limit = max(12, int(widths[column] * 110))
                self.figure.text(x, self.y, textwrap.shorten(cell, limit), fontsize=9,
                                 ha=ha, va="top", color=_INK,
                                 weight="bold" if index == 0 else "normal")
            self.y -= 0.019
        self.y -= 0.01


def _levers(flow: _Flow, changed: Sequence[dict[str, Any]]) -> None:
    flow.heading("Every lever moved from the base case")
    if not changed:
        flow.paragraph("None: this is the base case.")
        return
    flow.table(["Lever", "Base case", "This scenario"],
               [[x["label"], f"{x['base']:g}", f"{x['value']:g}"] for x in changed],
               [0.6, 0.2, 0.2])


def _money_tables(flow: _Flow, c: Comparison) -> None:
    cur = c.currency
    flow.heading("Who pays and who benefits, per organisation")
    rows = [[o.name, money(o.baseline, cur), money(o.scenario, cur),
             ("+" if o.change > 0.5 else "") + money(o.change, cur)]
            for o in c.organisations]
    rows.append(["Whole system", money(c.whole_baseline, cur), money(c.whole_scenario, cur),
                 ("+" if c.whole_change > 0.5 else "") + money(c.whole_change, cur)])
    flow.table(["Organisation", "Base case", "This scenario", "Change"], rows,
               [0.43, 0.19, 0.19, 0.19])
    flow.heading("Who waits")
    flow.table(["Residents", "Base case", "This scenario", "Change"],
               [[o.label, f"{o.baseline:,.1f}", f"{o.scenario:,.1f}", f"{o.change:+,.1f}"]
                for o in c.outcomes], [0.43, 0.19, 0.19, 0.19])


def _summary(flow: _Flow, content: ReportContent) -> None:
    c, saved = content.comparison, content.scenario
    flow.line(saved.name, 20, weight="bold", color=_ACCENT)
    flow.paragraph(f"{content.system_name}; over {c.horizon:g} {c.unit}s, against the "
                   f"base case '{saved.base}'.")
    if saved.note:
        flow.paragraph(f"Note: {saved.note}")
    flow.heading("Verdict")
    flow.paragraph(verdict_sentence(c), 12, weight="bold")
    for shunt in c.shunts:
        flow.paragraph(f"Cost shunt: {shunt_sentence(shunt)}", color=_BAD)
        flow.paragraph(traced_sentence(shunt))
    if c.causes:
        flow.heading("Why each organisation's cost changed")
        for organisation, cause in cause_rows(c):
            flow.paragraph(f"{organisation}: {cause}")
    if content.budgets:
        flow.heading("Budget thresholds")
        for flag in content.budgets:
            flow.paragraph(("Over budget: " if flag.over else "") + budget_sentence(flag) + ".",
                           color=_BAD if flag.over else _GOOD)


def _chart(figure: Any, place: tuple[float, float, float, float], title: str,
           base: dict[str, Any], scenario: dict[str, Any], key: str) -> None:
    axes = figure.add_axes(place)
    palette = ["#0b4f9c", "#a4000f", "#0b6b2e", "#6a3d9a", "#b35806", "#01665e", "#444444"]
    for index, line in enumerate(scenario[key]):
        colour = palette[index % len(palette)]
        before = next((b for b in base[key] if b["id"] == line["id"]), None)
        if before is not None:
            axes.plot(base["time"], before["values"], color=colour, linestyle="--",
                      linewidth=1)
        axes.plot(scenario["time"], line["values"], color=colour, linewidth=1.8,
                  label=line["name"])
    axes.set_title(title, fontsize=11, loc="left")
    axes.set_xlabel(f"{scenario['unit']}s", fontsize=9)
    axes.tick_params(labelsize=8)
    axes.grid(alpha=0.3)
    axes.legend(fontsize=7, loc="upper left", frameon=False)


def _charts(flow: _Flow, content: ReportContent) -> None:
    flow.new_page()
    flow.heading("Charts: this scenario (solid) against the base case (dashed)")
    _chart(flow.figure, (0.12, 0.53, 0.8, 0.33), "Cumulative cost by organisation",
           content.base_series, content.series, "cost")
    _chart(flow.figure, (0.12, 0.1, 0.8, 0.33), "People waiting, by service",
           content.base_series, content.series, "waiting")
    flow.new_page()


def _log(flow: _Flow, log: Sequence[LogEntry]) -> None:
    flow.heading("Experiment log")
    if not log:
        flow.paragraph("No entries about this scenario.")
    for entry in log:
        flow.line(f"{entry.created_at.strftime('%d %B %Y')}, {entry.author}", 11,
                  weight="bold")
        for label, text in (("Question", entry.question), ("Hypothesis", entry.hypothesis),
                            ("Findings", entry.findings), ("Decision", entry.decision)):
            flow.paragraph(f"{label}: {text}")


def scenario_pdf(content: ReportContent) -> bytes:
    """The report's PDF bytes."""
    import matplotlib
    from matplotlib.backends.backend_pdf import PdfPages

    buffer = io.BytesIO()
    style = matplotlib.rc_context({"pdf.fonttype": 42, "font.family": "DejaVu Sans"})
    metadata = {"Title": f"{content.scenario.name}: {content.system_name}",
                "Creator": "wholesystem workbench"}
    with style, PdfPages(buffer, metadata=metadata) as pages:
        flow = _Flow(pages, f"{content.scenario.name} · {content.system_name}")
        _summary(flow, content)
        _levers(flow, content.changed)
        _money_tables(flow, content.comparison)
        _charts(flow, content)
        _log(flow, content.log)
        flow.finish()
    return buffer.getvalue()
