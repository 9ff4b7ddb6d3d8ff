"""Real browser tests: Playwright driving the system's chromium (never a downloaded one).

The flow a new user follows: load the hospital-discharge example, move a capacity lever
with the keyboard, see the chart and the shunt table change, save the scenario with a
note and a log entry, reload and find them; then a second user in shared mode who must
not see the first user's workspace. Each page is photographed; a photograph with almost
no distinct colours counts as blank. With ``WHOLESYSTEM_SCREENSHOTS=docs/images`` the
photographs are the README's.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from tests.interfaces.api.server import serving

from wholesystem.interfaces.api import create_app
from wholesystem.interfaces.api.access import hash_password
from wholesystem.interfaces.store import Store

playwright_api = pytest.importorskip("playwright.sync_api")


def _chromium() -> str | None:
    named = os.environ.get("WHOLESYSTEM_CHROMIUM")
    if named:
        return named
    for name in ("chromium", "chromium-browser", "google-chrome"):
        found = shutil.which(name)
        if found:
            return found
    return None


CHROMIUM = _chromium()
pytestmark = pytest.mark.skipif(CHROMIUM is None, reason="no system chromium (apt-get install "
                                                         "chromium; .ci/run installs it)")


class _PatientBrowser:
    """The browser, whose pages wait up to 90 s for what the tests wait for: on a loaded
    two-core CI machine, loading an example and its first runs can take longer than
    Playwright's default 30 s (nothing here asserts on time)."""

    def __init__(self, browser: Any):
        self._browser = browser

    def new_page(self, **options: Any) -> Any:
        page = self._browser.new_page(**options)
        page.set_default_timeout(90_000)
        return page

    def __getattr__(self, name: str) -> Any:
        return getattr(self._browser, name)


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with playwright_api.sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM,
                                              args=["--no-sandbox", "--disable-gpu"])
        yield _PatientBrowser(launched)
        launched.close()


def _shots(tmp_path: Path) -> Path:
    folder = Path(os.environ.get("WHOLESYSTEM_SCREENSHOTS") or tmp_path)
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def _photograph(page: Any, folder: Path, name: str) -> None:
    from PIL import Image

    path = folder / f"workbench-{name}.png"
    page.screenshot(path=str(path), full_page=True)
    with Image.open(path) as image:
        colours = image.convert("RGB").resize((200, 200)).getcolors(maxcolors=200 * 200)
    assert colours is not None, f"{name}: the screenshot looks blank"
    assert len(colours) > 20, f"{name}: the screenshot looks blank"


def _pays_text(page: Any) -> str:
    return str(page.locator("#pays").inner_text())


