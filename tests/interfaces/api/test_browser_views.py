"""Real browser tests of the stock-and-flow view, the exports and the budget flags
(Playwright driving the system chromium, as test_browser does)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest
from tests.interfaces.api.server import serving
from tests.interfaces.api.test_browser import (  # noqa: F401  (the browser fixture)
    CHROMIUM,
    _photograph,
    _shots,
    browser,
)

import wholesystem
from wholesystem.interfaces.api import create_app
from wholesystem.interfaces.store import Store

pytestmark = pytest.mark.skipif(CHROMIUM is None, reason="no system chromium (apt-get "
                                                         "install chromium)")
SHARED = Path(os.environ.get("WHOLESYSTEM_SHARED", "../shared"))
DIAGRAM = SHARED / "sd-test-models" / "samples" / "teacup" / "teacup_w_diagram.xmile"


def _upload(page: Any, path: Path) -> None:
    page.set_input_files("#upload-file", str(path))
    page.click("#upload-form button")


@pytest.mark.parametrize("source", ["bundled", "diagram"])
def test_the_stock_and_flow_view_shows_a_variables_equation_and_results(
        browser: Any, tmp_path: Path, source: str) -> None:  # noqa: F811
    """Teacup has one stock, one flow and two auxiliaries; the flow reads all three
    (three information links) and drains the stock. Clicking the stock shows its initial
    value 180 and its units, and a chart of its path; with the file's own diagram the
    stock sits where the file puts it (x 132, y 97 in teacup_w_diagram.xmile)."""
    path = wholesystem.example_path("teacup") if source == "bundled" else DIAGRAM
    if not path.exists():
        pytest.skip(f"{path} not found (set WHOLESYSTEM_SHARED)")
    with serving(create_app(Store(f"sqlite:///{tmp_path / 'w.sqlite'}"),
                            tmp_path / "uploads")) as base:
        page = browser.new_page(viewport={"width": 1400, "height": 900})
        page.goto(base + "/#stockflow")
        page.wait_for_selector("#empty:not([hidden])")
        _upload(page, path)
        page.wait_for_selector("[data-testid=stock-flow] .sf-node")
        assert page.locator(".sf-stock").count() == 1
        assert page.locator(".sf-flow").count() == 1
        assert page.locator(".sf-aux").count() == 2
        assert page.locator("path.sf-info").count() == 3
        assert page.locator("line.sf-outflow").count() == 1
        stock = page.locator(".sf-stock")
        if source == "diagram":
            assert "own diagram" in page.locator("#sf-placed").inner_text()
            assert stock.locator("rect").get_attribute("x") == str(132 - 45)
        stock.focus()
        page.keyboard.press("Enter")
        page.wait_for_selector("#sf-detail [data-testid=chart] path")
        assert page.locator("[data-testid=sf-equation]").inner_text() == "180"
        assert page.locator("[data-testid=sf-units]").inner_text().lower() == "degrees"
        if source == "diagram":
            _photograph(page, _shots(tmp_path), "stockflow")


def test_exports_and_budget_flags_on_the_pages(browser: Any, tmp_path: Path) -> None:  # noqa: F811
    """Community health services get a budget of £20m, above their base-case cost
    (about £14.8m) and far below their cost in the 'unconstrained' scenario (about
    £172m): that scenario is flagged as pushing them over, the base case on the levers
    page as within. The Export page links to the files; a CSV link downloads results."""
    with serving(create_app(Store(f"sqlite:///{tmp_path / 'w.sqlite'}"),
                            tmp_path / "uploads")) as base:
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        page.goto(base + "/#compare")
        page.get_by_role("button", name="Load the hospital-discharge example").click()
        page.wait_for_selector("#budget-list tbody tr")
        page.evaluate("""() => fetch(
            `/api/workspaces/${state.workspace}/models/${state.model}/budgets`,
            {method: "PUT", headers: {"Content-Type": "application/json"},
             body: JSON.stringify({organisation: "community_health", amount: 20000000})})""")
        page.reload()
        page.wait_for_selector("#budget-list tbody tr")
        page.wait_for_function(
            "document.querySelector('#budget-list').innerText.includes('£20,000,000')")
        page.wait_for_selector("#budget-scenarios td[data-state=crossed]", timeout=120_000)
        page.select_option("#compare-file", "unconstrained")
        page.wait_for_selector("#compare-result [data-testid=comparison]", timeout=60_000)
        page.wait_for_selector("#compare-result .budget-flags li[data-state=crossed]")
        _photograph(page, _shots(tmp_path), "compare-budgets")
        page.click("nav a[data-page=levers]")
        page.wait_for_selector("#budget-flags li[data-state=within]")
        page.click("nav a[data-page=exports]")
        page.wait_for_selector("#export-model a.download")
        links = page.locator("#export-model a.download").all_inner_texts()
        assert any("XMILE" in t for t in links)
        assert any("Ledger" in t for t in links)
        with page.expect_download() as download:
            page.click("#export-model a:has-text('Results: every variable')")
        saved = Path(download.value.path())
        assert saved.read_text().startswith("time,")
        _photograph(page, _shots(tmp_path), "exports")


COHORTS = """
name: Two cohorts, one ward
time: {horizon: 60}
organisations: {trust: Acute trust, council: Adult social care}
services:
  ward:
    owner: trust
    length_of_stay: {mean: 5, distribution: exponential}
    costs: {per_occupied_day: 395}
  reablement:
    owner: council
    capacity: 5
    length_of_stay: {mean: 21, distribution: exponential}
    costs: {per_occupied_day: 136, per_delayed_day: 395}
    when_full: {queue_in: acute bed, payer: trust}
