// The workbench pages: plain JavaScript over the JSON API (no build step, works offline).
// Every value from the server is written with textContent, never as HTML.
"use strict";
const $ = sel => document.querySelector(sel);
const state = {workspace: null, model: null, detail: null, levers: {}, base: {},
               scenarios: [], map: null, timer: null, runSeq: 0};

function el(name, attrs, ...children) {
  const node = document.createElement(name);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (k === "class") node.className = v; else node.setAttribute(k, v);
  }
  for (const c of children) node.append(c instanceof Node ? c : document.createTextNode(String(c)));
  return node;
}

async function api(path, options = {}) {
  const response = await fetch(path, {credentials: "same-origin", ...options});
  if (response.status === 204) return null;
  const body = await response.json().catch(() => ({detail: response.statusText}));
  if (!response.ok) {
    const error = new Error(body.detail || response.statusText);
    error.status = response.status;
    throw error;
  }
  return body;
}
const post = (path, data) => api(path, {method: "POST", headers: {"Content-Type": "application/json"},
                                        body: JSON.stringify(data)});
const ws = path => `/api/workspaces/${state.workspace}${path}`;
const mdl = path => ws(`/models/${state.model}${path}`);

function showError(error) {
  if (error && error.status === 401) { showLogin(); return; }
  $("#error").textContent = error ? String(error.message || error) : "";
}

function money(v, c) {
  const sign = v < -0.5 ? "-" : "";
  return `${sign}${c || "£"}${Math.abs(v).toLocaleString("en-GB", {maximumFractionDigits: 0})}`;
}
function signedMoney(v, c) {
  if (Math.abs(v) < 0.5) return `${c || "£"}0`;
  return (v > 0 ? "+" : "") + money(v, c);
}
function fixed(v, d = 0) { return Number(v).toLocaleString("en-GB", {maximumFractionDigits: d, minimumFractionDigits: d}); }
function changeCell(v, text) {
  return el("td", {class: v > 0.5 ? "up" : v < -0.5 ? "down" : ""}, text);
}
function fillTable(table, head, rows) {
  const thead = el("thead", {}, el("tr", {}, ...head.map(h => el("th", {scope: "col"}, h))));
  const tbody = el("tbody", {}, ...rows.map(r => el("tr", {}, ...r.map((c, i) =>
    c instanceof Node ? c : el(i === 0 ? "th" : "td", i === 0 ? {scope: "row"} : {}, c)))));
  table.replaceChildren(thead, tbody);
}

// --- login, workspaces, models ---------------------------------------------------------
function showLogin() { $("#login").hidden = false; $("#app").hidden = true; }

async function start() {
  try {
    const me = await api("/api/me");
    $("#who").textContent = me.shared ? `Logged in as ${me.username}` : "Local workbench (this computer only)";
    $("#login").hidden = true; $("#app").hidden = false;
    await loadWorkspaces();
  } catch (error) { showError(error); }
}

async function loadWorkspaces() {
  const list = await api("/api/workspaces");
  const select = $("#workspace");
  select.replaceChildren(...list.map(w => el("option", {value: w.id}, `${w.name} (${w.role})`)));
  state.workspace = list.length ? list[0].id : null;
  await loadModels();
}

async function loadModels(pick) {
  if (state.workspace === null) return;
  const list = await api(ws("/models"));
  $("#model").replaceChildren(...list.map(m => el("option", {value: m.id}, m.name)));
  $("#empty").hidden = list.length > 0;
  if (!list.length) { state.model = null; showPage(); return; }
  state.model = pick || list[list.length - 1].id;
  $("#model").value = state.model;
  await openModel();
}

async function openModel() {
  state.detail = await api(mdl(""));
  const scenarios = state.detail.scenarios;
  for (const id of ["#map-scenario", "#journeys-scenario"]) {
    $(id).replaceChildren(...scenarios.map(s => el("option", {value: s}, s)));
  }
  $("#boundary-scenario").replaceChildren(...scenarios.filter(s => s !== "baseline").map(s => el("option", {value: s}, s)));
  $("#compare-file").replaceChildren(el("option", {value: ""}, "(choose)"),
    ...scenarios.filter(s => s !== "baseline").map(s => el("option", {value: s}, s)));
  fillExportScenarios();
  // a plain XMILE or Vensim model has no levers (no organisations): its pages are the
  // stock-and-flow view, the loops and the exports
  if (state.detail.kind !== "system") $("#levers").replaceChildren(el("p", {}, "This model has no levers: see Stocks and flows."));
  await Promise.all([state.detail.kind === "system" ? loadLevers() : null, loadScenarios(), loadLog()]);
  showPage();
}

