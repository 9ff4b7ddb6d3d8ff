// The Export page: the model as uploaded, as XMILE and as Vensim mdl; results and ledger
// tables as CSV, for the file's scenarios and the saved ones; a saved scenario's reports.
// Plain links to the API's downloads (the browser saves them); nothing is built here.
"use strict";

const LEDGER_TABLES = ["organisations", "services", "interventions", "periods"];

function download(href, text) {
  return el("a", {href, download: "", class: "download"}, text);
}

function drawExports() {
  if (!state.detail) return;
  const isSystem = state.detail.kind === "system";
  const scenario = $("#export-scenario").value || "baseline";
  const q = `?scenario=${encodeURIComponent(scenario)}`;
  const model = el("ul", {class: "downloads"},
    el("li", {}, download(mdl("/file"), "The file as uploaded (byte for byte)")),
    el("li", {}, download(mdl(`/export.xmile${q}`), "The model as XMILE 1.0"),
       isSystem ? " (this scenario's stock-and-flow model)" : ""),
    el("li", {}, download(mdl(`/export.mdl${q}`), "The model as Vensim .mdl")),
    el("li", {}, download(mdl(`/results.csv${q}`), "Results: every variable over time (CSV)")));
  if (isSystem) {
    model.append(...LEDGER_TABLES.map(t => el("li", {},
      download(mdl(`/ledger.csv${q}&table=${t}`), `Ledger: ${t} (CSV)`))));
  }
  const saved = el("tbody", {}, ...state.scenarios.map(s => el("tr", {},
    el("th", {scope: "row"}, s.name),
    el("td", {}, download(ws(`/scenarios/${s.id}/results.csv`), "results CSV")),
    el("td", {}, download(ws(`/scenarios/${s.id}/ledger.csv`), "who pays CSV")),
    el("td", {}, el("a", {href: ws(`/scenarios/${s.id}/report.html`), target: "_blank"}, "report (HTML)")),
    el("td", {}, download(ws(`/scenarios/${s.id}/report.pdf`), "report (PDF)")))));
  $("#export-model").replaceChildren(model);
  $("#export-saved").replaceChildren(state.scenarios.length
    ? el("table", {class: "table"}, el("thead", {}, el("tr", {},
        ...["Saved scenario", "Results", "Ledger", "Report", "Board paper"].map(h => el("th", {scope: "col"}, h)))), saved)
    : el("p", {}, "No saved scenarios yet: save one on the Levers page."));
}

function fillExportScenarios() {
  const names = state.detail ? state.detail.scenarios : [];
  $("#export-scenario").replaceChildren(...(names.length ? names : ["baseline"]).map(s => el("option", {value: s}, s)));
}

document.addEventListener("DOMContentLoaded", () => {
  $("#export-scenario").addEventListener("change", drawExports);
});
