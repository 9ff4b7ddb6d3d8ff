// Budget thresholds per organisation: set them, and see which scenarios push an
// organisation over its budget. The flags are the server's (wholesystem.system.budgets).
"use strict";

const BUDGET_WORDS = {crossed: "over budget", over: "still over budget",
                      "back within": "back within budget", within: "within budget"};

function showBudgetFlags(list, flags) {
  list.replaceChildren(...flags.map(f => el("li", {class: f.state.replace(" ", "-"), "data-state": f.state},
    (f.over ? "⚠ " : "") + f.statement + ".")));
}

let budgetSeq = 0;
async function drawBudgets() {
  if (!state.detail || state.detail.kind !== "system") return;
  const seq = ++budgetSeq;
  const all = await api(mdl("/budgets"));
  if (seq !== budgetSeq) return;  // a newer drawing (after a change) is on its way
  const select = $("#budget-organisation");
  const chosen = select.value;
  select.replaceChildren(...all.map(o => el("option", {value: o.organisation}, o.name)));
  if (chosen) select.value = chosen;
  const budgets = all.filter(b => b.amount !== null);
  fillTable($("#budget-list"), ["Organisation", "Budget", "Set by", "Note", ""], all.map(b => [
    b.name, b.amount === null ? "not set" : money(b.amount), b.set_by, b.note,
    b.amount === null ? el("td", {}, "") :
    el("td", {}, el("button", {type: "button", "data-remove": b.organisation}, `Remove ${b.name}'s budget`))]));
  $("#budget-list").querySelectorAll("button[data-remove]").forEach(b => b.addEventListener("click", () =>
    api(mdl(`/budgets/${encodeURIComponent(b.dataset.remove)}`), {method: "DELETE"})
      .then(() => { scheduleRun(); return drawBudgets(); }).catch(showError)));
  // every scenario is simulated for the flags table: draw the list first, then the table
  const flags = await api(mdl("/budget-flags"));
  if (seq !== budgetSeq) return;
  const names = budgets.map(b => b.organisation);
  fillTable($("#budget-scenarios"), ["Scenario", ...budgets.map(b => b.name)], flags.map(row => [
    row.kind === "saved" ? `${row.scenario} (saved)` : row.scenario,
    ...names.map(id => {
      const f = row.budgets.find(x => x.organisation === id);
      return f ? el("td", {class: f.state.replace(" ", "-"), "data-state": f.state},
                    `${BUDGET_WORDS[f.state]} (${money(f.scenario)})`) : el("td", {}, "");
    })]));
}

async function setBudget(event) {
  event.preventDefault();
  const form = new FormData(event.target);
  await api(mdl("/budgets"), {method: "PUT", headers: {"Content-Type": "application/json"},
    body: JSON.stringify({organisation: form.get("organisation"), amount: Number(form.get("amount")), note: form.get("note") || ""})});
  scheduleRun();  // the levers page's comparison shows the new flag too
  await drawBudgets();
}

document.addEventListener("DOMContentLoaded", () => {
  $("#budget-form").addEventListener("submit", e => { showError(null); setBudget(e).catch(showError); });
});