// --- pages -------------------------------------------------------------------------------
function showPage() {
  const page = (location.hash || "#levers").slice(1);
  document.querySelectorAll(".page").forEach(p => { p.hidden = !state.model || p.id !== `page-${page}`; });
  document.querySelectorAll("nav a").forEach(a => {
    if (a.dataset.page === page) a.setAttribute("aria-current", "page"); else a.removeAttribute("aria-current");
  });
  if (!state.model) return;
  if (page === "map") drawMap().catch(showError);
  if (page === "boundary") loadBoundary().catch(showError);
  if (page === "exports") drawExports();
  if (page === "stockflow") drawStockFlow().catch(showError);
  if (page === "compare") drawBudgets().catch(showError);
  if (page === "analyses") drawAnalyses().catch(showError);
}

// --- levers ------------------------------------------------------------------------------
async function loadLevers() {
  const groups = await api(mdl("/levers"));
  state.levers = {}; state.base = {};
  const box = $("#levers");
  box.replaceChildren();
  if (!groups.length) box.append(el("p", {}, "This model has no levers."));
  for (const group of groups) {
    const fieldset = el("fieldset", {}, el("legend", {}, group.name));
    for (const lever of group.levers) {
      state.base[lever.name] = lever.value;
      const id = `lever-${lever.service}`;
      const output = el("output", {class: "value", for: id}, `${fixed(lever.value)} ${lever.unit}`);
      const input = el("input", {type: "range", id, min: lever.minimum, max: lever.maximum,
                                 step: lever.step, value: lever.value, "data-lever": lever.name,
                                 "aria-describedby": `${id}-affects`});
      input.addEventListener("input", () => {
        output.textContent = `${fixed(input.value)} ${lever.unit}`;
        state.levers[lever.name] = Number(input.value);
        scheduleRun();
      });
      const affects = el("ul", {class: "affects", id: `${id}-affects`},
                         ...lever.affects.map(a => el("li", {}, `Affects ${a}`)));
      const evidence = lever.evidence
        ? el("p", {class: "evidence"}, `Evidence: ${lever.evidence.source} (${lever.evidence.owner})`)
        : el("p", {class: "evidence"}, "Evidence: from the model file");
      fieldset.append(el("div", {class: "lever"}, el("label", {for: id}, lever.label), input, output,
                         affects, evidence));
    }
    box.append(fieldset);
  }
  await runNow();
}

let pending = null;
function scheduleRun() { clearTimeout(pending); pending = setTimeout(() => runNow().catch(showError), 60); }

async function runNow() {
  const seq = ++state.runSeq;
  const result = await post(mdl("/run"), {scenario: "baseline", levers: state.levers});
  if (seq !== state.runSeq) return;  // a newer lever move is on its way
  showComparison(result.comparison, {pays: $("#pays"), waits: $("#waits"), verdict: $("#verdict"),
                                     shunt: $("#shunt"), why: $("#why"), budgets: $("#budget-flags")},
                 ["Base case", "With these levers"]);
  $("#changed").replaceChildren(...(result.changed.length ? result.changed.map(c =>
    el("li", {}, `${c.label}: ${fixed(c.base)} → ${fixed(c.value)}`)) : [el("li", {}, "none: this is the base case")]));
  const s = result.series;
  state.series = s;
  wsCharts.lineChart($("#cost-chart"), s.time, s.cost, s.unit + "s");
  wsCharts.lineChart($("#wait-chart"), s.time, s.waiting, s.unit + "s");
  document.body.dataset.runs = String(seq);
}

