"""Budget thresholds per organisation through the API: kept with who set them, checked,
and flagged beside every comparison when a scenario crosses them."""

from __future__ import annotations

from fastapi.testclient import TestClient
from tests.interfaces.api.conftest import first_workspace, load_example, login

import wholesystem
from wholesystem.system.levers import compare_levers
from wholesystem.system.model import load_system

HOSPITAL = wholesystem.example_path("hospital_discharge")


def _rising_organisation() -> tuple[str, float, float]:
    """An organisation whose cost rises in the file's 'unconstrained' scenario, with its
    base-case and scenario costs (read from the engine's own comparison)."""
    comparison = compare_levers(load_system(HOSPITAL), {}, "unconstrained")
    line = max(comparison.organisations, key=lambda o: o.change)
    assert line.change > 0
    return line.id, line.baseline, line.scenario


def test_a_budget_is_kept_with_who_set_it_and_flags_the_crossing(local: TestClient) -> None:
    """A threshold halfway between the organisation's base-case cost and its cost in
    the scenario: the base case is within it, the scenario crosses it, by half the
    change."""
    workspace = first_workspace(local)
    model = load_example(local, workspace)
    base = f"/api/workspaces/{workspace}/models/{model}"
    org, before, after = _rising_organisation()
    threshold = (before + after) / 2
    listed = local.put(f"{base}/budgets", json={"organisation": org, "amount": threshold,
                                               "note": "this year's allocation"})
    assert listed.status_code == 200, listed.text
    row = next(b for b in listed.json() if b["organisation"] == org)
    assert (row["amount"], row["set_by"], row["note"]) == (threshold, "local",
                                                          "this year's allocation")
    assert all(b["amount"] is None for b in listed.json() if b["organisation"] != org)
    flags = local.get(f"{base}/compare?scenario=unconstrained").json()["budgets"]
    assert [(f["organisation"], f["state"]) for f in flags] == [(org, "crossed")]
    assert abs(flags[0]["headroom"] + (after - before) / 2) < 1e-6 * after
    table = local.get(f"{base}/budget-flags").json()
    unconstrained = next(r for r in table if r["scenario"] == "unconstrained")
    assert unconstrained["budgets"][0]["state"] == "crossed"
    assert local.post(f"{base}/run", json={"levers": {}}).json()["comparison"][
        "budgets"][0]["state"] == "within"
    assert local.delete(f"{base}/budgets/{org}").status_code == 204
    assert local.get(f"{base}/compare?scenario=unconstrained").json()["budgets"] == []
    assert local.delete(f"{base}/budgets/{org}").status_code == 404


def test_a_saved_scenario_is_flagged_beside_the_base_case(local: TestClient) -> None:
    workspace = first_workspace(local)
    model = load_example(local, workspace)
    base = f"/api/workspaces/{workspace}/models/{model}"
    org, before, _ = _rising_organisation()
    local.put(f"{base}/budgets", json={"organisation": org, "amount": before * 0.5})
    saved = local.post(f"/api/workspaces/{workspace}/scenarios", json={
        "model_id": model, "name": "as is", "levers": {}}).json()["id"]
    flags = local.get(f"/api/workspaces/{workspace}/scenarios/{saved}/compare"
                      ).json()["comparison"]["budgets"]
    assert [f["state"] for f in flags] == ["over"]
    rows = local.get(f"{base}/budget-flags").json()
    assert {"kind": "saved", "scenario": "as is", "id": saved} == {
        k: v for k, v in rows[-1].items() if k != "budgets"}


def test_bad_budgets_are_refused_naming_the_field(local: TestClient) -> None:
    workspace = first_workspace(local)
    model = load_example(local, workspace)
    url = f"/api/workspaces/{workspace}/models/{model}/budgets"
    unknown = local.put(url, json={"organisation": "nobody", "amount": 10})
    assert unknown.status_code == 422
    assert unknown.json()["detail"].startswith("organisation: no organisation 'nobody'")
    negative = local.put(url, json={"organisation": "acute_trust", "amount": -1})
    assert (negative.status_code, negative.json()["field"]) == (422, "amount")
    teacup = local.post(f"/api/workspaces/{workspace}/models", files={
        "file": ("teacup.xmile", wholesystem.example_path("teacup").read_bytes())}).json()
    plain = local.get(f"/api/workspaces/{workspace}/models/{teacup['id']}/budgets")
    assert plain.status_code == 422


def test_a_viewer_sees_budgets_but_cannot_set_them(shared_app) -> None:  # type: ignore[no-untyped-def]
    ada, bob = TestClient(shared_app), TestClient(shared_app)
    workspace = login(ada, "ada")
    model = load_example(ada, workspace)
    added = ada.put(f"/api/workspaces/{workspace}/members",
                    json={"username": "bob", "role": "viewer"})
    assert added.status_code == 200, added.text
    url = f"/api/workspaces/{workspace}/models/{model}/budgets"
    assert ada.put(url, json={"organisation": "acute_trust", "amount": 1e6}).status_code == 200
    login(bob, "bob")
    seen = {b["organisation"]: b for b in bob.get(url).json()}
    assert (seen["acute_trust"]["amount"], seen["acute_trust"]["set_by"]) == (1e6, "ada")
    assert bob.put(url, json={"organisation": "acute_trust", "amount": 1}).status_code == 403