cohorts:
  frail:
    name: Frail residents
    needs: {acute: {service: ward, arrivals: 2}}
  fit:
    name: Other adults
    needs: {acute: {service: ward, arrivals: 3}}
pathways:
  - from: ward
    routes: [{to: leave, fraction: 1}]
  - from: ward
    cohort: frail
    routes: [{to: reablement, fraction: 0.4}, {to: leave, fraction: 0.6}]
interventions:
  more_reablement:
    changes: [{change: capacity, services: reablement, add: 20}]
"""


def test_comparisons_say_why_costs_changed_and_by_cohort(browser: Any,  # noqa: F811
                                                         tmp_path: Path) -> None:
    """Bristol's care-home cut: the trust's extra cost is traced to people waiting for
    Bristol's beds (a shunt, traced on the page). A system whose frail cohort has routes
    of its own: more reablement changes only the frail cohort's costs (only frail people
    go there), and the page shows the cohort table; the hospital system has no cohort
    table."""
    with serving(create_app(Store(f"sqlite:///{tmp_path / 'w.sqlite'}"),
                            tmp_path / "uploads")) as base:
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        page.goto(base + "/#compare")
        page.get_by_role("button", name="Load the hospital-discharge example").click()
        page.wait_for_selector("#compare-file option[value=fewer_care_home_beds]",
                               state="attached")
        page.select_option("#compare-file", "fewer_care_home_beds")
        why = page.locator("#compare-result ul.why li")
        why.first.wait_for()
        assert ("Acute trust: +£1,578,579 for people waiting for P3 care-home beds, Bristol "
                "(run by Bristol City Council)") in why.all_inner_texts()
        assert "Traced: Acute trust" in page.inner_text("#compare-result .shunt")
        assert page.locator("#compare-result table[aria-label='Change by cohort']").is_hidden()
        path = tmp_path / "cohorts.yaml"
        path.write_text(COHORTS)
        page.set_input_files("#upload-file", str(path))
        page.click("#upload-form button")
        page.wait_for_selector("#compare-file option[value=more_reablement]", state="attached")
        page.select_option("#compare-file", "more_reablement")
        table = page.locator("#compare-result table[aria-label='Change by cohort']")
        table.locator("tbody tr").first.wait_for()
        rows = [r.split("\t") for r in table.locator("tbody tr").all_inner_texts()]
        assert [r[0] for r in rows] == ["Frail residents", "Other adults"]
        assert rows[1][1:4] == ["£0", "£0", "£0"]
        assert rows[0][1].startswith("-£")  # the trust pays for fewer waiting frail people
        _photograph(page, _shots(tmp_path), "compare-cohorts")