// Each cohort's change, where the system keeps cohorts apart (their own routes or stays).
function showCohorts(table, c, title) {
  const cohorts = c.cohorts || [];
  table.hidden = !cohorts.length;
  if (title) title.hidden = !cohorts.length;
  if (!cohorts.length) return;
  fillTable(table, ["Cohort", ...c.organisations.map(o => o.name), "All", "Days waited"],
    cohorts.map(k => [k.name, ...c.organisations.map(o => changeCell(k.costs[o.id], signedMoney(k.costs[o.id], c.currency))),
                      changeCell(k.change, signedMoney(k.change, c.currency)),
                      changeCell(k.days_waited_change, fixed(k.days_waited_change, 1))]));
}

// Why each organisation's cost changed: the traced causes (wholesystem.system.causes).
function showCauses(list, c) {
  const names = Object.fromEntries(c.organisations.map(o => [o.id, o.name]));
  const causes = c.causes || [];
  list.replaceChildren(...(causes.length ? causes.map(x =>
    el("li", {"data-kind": x.kind}, `${names[x.organisation] || x.organisation}: ${x.text}`))
    : [el("li", {}, "No organisation's cost changed.")]));
}

function showComparison(c, at, labels) {
  const [before, after] = labels || [c.baseline === c.scenario ? "Base case" : c.baseline,
                                     c.baseline === c.scenario ? "This scenario" : c.scenario];
  at.verdict.textContent = c.summary;
  at.shunt.textContent = c.shunts.map(s => `Cost shunt: ${s.text} ${s.traced_text || ""}`).join(" ");
  if (at.why) showCauses(at.why, c);
  if (at.cohorts) showCohorts(at.cohorts, c, at.cohortsTitle);
  if (at.budgets) showBudgetFlags(at.budgets, c.budgets || []);
  const rows = c.organisations.map(o => [o.name, money(o.baseline, c.currency), money(o.scenario, c.currency),
                                         changeCell(o.change, signedMoney(o.change, c.currency))]);
  rows.push(["Whole system", money(c.whole_baseline, c.currency), money(c.whole_scenario, c.currency),
             changeCell(c.whole_change, signedMoney(c.whole_change, c.currency))]);
  fillTable(at.pays, ["Organisation", before, after, "Change"], rows);
  fillTable(at.waits, ["Residents", before, after, "Change"], c.outcomes.map(o =>
    [o.label, fixed(o.baseline, 1), fixed(o.scenario, 1), changeCell(o.change, fixed(o.change, 1))]));
}

async function saveScenario(event) {
  event.preventDefault();
  const form = new FormData(event.target);
  const saved = await post(ws("/scenarios"), {model_id: Number(state.model), name: form.get("name"),
                                              note: form.get("note"), base: "baseline", levers: state.levers});
  $("#saved").textContent = `Saved “${saved.name}”.`;
  event.target.reset();
  await loadScenarios();
}

// --- compare -----------------------------------------------------------------------------
async function loadScenarios() {
  const list = (await api(ws("/scenarios"))).filter(s => state.detail.versions.some(v => v.id === s.version_id));
  state.scenarios = list;
  $("#compare-saved").replaceChildren(el("option", {value: ""}, "(choose)"),
    ...list.map(s => el("option", {value: s.id}, s.name)));
  $("#log-scenario").replaceChildren(el("option", {value: ""}, "(none)"),
    ...list.map(s => el("option", {value: s.id}, s.name)));
  fillTable($("#scenario-list"), ["Scenario", "Levers moved", "Note", "Saved"], list.map(s =>
    [s.name, String(Object.keys(s.levers).length), s.note, new Date(s.created_at).toLocaleString("en-GB")]));
}

function comparisonBlock(c, changed) {
  const block = el("div", {"data-testid": "comparison"});
  const at = {verdict: el("p", {class: "verdict"}), shunt: el("p", {class: "shunt"}),
              why: el("ul", {class: "why", "aria-label": "Why each organisation's cost changed"}),
              cohorts: el("table", {class: "table", "aria-label": "Change by cohort"}),
              cohortsTitle: el("h3", {}, "By cohort (change in running costs)"),
              pays: el("table", {class: "table"}), waits: el("table", {class: "table"}),
              budgets: el("ul", {class: "budget-flags", "aria-label": "Budget thresholds"})};
  showComparison(c, at);
  block.append(at.verdict, at.shunt, at.budgets);
  if (changed) {
    block.append(el("h3", {}, "Every lever that differs from the base case"),
      el("ul", {}, ...(changed.length ? changed.map(x => el("li", {}, `${x.label}: ${fixed(x.base)} → ${fixed(x.value)}`))
                                      : [el("li", {}, "none")])));
  }
  block.append(el("h3", {}, "Who pays"), at.pays,
               el("h3", {}, "Why each organisation's cost changed"), at.why,
               at.cohortsTitle, at.cohorts,
               el("h3", {}, "Who waits"), at.waits);
  return block;
}

