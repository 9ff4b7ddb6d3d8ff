// How sure? Where to act? Ensembles (uncertainty bands), sensitivity, ranking,
// calibration and forecasts. The numbers are the server's analyses; long ones run as
// background jobs whose progress arrives as server-sent events, each with a cancel button.
"use strict";

const analyses = {loadedFor: null, constants: [], declared: []};

// "NAME=LOW:HIGH" or "NAME=LOW:MODE:HIGH" lines -> the API's uncertain parameters.
function parseRanges(text, what) {
  const out = [];
  text.split("\n").map(l => l.trim()).filter(Boolean).forEach((line, i) => {
    const at = line.lastIndexOf("=");
    const numbers = at > 0 ? line.slice(at + 1).split(":").map(Number) : [];
    if (at <= 0 || ![2, 3].includes(numbers.length) || numbers.some(n => !Number.isFinite(n))) {
      throw new Error(`${what}, line ${i + 1}: expected NAME=LOW:HIGH or NAME=LOW:MODE:HIGH, not "${line}"`);
    }
    const name = line.slice(0, at).trim();
    out.push(numbers.length === 2 ? {name, distribution: "uniform", low: numbers[0], high: numbers[1]}
      : {name, distribution: "triangular", low: numbers[0], mode: numbers[1], high: numbers[2]});
  });
  return out;
}

function rangeLine(p) {
  if (p.distribution === "uniform") return `${p.name}=${p.low}:${p.high}`;
  if (p.distribution === "triangular") return `${p.name}=${p.low}:${p.mode}:${p.high}`;
  return null;
}

async function drawAnalyses() {
  if (analyses.loadedFor === state.model) return;
  analyses.loadedFor = state.model;
  const found = await api(mdl("/uncertainty"));
  analyses.constants = found.constants;
  analyses.declared = found.declared;
  const declaredLines = found.declared.map(rangeLine);
  let lines;
  if (found.declared.length && declaredLines.every(Boolean)) {
    lines = declaredLines;
    $("#uncertain-hint").textContent = "These are the model file's own uncertain parameters.";
  } else if (found.declared.length) {
    lines = [];
    $("#uncertain-hint").textContent = `Empty: the file's own ${found.declared.length} uncertain parameters are used.`;
  } else {
    // No uncertainty in the file: start from demand 20% either side of the file's value.
    const demand = found.constants.filter(c => c.kind === "arrival rate").slice(0, 4);
    lines = demand.map(c => `${c.name}=${+(c.value * 0.8).toPrecision(6)}:${+(c.value * 1.2).toPrecision(6)}`);
    $("#uncertain-hint").textContent = lines.length
      ? "The file states no uncertainty; these lines start from demand 20% either side of its values: edit them."
      : "Name the constants that are uncertain, with their ranges.";
  }
  $("#uncertain").value = lines.join("\n");
  const scenarios = (state.detail && state.detail.scenarios) || ["baseline"];
  $("#ensemble-scenario").replaceChildren(...scenarios.map(s => el("option", {value: s}, s)));
}

function uncertainParameters() {
  return parseRanges($("#uncertain").value, "Uncertain assumptions");
}

// Start a job and follow it in `panel` (progress bar, state, cancel); resolves with its
// result, rejects when it fails or is cancelled.
async function runJob(kind, body, panel) {
  const job = await post(mdl(`/jobs/${kind}`), body);
  const bar = el("progress", {max: Math.max(1, job.total), value: 0, "aria-label": `${kind} progress`});
  const words = el("span", {class: "state"}, "queued");
  const cancel = el("button", {type: "button", class: "cancel"}, "Cancel");
  panel.replaceChildren(bar, words, cancel);
  panel.dataset.state = "queued";
  cancel.addEventListener("click", () => {
    cancel.disabled = true;
    post(ws(`/jobs/${job.id}/cancel`), {}).catch(showError);
  });
  const final = await new Promise((resolve, reject) => {
    const events = new EventSource(ws(`/jobs/${job.id}/events`));
    let last = job;
    events.addEventListener("progress", e => {
      last = JSON.parse(e.data);
      bar.max = Math.max(1, last.total);
      bar.value = last.done;
      words.textContent = `${last.state}: ${fixed(last.done)} of ${fixed(last.total)}`;
      panel.dataset.state = last.state;
    });
    events.addEventListener("end", () => { events.close(); resolve(last); });
    events.onerror = () => { events.close(); reject(new Error("lost touch with the server")); };
  });
  cancel.disabled = true;
  words.textContent = final.state === "done" ? `done: ${fixed(final.total)} of ${fixed(final.total)}`
    : `${final.state}${final.message ? ": " + final.message : ""}`;
  panel.dataset.state = final.state;
  if (final.state !== "done") {
    const error = new Error(`${kind} ${final.state}${final.message ? ": " + final.message : ""}`);
    error.quiet = final.state === "cancelled";
    throw error;
  }
  return api(ws(`/jobs/${job.id}/result`));
}