def test_a_new_user_explores_saves_and_finds_it_again(browser: Any, tmp_path: Path) -> None:
    store_url = f"sqlite:///{tmp_path / 'w.sqlite'}"
    shots = _shots(tmp_path)
    with serving(create_app(Store(store_url), tmp_path / "uploads")) as base:
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        page.goto(base + "/#levers")
        page.get_by_role("button", name="Load the hospital-discharge example").click()
        page.wait_for_selector("#pays tbody tr")
        before = _pays_text(page)
        assert "Acute trust" in before
        chart_before = page.locator("#cost-chart path").first.get_attribute("d")
        runs_before = page.evaluate("document.body.dataset.runs")
        slider = page.locator("#lever-p2_b")
        slider.focus()
        for _ in range(20):  # keyboard use: 102 -> 122 beds
            page.keyboard.press("ArrowRight")
        page.wait_for_function("document.querySelector('#changed').textContent.includes('122')")
        page.wait_for_function(f"document.body.dataset.runs > {runs_before}")
        page.wait_for_function("t => document.querySelector('#pays').innerText !== t",
                               arg=before)
        assert _pays_text(page) != before
        assert page.locator("#cost-chart path").first.get_attribute("d") != chart_before
        assert page.locator("#verdict").inner_text()
        _photograph(page, shots, "levers")
        page.fill("#save-form input[name=name]", "Twenty more P2 beds in Bristol")
        page.fill("#save-form textarea[name=note]", "Agreed at the March workshop")
        page.click("#save-form button")
        page.wait_for_function("document.querySelector('#saved').textContent.includes('Saved')")

        page.click("nav a[data-page=log]")
        page.select_option("#log-scenario", label="Twenty more P2 beds in Bristol")
        page.fill("#log-form textarea[name=question]", "Do more P2 beds cut delays?")
        page.fill("#log-form textarea[name=hypothesis]", "Fewer days waited in acute beds")
        page.fill("#log-form textarea[name=findings]", "Delays fall; the acute trust saves")
        page.fill("#log-form textarea[name=decision]", "Fund the beds for a year")
        page.click("#log-form button")
        page.wait_for_selector(".log-entry [data-testid=comparison] table")
        _photograph(page, shots, "log")

    # a restart: a new server over the same database
    with serving(create_app(Store(store_url), tmp_path / "uploads")) as base:
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        page.goto(base + "/#compare")
        page.wait_for_selector("#scenario-list tbody tr")
        assert "Agreed at the March workshop" in page.locator("#scenario-list").inner_text()
        page.select_option("#compare-saved", label="Twenty more P2 beds in Bristol")
        page.wait_for_selector("#compare-result [data-testid=comparison]")
        assert "122" in page.locator("#compare-result").inner_text()
        _photograph(page, shots, "compare")
        page.click("nav a[data-page=log]")
        page.wait_for_selector(".log-entry")
        assert "Fund the beds for a year" in page.locator("#log-list").inner_text()
        page.click("nav a[data-page=map]")
        page.wait_for_selector("[data-testid=map] [data-service=p2_b]")
        _photograph(page, shots, "map")
        page.click("nav a[data-page=journeys]")
        page.click("#journeys-run")
        page.wait_for_selector("[data-testid=journeys] ol li", timeout=60_000)
        _photograph(page, shots, "journeys")
        page.click("nav a[data-page=loops]")
        page.click("#loops-run")
        page.wait_for_selector("[data-testid=loops] li", timeout=60_000)
        page.wait_for_function("document.querySelector('#diagram').naturalWidth > 0",
                               timeout=60_000)
        _photograph(page, shots, "loops")
        page.click("nav a[data-page=boundary]")
        page.check("#boundary-inside input[value=bristol_council]")
        page.select_option("#boundary-scenario", "fewer_care_home_beds")
        page.click("#boundary-form button[type=submit]")
        page.wait_for_selector("[data-testid=boundary] .verdict", timeout=60_000)
        assert "cost shunt" in page.locator("#boundary-result").inner_text()
        _photograph(page, shots, "boundary")


def test_a_second_user_cannot_see_the_first_users_workspace(browser: Any,
                                                            tmp_path: Path) -> None:
    store = Store(f"sqlite:///{tmp_path / 'w.sqlite'}")
    for name in ("ada", "bob"):
        user = store.ensure_user(name, hash_password(f"{name}-password"))
        store.create_workspace(f"{name}'s workspace", user.id)
    app = create_app(store, tmp_path / "uploads", shared=True, secret="s",
                     secure_cookies=False)
    with serving(app) as base:
        ada = browser.new_context().new_page()
        ada.goto(base + "/")
        ada.fill("#login-form input[name=username]", "ada")
        ada.fill("#login-form input[name=password]", "ada-password")
        ada.click("#login-form button")
        ada.get_by_role("button", name="Load the hospital-discharge example").click()
        ada.wait_for_selector("#pays tbody tr")
        ada_workspace = ada.locator("#workspace").input_value()

        bob = browser.new_context().new_page()
        bob.goto(base + "/")
        bob.fill("#login-form input[name=username]", "bob")
        bob.fill("#login-form input[name=password]", "wrong")
        bob.click("#login-form button")
        bob.wait_for_function("document.querySelector('#login-error').textContent.length > 0")
        bob.fill("#login-form input[name=password]", "bob-password")
        bob.click("#login-form button")
        bob.wait_for_selector("#empty:not([hidden])")
        options = bob.locator("#workspace option").all_inner_texts()
        assert options == ["bob's workspace (owner)"]
        status = bob.evaluate(
            "id => fetch(`/api/workspaces/${id}/models`).then(r => r.status)", ada_workspace)
        assert status == 404