async function compareSaved() {
  const id = $("#compare-saved").value;
  if (!id) return;
  const result = await api(ws(`/scenarios/${id}/compare`));
  const note = el("p", {}, result.scenario.note ? `Note: ${result.scenario.note} · ` : "",
    el("a", {href: ws(`/scenarios/${id}/report.html`), target: "_blank"}, "Report for a board paper (HTML)"),
    " · ", el("a", {href: ws(`/scenarios/${id}/report.pdf`), download: ""}, "(PDF)"),
    " · ", el("a", {href: ws(`/scenarios/${id}/results.csv`), download: ""}, "Results (CSV)"));
  $("#compare-result").replaceChildren(el("h3", {}, `${result.scenario.name} beside the base case`), note,
                                       comparisonBlock(result.comparison, result.changed));
}

async function compareFile() {
  const name = $("#compare-file").value;
  if (!name) return;
  const c = await api(mdl(`/compare?scenario=${encodeURIComponent(name)}`));
  $("#compare-result").replaceChildren(el("h3", {}, `${name} beside the base case`), comparisonBlock(c, null));
}

// --- map ---------------------------------------------------------------------------------
async function drawMap() {
  const scenario = $("#map-scenario").value || "baseline";
  state.map = await api(mdl(`/map?scenario=${encodeURIComponent(scenario)}`));
  const m = state.map, s = m.series;
  $("#map-time").max = String(s.time.length - 1);
  $("#map-time").value = String(s.time.length - 1);
  renderMap(s.time.length - 1);
}

function clip(text, n) { return text.length > n ? text.slice(0, n - 1) + "…" : text; }