function quietly(error) { if (!error.quiet) showError(error); }

// Ensemble bands as chart lines: the median, shaded from p5 to p95.
function bandLines(series, group) {
  return series.outputs.filter(o => o.group === group).map(o => ({name: o.name, values: o.p50, low: o.p5, high: o.p95}));
}

async function showBands() {
  await drawAnalyses();
  const body = {levers: state.levers, runs: Number($("#bands-runs").value), scenario: "baseline",
                parameters: uncertainParameters()};
  const result = await runJob("ensemble", body, $("#bands-job"));
  const s = result.series;
  const unit = (state.series && state.series.unit) || "";
  wsCharts.lineChart($("#cost-chart"), s.time, bandLines(s, "cost"), unit + "s");
  wsCharts.lineChart($("#wait-chart"), s.time, bandLines(s, "waiting"), unit + "s");
  $("#bands-job").append(el("span", {}, ` ${result.runs} runs: the line is the median, the band 5% to 95%.`));
}

async function runEnsemble(event) {
  event.preventDefault();
  const form = new FormData(event.target);
  const result = await runJob("ensemble", {scenario: form.get("scenario"), runs: Number(form.get("runs")),
                                            parameters: uncertainParameters()}, $("#ensemble-job"));
  const box = $("#ensemble-result");
  const s = result.series;
  const figures = [];
  for (const [group, title] of [["cost", "Cumulative cost by organisation"], ["waiting", "People waiting, by service"],
                                ["output", "Outputs"]]) {
    const lines = bandLines(s, group);
    if (!lines.length) continue;
    const figure = el("div", {class: "figure", role: "img", "aria-label": `${title}: median and 90% band`});
    wsCharts.lineChart(figure, s.time, lines, "");
    figures.push(el("h4", {}, title), figure);
  }
  const table = el("table", {class: "table"});
  fillTable(table, ["At the end", "5%", "median", "95%", "mean"], result.outputs.map(o =>
    [o.name, fixed(o.final.p5), fixed(o.final.p50), fixed(o.final.p95), fixed(o.final.mean)]));
  box.replaceChildren(el("p", {}, `${result.runs} runs of ${result.scenario}.`), ...figures, table);
}

async function runSensitivity(event) {
  event.preventDefault();
  const form = new FormData(event.target);
  const output = String(form.get("output") || "").trim();
  const result = await runJob("sensitivity", {parameters: uncertainParameters(), outputs: output ? [output] : [],
                                              method: form.get("method"), samples: Number(form.get("samples"))},
                              $("#sensitivity-job"));
  const box = $("#sensitivity-result");
  box.replaceChildren();
  for (const out of result.outputs) {
    const sobol = out.method === "sobol";
    const table = el("table", {class: "table"});
    fillTable(table, sobol ? ["Assumption", "On its own (S1)", "With interactions (ST)"] : ["Assumption", "mu*", "sigma"],
      out.indices.map(i => sobol ? [i.parameter, fixed(i.S1, 3), fixed(i.ST, 3)]
                                 : [i.parameter, fixed(i.mu_star, 3), fixed(i.sigma, 3)]));
    box.append(el("h4", {}, `${out.output} (${out.method}, ${out.runs} runs)`), table,
               el("ul", {}, ...out.statements.map(t => el("li", {}, t))));
  }
}

async function runRank(event) {
  event.preventDefault();
  const form = new FormData(event.target);
  const text = $("#uncertain").value.trim();
  const result = await runJob("rank", {runs: Number(form.get("runs")), goal: form.get("goal"),
                                       parameters: text ? uncertainParameters() : []}, $("#rank-job"));
  fillTable($("#rank-result"), ["Intervention", "Cost change (mean)", "5%", "95%", "Saves money in", "In words"],
    result.interventions.map(r => [r.name, changeCell(r.expected_change, signedMoney(r.expected_change)),
      signedMoney(r.p5), signedMoney(r.p95), `${Math.round(100 * r.probability_saving)}% of runs`,
      el("td", {class: "statement"}, r.statement)]));
}

