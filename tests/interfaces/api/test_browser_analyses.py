"""The analyses in a real browser (the system's chromium): uncertainty bands on the
levers page's charts, a long job's progress and its cancel button, and the ranking,
calibration and forecast forms. Each page is photographed (``workbench-analyses.png``)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from tests.interfaces.api.server import serving
from tests.interfaces.api.test_browser import CHROMIUM, _photograph, _shots, browser

import wholesystem
from wholesystem.interfaces.api import create_app
from wholesystem.interfaces.store import Store

__all__ = ["browser"]  # the module's browser fixture, shared
pytestmark = pytest.mark.skipif(CHROMIUM is None, reason="no system chromium (apt-get install "
                                                         "chromium; .ci/run installs it)")
EXAMPLES = Path(wholesystem.example_path("teacup")).parents[1]


def test_bands_progress_cancel_and_the_analyses(browser: Any, tmp_path: Path) -> None:
    store = Store(f"sqlite:///{tmp_path / 'w.sqlite'}")
    shots = _shots(tmp_path)
    with serving(create_app(store, tmp_path / "uploads")) as base:
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        page.goto(base + "/#levers")
        page.get_by_role("button", name="Load the hospital-discharge example").click()
        page.wait_for_selector("#pays tbody tr")
        assert page.locator("#cost-chart [data-band]").count() == 0
        page.fill("#bands-runs", "12")
        page.click("#bands-run")
        page.wait_for_selector("#bands-job[data-state=done]", timeout=180_000)
        page.wait_for_selector("#cost-chart [data-band]")
        bands = page.locator("#cost-chart [data-band]")
        organisations = len(page.locator("#pays tbody tr").all()) - 1  # not "Whole system"
        assert bands.count() == organisations
        assert page.locator("#wait-chart [data-band]").count() >= 1
        assert "median" in page.locator("#bands-job").inner_text()

        page.click("nav a[data-page=analyses]")
        page.wait_for_function(
            "document.querySelector('#uncertain').value.includes('arrival rate')")
        # a long job: its progress shows, and cancel stops it with nothing kept
        page.fill("#sensitivity-form input[name=samples]", "512")
        page.click("#sensitivity-form button[type=submit]")
        page.wait_for_selector("#sensitivity-job[data-state=running]", timeout=120_000)
        assert page.locator("#sensitivity-job progress").count() == 1
        page.click("#sensitivity-job button.cancel")
        page.wait_for_selector("#sensitivity-job[data-state=cancelled]", timeout=180_000)
        assert page.locator("#sensitivity-result table").count() == 0
        jobs = page.evaluate("fetch(`/api/workspaces/1/jobs`).then(r => r.json())")
        assert jobs[-1]["state"] == "cancelled"

        page.fill("#rank-form input[name=runs]", "2")
        page.click("#rank-form button[type=submit]")
        page.wait_for_selector("#rank-result tbody tr", timeout=240_000)
        assert "of runs" in page.locator("#rank-result").inner_text()

        page.set_input_files("#forecast-form input[name=file]",
                             str(EXAMPLES / "hospital_discharge" / "referrals_history.csv"))
        page.select_option("#forecast-form select[name=method]", "seasonal_naive")
        page.click("#forecast-form button[type=submit]")
        page.wait_for_selector("#forecast-result [data-band]", timeout=60_000)
        assert "baseline" in page.locator("#forecast-result").inner_text()
        _photograph(page, shots, "analyses")

        # calibration of an uploaded model against its observations
        page.set_input_files("#upload-file", str(EXAMPLES / "teacup" / "teacup.xmile"))
        page.click("#upload-form button[type=submit]")
        page.wait_for_function("document.querySelector('#model').selectedOptions[0]"
                               ".textContent.includes('eacup')")
        page.click("nav a[data-page=analyses]")
        page.set_input_files("#calibration-form input[name=file]",
                             str(EXAMPLES / "teacup" / "observed_temperature.csv"))
        page.fill("#calibration-form textarea[name=fit]",
                  "Characteristic Time=1:30\nRoom Temperature=40:100")
        page.click("#calibration-form button[type=submit]")
        page.wait_for_selector("#calibration-result table tbody tr", timeout=120_000)
        text = page.locator("#calibration-result").inner_text()
        assert "Characteristic Time" in text
        assert "R²" in text