function renderMap(index) {
  const m = state.map, {svgEl} = wsCharts;
  const orgs = m.organisations.filter(o => m.services.some(s => s.organisation === o.id));
  const colW = 250, boxH = 66, gap = 16, left = 200;
  const pos = {};
  m.cohorts.forEach((c, i) => { pos[c.id] = {x: 10, y: 60 + i * (boxH + gap), w: 170}; });
  let height = 0;
  orgs.forEach((o, col) => {
    m.services.filter(s => s.organisation === o.id).forEach((s, row) => {
      pos[s.id] = {x: left + col * colW + 10, y: 60 + row * (boxH + gap), w: colW - 20};
      height = Math.max(height, 60 + (row + 1) * (boxH + gap));
    });
  });
  const W = left + orgs.length * colW + 20, H = Math.max(height, 60 + m.cohorts.length * (boxH + gap)) + 20;
  const svg = svgEl("svg", {viewBox: `0 0 ${W} ${H}`, "data-testid": "map"});
  svg.appendChild(svgEl("defs", {})).appendChild(svgEl("marker", {id: "arrow", viewBox: "0 0 10 10", refX: 9, refY: 5,
    markerWidth: 9, markerHeight: 9, markerUnits: "userSpaceOnUse", orient: "auto"})).appendChild(svgEl("path", {d: "M0,0L10,5L0,10z", fill: "#555"}));
  orgs.forEach((o, col) => {
    svg.appendChild(svgEl("rect", {x: left + col * colW, y: 10, width: colW - 4, height: H - 20, rx: 10,
                                   fill: "#eef3fa", stroke: "#0b4f9c"}));
    svg.appendChild(svgEl("text", {x: left + col * colW + 10, y: 36, "font-size": 15, "font-weight": 700}, clip(o.name, 28)));
  });
  const maxFlow = Math.max(1, ...m.edges.map(e => e.flow));
  for (const e of m.edges) {
    const a = pos[e.from], b = pos[e.to];
    if (!a || !b) continue;
    const x1 = a.x + a.w, y1 = a.y + boxH / 2, x2 = b.x, y2 = b.y + boxH / 2;
    svg.appendChild(svgEl("path", {d: `M${x1},${y1}C${x1 + 40},${y1} ${x2 - 40},${y2} ${x2},${y2}`, fill: "none",
      stroke: "#555", "stroke-opacity": .6, "stroke-width": 1 + 10 * e.flow / maxFlow, "marker-end": "url(#arrow)"},
    )).appendChild(svgEl("title", {}, `${e.label || ""} ${fixed(e.flow)} people`));
  }
  for (const c of m.cohorts) {
    const p = pos[c.id];
    svg.appendChild(svgEl("rect", {x: p.x, y: p.y, width: p.w, height: boxH, rx: 8, fill: "#fff", stroke: "#111"}));
    svg.appendChild(svgEl("text", {x: p.x + 8, y: p.y + 24, "font-size": 13, "font-weight": 700}, clip(c.name, 21)));
    svg.lastChild.appendChild(svgEl("title", {}, c.name));
  }
  const waitingNow = {};
  m.series.waiting.forEach(w => { waitingNow[w.id] = w.values[index]; });
  for (const s of m.services) {
    const p = pos[s.id], waiting = waitingNow[s.id] || 0, queue = waiting >= 0.5;
    const g = svgEl("g", {"data-service": s.id});
    g.appendChild(svgEl("rect", {x: p.x, y: p.y, width: p.w, height: boxH, rx: 8, fill: queue ? "#fde8ea" : "#fff",
                                 stroke: queue ? "#a4000f" : "#111", "stroke-width": queue ? 3 : 1}));
    g.appendChild(svgEl("title", {}, s.name));
    const [head, ...rest] = s.name.split(", ");
    g.appendChild(svgEl("text", {x: p.x + 8, y: p.y + 18, "font-size": 13, "font-weight": 700}, clip(head, 29)));
    g.appendChild(svgEl("text", {x: p.x + 8, y: p.y + 36, "font-size": 13}, clip(rest.join(", "), 30)));
    const cap = s.capacity === null ? "" : `capacity ${fixed(s.capacity)} · `;
    g.appendChild(svgEl("text", {x: p.x + 8, y: p.y + 56, "font-size": 13, fill: queue ? "#a4000f" : "#111"},
                        `${cap}waiting ${fixed(waiting)}`));
    svg.appendChild(g);
  }
  $("#map-svg").replaceChildren(svg);
  const t = m.series.time[index];
  $("#map-time-label").textContent = `${m.series.unit} ${fixed(t)}`;
}

function playMap() {
  if (state.timer) { clearInterval(state.timer); state.timer = null; $("#map-play").textContent = "Play over time"; return; }
  const slider = $("#map-time");
  slider.value = "0";
  $("#map-play").textContent = "Stop";
  state.timer = setInterval(() => {
    const next = Number(slider.value) + 1;
    if (next > Number(slider.max)) { playMap(); return; }
    slider.value = String(next); renderMap(next);
  }, 80);
}

// --- journeys ----------------------------------------------------------------------------
async function runJourneys() {
  const scenario = $("#journeys-scenario").value || "baseline";
  $("#journeys-result").replaceChildren(el("p", {}, "Simulating residents one by one…"));
  const [report, map] = await Promise.all([api(mdl(`/journeys?scenario=${encodeURIComponent(scenario)}&runs=3`)),
                                           api(mdl(`/map?scenario=${encodeURIComponent(scenario)}`))]);
  drawSankey(map);
  const s = report.scenarios[0], box = el("div", {"data-testid": "journeys"});
  const services = el("table", {class: "table"});
  fillTable(services, ["Service", "Mean in service", "Mean waiting", "Waiting at end"],
            s.services.map(x => [x.name, fixed(x.mean_in_service, 1), fixed(x.mean_waiting, 1), fixed(x.waiting_at_end, 1)]));
  box.append(el("h3", {}, `Services (${report.runs} runs)`), services, el("h3", {}, "Typical journeys"));
  for (const t of s.typical) box.append(el("h4", {}, t.title), el("ol", {class: "timeline"}, ...t.lines.map(l => el("li", {}, l))));
  $("#journeys-result").replaceChildren(box);
}

