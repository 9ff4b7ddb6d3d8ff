// Small SVG charts drawn from the API's series: no library, nothing fetched at run time.
"use strict";
const PALETTE = ["#0b4f9c", "#a4000f", "#0b6b2e", "#6a3d9a", "#b35806", "#1b7c83",
                 "#7a5c00", "#c51b7d", "#333333"];
const SVGNS = "http://www.w3.org/2000/svg";

function svgEl(name, attrs, text) {
  const el = document.createElementNS(SVGNS, name);
  for (const [k, v] of Object.entries(attrs || {})) el.setAttribute(k, v);
  if (text !== undefined) el.textContent = text;
  return el;
}

function niceNumber(v) {
  const a = Math.abs(v);
  if (a >= 1e6) return (v / 1e6).toFixed(1) + "m";
  if (a >= 1e3) return (v / 1e3).toFixed(0) + "k";
  return v.toFixed(a < 10 ? 1 : 0);
}

// lines: [{name, values, low?, high?}], time: [..]; draws into container, replacing what
// was there. A line with low and high arrays gets a shaded band between them (the 5th to
// 95th percentile of an ensemble), drawn under every line.
function lineChart(container, time, lines, yLabel) {
  const W = 720, H = 300, L = 70, R = 10, T = 10, B = 40;
  const svg = svgEl("svg", {viewBox: `0 0 ${W} ${H + 22 * Math.ceil(lines.length / 3)}`,
                            "data-testid": "chart"});
  const all = lines.flatMap(l => l.values.concat(l.low || [], l.high || [])).filter(Number.isFinite);
  const ymax = Math.max(1e-9, ...all), ymin = Math.min(0, ...all);
  const t0 = time[0] || 0, t1 = time[time.length - 1] || 1;
  const x = t => L + (W - L - R) * (t - t0) / ((t1 - t0) || 1);
  const y = v => T + (H - T - B) * (1 - (v - ymin) / ((ymax - ymin) || 1));
  svg.appendChild(svgEl("line", {x1: L, y1: y(ymin), x2: W - R, y2: y(ymin), stroke: "#767676"}));
  svg.appendChild(svgEl("line", {x1: L, y1: T, x2: L, y2: H - B, stroke: "#767676"}));
  for (let i = 0; i <= 4; i++) {
    const v = ymin + (ymax - ymin) * i / 4;
    svg.appendChild(svgEl("text", {x: L - 6, y: y(v) + 5, "text-anchor": "end", "font-size": 13}, niceNumber(v)));
  }
  svg.appendChild(svgEl("text", {x: L, y: H - 10, "font-size": 13}, `${t0}`));
  svg.appendChild(svgEl("text", {x: W - R, y: H - 10, "font-size": 13, "text-anchor": "end"}, `${t1} ${yLabel}`));
  lines.forEach((line, i) => {
    if (!line.low || !line.high) return;
    const at = line.high.map((v, j) => j).filter(j => Number.isFinite(line.high[j]) && Number.isFinite(line.low[j]));
    if (!at.length) return;
    const upper = at.map((j, k) => `${k ? "L" : "M"}${x(time[j]).toFixed(1)},${y(line.high[j]).toFixed(1)}`).join("");
    const lower = at.slice().reverse().map(j => `L${x(time[j]).toFixed(1)},${y(line.low[j]).toFixed(1)}`).join("");
    svg.appendChild(svgEl("path", {d: upper + lower + "Z", fill: PALETTE[i % PALETTE.length],
                                   "fill-opacity": 0.18, stroke: "none", "data-band": line.name}));
  });
  lines.forEach((line, i) => {
    // a missing value (NaN) breaks the line: the next point starts a new piece
    const d = line.values.map((v, j) => !Number.isFinite(v) ? "" :
      `${j && Number.isFinite(line.values[j - 1]) ? "L" : "M"}${x(time[j]).toFixed(1)},${y(v).toFixed(1)}`).join("");
    const colour = PALETTE[i % PALETTE.length];
    svg.appendChild(svgEl("path", {d, fill: "none", stroke: colour, "stroke-width": 2.5,
                                   "stroke-dasharray": i >= PALETTE.length ? "6 3" : ""}));
    const lx = 10 + (i % 3) * 240, ly = H + 16 + 22 * Math.floor(i / 3);
    svg.appendChild(svgEl("rect", {x: lx, y: ly - 11, width: 14, height: 14, fill: colour}));
    svg.appendChild(svgEl("text", {x: lx + 20, y: ly, "font-size": 13}, line.name.slice(0, 30)));
  });
  container.replaceChildren(svg);
}

window.wsCharts = {svgEl, lineChart, niceNumber, PALETTE};