// A CSV with a header row -> {columns: [...], rows: [[numbers or null]]}. Columns with no
// number in them (dates, labels) are left out; a column mixing numbers and text is an error.
async function readCsv(file) {
  const text = await file.text();
  const lines = text.split(/\r?\n/).filter(l => l.trim());
  if (lines.length < 2) throw new Error(`${file.name}: no rows under the header`);
  const header = lines[0].split(",").map(c => c.trim().replace(/^"|"$/g, ""));
  const cells = lines.slice(1).map(line => line.split(",").map(c => c.trim()));
  const numeric = header.map((_, j) => cells.some(r => r[j] !== undefined && r[j] !== "" && Number.isFinite(Number(r[j]))));
  const keep = header.map((_, j) => j).filter(j => numeric[j]);
  const rows = cells.map((r, i) => keep.map(j => {
    const t = r[j] === undefined ? "" : r[j];
    if (t === "") return null;
    const v = Number(t);
    if (!Number.isFinite(v)) throw new Error(`${file.name}:${i + 2}: "${header[j]}" is not a number: ${t}`);
    return v;
  }));
  return {columns: keep.map(j => header[j]), rows};
}

function timeColumn(csv, name) {
  const k = csv.columns.findIndex(c => c.toLowerCase() === "time");
  if (k < 0) throw new Error(`${name}: no "time" column`);
  return k;
}

async function runCalibration(event) {
  event.preventDefault();
  const form = new FormData(event.target);
  const file = form.get("file");
  const csv = await readCsv(file);
  const t = timeColumn(csv, file.name);
  const values = {};
  csv.columns.forEach((c, j) => { if (j !== t) values[c] = csv.rows.map(r => r[j] ?? null); });
  const fit = parseRanges(String(form.get("fit")), "Constants to fit").map(p => ({name: p.name, low: p.low, high: p.high}));
  const result = await runJob("calibration", {observations: {times: csv.rows.map(r => r[t]), values}, fit},
                              $("#calibration-job"));
  const table = el("table", {class: "table"});
  fillTable(table, ["Constant", "Best fit", "95% interval"], Object.entries(result.parameters).map(([name, v]) =>
    [name, fixed(v, 4), `${fixed(result.intervals[name][0], 4)} to ${fixed(result.intervals[name][1], 4)}`]));
  // the fit is reported at the observation times, so both lines share the time axis
  const figures = Object.entries(values).map(([name, observed]) => {
    const figure = el("div", {class: "figure", role: "img", "aria-label": `${name}: observed and fitted`});
    wsCharts.lineChart(figure, result.simulated.times, [
      {name: `${name} fitted`, values: result.simulated[name]},
      {name: `${name} observed`, values: observed.map(v => v === null ? NaN : v)}], "");
    return figure;
  });
  $("#calibration-result").replaceChildren(
    el("p", {}, `R² ${fixed(result.fit.r2, 4)}, MAPE ${result.fit.mape === null ? "n/a" : fixed(100 * result.fit.mape, 2) + "%"}, ` +
                `Theil U ${fixed(result.fit.theil.u, 4)}`), table, ...figures);
}

async function runForecast(event) {
  event.preventDefault();
  const form = new FormData(event.target);
  const file = form.get("file");
  const csv = await readCsv(file);
  const t = timeColumn(csv, file.name);
  const wanted = String(form.get("column") || "").trim();
  const k = wanted ? csv.columns.indexOf(wanted) : csv.columns.findIndex((_, j) => j !== t);
  if (k < 0) throw new Error(`${file.name}: no column "${wanted}"`);
  const history = csv.rows.map(r => r[k]);
  const answer = await post(ws("/forecast"), {history, horizon: Number(form.get("horizon")),
                                               method: form.get("method"), backtest: form.get("backtest") === "on"});
  const f = answer.forecast;
  const times = csv.rows.map(r => r[t]);
  const step = times.length > 1 ? times[times.length - 1] - times[times.length - 2] : 1;
  const future = f.mean.map((_, h) => times[times.length - 1] + step * (h + 1));
  const nan = v => v.map(() => NaN);
  const figure = el("div", {class: "figure", role: "img", "aria-label": "History and forecast with its interval"});
  wsCharts.lineChart(figure, times.concat(future), [
    {name: "history", values: history.concat(nan(f.mean))},
    {name: `${f.method} forecast`, values: nan(history).concat(f.mean),
     low: nan(history).concat(f.lower), high: nan(history).concat(f.upper)}], "");
  $("#forecast-result").replaceChildren(
    el("p", {}, `${f.method} forecast, ${f.mean.length} steps; the band is the ${Math.round(100 * f.level)}% interval.`),
    figure, ...(answer.backtest ? [el("p", {class: "verdict"}, answer.backtest.statement)] : []));
}

document.addEventListener("DOMContentLoaded", () => {
  const wire = (sel, event, handler) => $(sel).addEventListener(event, e => {
    showError(null);
    Promise.resolve(handler(e)).catch(quietly);
  });
  wire("#bands-run", "click", showBands);
  wire("#ensemble-form", "submit", runEnsemble);
  wire("#sensitivity-form", "submit", runSensitivity);
  wire("#rank-form", "submit", runRank);
  wire("#calibration-form", "submit", runCalibration);
  wire("#forecast-form", "submit", runForecast);
});