function drawSankey(m) {
  // Residents' flows: arrivals on the left, services on the right, bands as wide as the flow.
  const {svgEl, PALETTE} = wsCharts;
  const total = m.edges.filter(e => e.from.startsWith("cohort:")).reduce((a, e) => a + e.flow, 0) || 1;
  const H = 420, W = 760, svg = svgEl("svg", {viewBox: `0 0 ${W} ${H + 20}`});
  let yl = 10, yr = 10;
  const scale = (H - 20 - 4 * m.services.length) / total;
  m.edges.filter(e => e.from.startsWith("cohort:")).forEach((e, i) => {
    const h = Math.max(1, e.flow * scale), service = m.services.find(s => s.id === e.to);
    const colour = PALETTE[i % PALETTE.length];
    svg.appendChild(svgEl("path", {d: `M150,${yl}C380,${yl} 380,${yr} 560,${yr}L560,${yr + h}C380,${yr + h} 380,${yl + h} 150,${yl + h}Z`,
                                   fill: colour, "fill-opacity": .55})).appendChild(svgEl("title", {}, `${fixed(e.flow)} people`));
    svg.appendChild(svgEl("text", {x: 566, y: yr + h / 2 + 5, "font-size": 12}, `${(service || {}).name || e.to} (${fixed(e.flow)})`.slice(0, 34)));
    yl += h; yr += h + 4;
  });
  svg.appendChild(svgEl("rect", {x: 130, y: 10, width: 20, height: yl - 10, fill: "#111"}));
  svg.appendChild(svgEl("text", {x: 4, y: 30, "font-size": 13}, m.cohorts.map(c => c.name).join(", ").slice(0, 20)));
  $("#sankey").replaceChildren(svg);
}

// --- log ---------------------------------------------------------------------------------
async function loadLog() {
  const entries = await api(ws("/log"));
  const byId = Object.fromEntries(state.scenarios.map(s => [s.id, s]));
  $("#log-list").replaceChildren(...entries.slice().reverse().map(e => {
    const scenario = e.scenario_id && byId[e.scenario_id];
    const item = el("article", {class: "log-entry"},
      el("h3", {}, `${scenario ? scenario.name : "Base case"}: ${new Date(e.created_at).toLocaleString("en-GB")} by ${e.author}`),
      el("dl", {}, el("dt", {}, "Question"), el("dd", {}, e.question), el("dt", {}, "Hypothesis"), el("dd", {}, e.hypothesis),
                   el("dt", {}, "Findings"), el("dd", {}, e.findings), el("dt", {}, "Decision"), el("dd", {}, e.decision)));
    if (scenario) {
      const beside = el("div", {});
      api(ws(`/scenarios/${scenario.id}/compare`)).then(r => beside.replaceChildren(
        el("h4", {}, "Beside the base case"), comparisonBlock(r.comparison, r.changed))).catch(showError);
      item.append(beside);
    }
    return item;
  }));
}

async function addLog(event) {
  event.preventDefault();
  const form = new FormData(event.target), scenario = form.get("scenario_id");
  await post(ws("/log"), {question: form.get("question"), hypothesis: form.get("hypothesis"),
                          findings: form.get("findings"), decision: form.get("decision"),
                          scenario_id: scenario ? Number(scenario) : null});
  event.target.reset();
  await loadLog();
}

// --- loops and boundary ------------------------------------------------------------------
async function runLoops() {
  $("#loops-result").replaceChildren(el("p", {}, "Finding loops and scoring them along a run…"));
  const d = await api(mdl("/loops"));
  const table = el("table", {class: "table"});
  fillTable(table, ["Loop", "Polarity", "Length"], d.loops.slice(0, 30).map(l =>
    [l.name || l.id, l.polarity === "R" ? "reinforcing" : l.polarity === "B" ? "balancing" : "unknown",
     String((l.variables || []).length)]));
  $("#loops-result").replaceChildren(el("div", {"data-testid": "loops"},
    el("h3", {}, "What drives the behaviour, in words"), el("ul", {}, ...d.story.map(x => el("li", {}, x))),
    el("h3", {}, `Loops (${d.loops.length}${d.complete ? "" : ", search cut short"})`), table,
    d.caveat ? el("p", {class: "hint"}, d.caveat) : ""));
  const img = $("#diagram");
  img.src = mdl("/diagram.svg"); img.hidden = false;
}

