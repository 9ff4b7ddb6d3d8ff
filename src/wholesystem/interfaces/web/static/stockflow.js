// The stock-and-flow view: stocks as boxes, flows as valves on pipes, auxiliaries as
// circles, information links as thin arrows; placed as the file's own diagram has them.
// Click (or Enter on) a variable to see its equation, units and time series.
"use strict";

const SF_SIZE = {stock: [90, 44], flow: [14, 14], aux: [12, 12]};

function sfBounds(nodes) {
  const xs = nodes.map(n => n.x), ys = nodes.map(n => n.y);
  const pad = 90;
  const x0 = Math.min(...xs) - pad, y0 = Math.min(...ys) - pad;
  return [x0, y0, Math.max(...xs) + pad - x0, Math.max(...ys) + pad - y0];
}

function sfNode(svgEl, n) {
  const g = svgEl("g", {class: `sf-node sf-${n.kind}`, tabindex: "0", role: "button",
                        "data-name": n.display, "aria-label": `${n.kind} ${n.display}: show its equation and results`});
  if (n.kind === "stock") {
    g.append(svgEl("rect", {x: n.x - 45, y: n.y - 22, width: 90, height: 44, rx: 3, fill: "#eef3fa", stroke: "#0b4f9c", "stroke-width": 2.5}));
  } else if (n.kind === "flow") {
    g.append(svgEl("circle", {cx: n.x, cy: n.y, r: 9, fill: "#fff", stroke: "#0b4f9c", "stroke-width": 2.5}),
             svgEl("line", {x1: n.x, y1: n.y - 9, x2: n.x, y2: n.y - 18, stroke: "#0b4f9c", "stroke-width": 2.5}));
  } else {
    g.append(svgEl("circle", {cx: n.x, cy: n.y, r: 9, fill: "#fff", stroke: "#444", "stroke-width": 2}));
  }
  const label = n.display.replace(/_/g, " ");
  g.append(svgEl("text", {x: n.x, y: n.kind === "stock" ? n.y + 5 : n.y + 26, "text-anchor": "middle", "font-size": 13},
                 label.length > 26 ? label.slice(0, 25) + "…" : label));
  g.append(svgEl("title", {}, label));
  return g;
}

function sfLink(svgEl, link, at) {
  const a = at[link.source], b = at[link.target];
  if (!a || !b) return null;
  if (link.kind === "info") {
    const mx = (a.x + b.x) / 2 + (b.y - a.y) * 0.15, my = (a.y + b.y) / 2 - (b.x - a.x) * 0.15;
    return svgEl("path", {d: `M${a.x},${a.y} Q${mx},${my} ${b.x},${b.y}`, fill: "none", stroke: "#a4000f",
                          "stroke-width": 1.4, "marker-end": "url(#sf-arrow)", class: "sf-info"});
  }
  return svgEl("line", {x1: a.x, y1: a.y, x2: b.x, y2: b.y, stroke: "#0b4f9c", "stroke-width": 6,
                        "stroke-opacity": 0.35, "marker-end": "url(#sf-pipe)", class: `sf-${link.kind}`});
}

async function drawStockFlow() {
  const {svgEl} = window.wsCharts;
  const d = await api(mdl("/stock-flow"));
  const at = Object.fromEntries(d.nodes.map(n => [n.name, n]));
  const [x0, y0, w, h] = sfBounds(d.nodes.length ? d.nodes : [{x: 0, y: 0}]);
  const svg = svgEl("svg", {viewBox: `${x0} ${y0} ${w} ${h}`, "data-testid": "stock-flow"});
  const defs = svgEl("defs");
  defs.append(svgEl("marker", {id: "sf-arrow", viewBox: "0 0 10 10", refX: 18, refY: 5, markerWidth: 7, markerHeight: 7, orient: "auto"}),
              svgEl("marker", {id: "sf-pipe", viewBox: "0 0 10 10", refX: 10, refY: 5, markerWidth: 3, markerHeight: 3, orient: "auto"}));
  defs.children[0].append(svgEl("path", {d: "M0,0 L10,5 L0,10 z", fill: "#a4000f"}));
  defs.children[1].append(svgEl("path", {d: "M0,0 L10,5 L0,10 z", fill: "#0b4f9c"}));
  svg.append(defs);
  for (const link of d.links) { const line = sfLink(svgEl, link, at); if (line) svg.append(line); }
  for (const n of d.nodes) {
    const g = sfNode(svgEl, n);
    const open = () => showVariable(n).catch(showError);
    g.addEventListener("click", open);
    g.addEventListener("keydown", e => { if (e.key === "Enter" || e.key === " ") { e.preventDefault(); open(); } });
    svg.append(g);
  }
  $("#sf-svg").replaceChildren(svg);
  $("#sf-placed").textContent = d.placed_by === "file" ? "Placed as the model file's own diagram has them."
                                                      : "The file has no diagram: laid out automatically.";
}

async function showVariable(n) {
  const s = await api(mdl(`/series?variable=${encodeURIComponent(n.display)}`));
  const box = $("#sf-detail");
  box.replaceChildren(el("h3", {}, n.display.replace(/_/g, " ")),
    el("dl", {class: "sf-facts"},
      el("dt", {}, "Kind"), el("dd", {}, n.kind === "aux" ? "auxiliary" : n.kind),
      el("dt", {}, n.kind === "stock" ? "Initial value" : "Equation"), el("dd", {}, el("code", {"data-testid": "sf-equation"}, n.equation)),
      el("dt", {}, "Units"), el("dd", {"data-testid": "sf-units"}, n.units || "(none given)"),
      ...(n.doc ? [el("dt", {}, "Note"), el("dd", {}, n.doc)] : [])),
    el("div", {class: "figure", role: "img", "aria-label": `${n.display} over time`, id: "sf-chart"}));
  wsCharts.lineChart($("#sf-chart"), s.time, s.series.map(x => ({name: x.name, values: x.values.map(v => v === null ? NaN : v)})), "");
}