async function loadBoundary() {
  const map = state.map && state.map.name === state.detail.name ? state.map : await api(mdl("/map"));
  $("#boundary-inside").replaceChildren(...map.organisations.map(o => el("label", {class: "check"},
    el("input", {type: "checkbox", name: "inside", value: o.id}), o.name)));
  const rows = await api(mdl("/csh"));
  $("#csh").replaceChildren(...rows.map(r => {
    const form = el("form", {class: "csh", "data-question": r.question},
      el("p", {}, el("strong", {}, `${r.group}: `), r.text),
      el("label", {}, "Is", el("textarea", {name: "is_answer", rows: 2})),
      el("label", {}, "Ought", el("textarea", {name: "ought_answer", rows: 2})),
      el("button", {type: "submit"}, "Save answer"));
    form.querySelector("[name=is_answer]").value = r.is;
    form.querySelector("[name=ought_answer]").value = r.ought;
    form.addEventListener("submit", e => {
      e.preventDefault();
      api(mdl("/csh"), {method: "PUT", headers: {"Content-Type": "application/json"},
        body: JSON.stringify({question: r.question, is_answer: form.querySelector("[name=is_answer]").value,
                              ought_answer: form.querySelector("[name=ought_answer]").value})}).catch(showError);
    });
    return form;
  }));
}

async function judgeBoundary(event) {
  event.preventDefault();
  const form = new FormData(event.target), query = new URLSearchParams();
  query.set("scenario", form.get("scenario"));
  for (const id of form.getAll("inside")) query.append("inside", id);
  const r = await api(mdl(`/boundary?${query}`));
  $("#boundary-result").replaceChildren(el("div", {"data-testid": "boundary"},
    el("p", {class: "verdict"}, `Inside the boundary: ${r.narrow_verdict}. Across the whole system: ${r.whole_verdict}.`),
    el("p", {}, r.whole_summary),
    el("ul", {}, ...r.flips.map(f => el("li", {class: "shunt"}, f))),
    el("h3", {}, "Who outside is affected"),
    el("ul", {}, ...r.affected_organisations.map(([name, change]) => el("li", {}, `${name}: ${signedMoney(change, r.currency)}`)))));
}

// --- wiring ------------------------------------------------------------------------------
function on(sel, event, handler) {
  $(sel).addEventListener(event, e => { showError(null); Promise.resolve(handler(e)).catch(showError); });
}
document.addEventListener("DOMContentLoaded", () => {
  on("#login-form", "submit", async e => {
    e.preventDefault();
    const form = new FormData(e.target);
    try { await post("/api/login", {username: form.get("username"), password: form.get("password")}); }
    catch (error) { $("#login-error").textContent = error.message; return; }
    $("#login-error").textContent = "";
    await start();
  });
  on("#workspace", "change", async () => { state.workspace = $("#workspace").value; await loadModels(); });
  on("#model", "change", async () => { state.model = $("#model").value; state.levers = {}; await openModel(); });
  on("#load-example", "click", async () => {
    const model = await post(ws("/examples/hospital_discharge"), {});
    await loadModels(model.id);
  });
  on("#upload-form", "submit", async e => {
    e.preventDefault();
    const data = new FormData(e.target);
    const model = await api(ws("/models"), {method: "POST", body: data});
    e.target.reset();
    await loadModels(model.id);
  });
  on("#save-form", "submit", saveScenario);
  on("#log-form", "submit", addLog);
  on("#compare-saved", "change", compareSaved);
  on("#compare-file", "change", compareFile);
  on("#map-scenario", "change", drawMap);
  on("#map-play", "click", playMap);
  on("#map-time", "input", () => renderMap(Number($("#map-time").value)));
  on("#journeys-run", "click", runJourneys);
  on("#loops-run", "click", runLoops);
  on("#boundary-form", "submit", judgeBoundary);
  window.addEventListener("hashchange", showPage);
  start();
});
