// A line chart in hand-written SVG: time on x (a fixed window ending now),
// one or more series on y from 0 to a rounded maximum, gaps where samples are
// missing. The latest values are also written out in the legend and the
// chart's accessible name.

import { s, h, fill, setText } from "./dom.js";
import * as f from "./format.js";

const W = 640, H = 190, ML = 58, MR = 14, MT = 12, MB = 26;

function niceMax(v) {
  if (!(v > 0)) return 1;
  const p = Math.pow(10, Math.floor(Math.log10(v)));
  for (const m of [1, 1.2, 1.5, 2, 2.5, 3, 4, 5, 6, 8, 10]) if (m * p >= v) return m * p;
  return 10 * p;
}

/**
 * series: [{key, label, cls}]; format(v) for the axis and legend.
 * update(points, {from, to, gapMs}) with points [{t, [key]: number|null}].
 */
export function lineChart({ title, series, format = f.compact, id }) {
  const svg = s("svg", { viewBox: `0 0 ${W} ${H}`, class: "chart-svg", role: "img", preserveAspectRatio: "xMidYMid meet" });
  const values = {};
  const legend = h("p", { class: "chart-legend" }, series.map((se) => {
    values[se.key] = h("span", { class: "legend-value" }, f.DASH);
    return h("span", { class: "legend-item" }, h("span", { class: `swatch line-${se.cls}`, "aria-hidden": "true" }), `${se.label} `, values[se.key]);
  }));
  const el = h("figure", { class: "chart", id }, h("figcaption", null, title), svg, legend);

  function update(points, { from, to, gapMs = 15000 }) {
    const span = Math.max(1, to - from);
    let max = 0;
    for (const p of points) for (const se of series) { const v = p[se.key]; if (typeof v === "number" && Number.isFinite(v) && v > max) max = v; }
    const top = niceMax(max);
    const x = (t) => ML + ((t - from) / span) * (W - ML - MR);
    const y = (v) => MT + (1 - v / top) * (H - MT - MB);
    const parts = [];
    // Grid and axes.
    for (const frac of [0, 0.5, 1]) {
      const v = top * frac, yy = y(v);
      parts.push(s("line", { x1: ML, x2: W - MR, y1: yy, y2: yy, class: frac === 0 ? "axis" : "grid" }));
      parts.push(s("text", { x: ML - 6, y: yy + 4, "text-anchor": "end", class: "tick" }, format(v)));
    }
    const step = span > 20 * 60000 ? 10 * 60000 : span > 6 * 60000 ? 5 * 60000 : 60000;
    for (let t = Math.ceil(from / step) * step; t <= to; t += step) {
      parts.push(s("line", { x1: x(t), x2: x(t), y1: H - MB, y2: H - MB + 4, class: "axis" }));
      parts.push(s("text", { x: x(t), y: H - 8, "text-anchor": "middle", class: "tick" }, f.clock(t)));
    }
    const inWindow = points.filter((p) => p.t >= from && p.t <= to).sort((a, b) => a.t - b.t);
    const latest = {};
    for (const se of series) {
      let d = "", prevT = null;
      for (const p of inWindow) {
        const v = p[se.key];
        if (typeof v !== "number" || !Number.isFinite(v)) { prevT = null; continue; }
        const cmd = prevT === null || p.t - prevT > gapMs ? "M" : "L";
        d += `${cmd}${x(p.t).toFixed(1)},${y(Math.max(0, v)).toFixed(1)}`;
        prevT = p.t;
        latest[se.key] = v;
      }
      if (d) parts.push(s("path", { d, class: `line line-${se.cls}` }));
      if (d && !d.includes("L")) { // a lone point: draw it
        const m = /M([\d.]+),([\d.]+)$/.exec(d);
        if (m) parts.push(s("circle", { cx: m[1], cy: m[2], r: 2.5, class: `dot line-${se.cls}` }));
      }
    }
    if (!inWindow.length) parts.push(s("text", { x: W / 2, y: H / 2, "text-anchor": "middle", class: "tick" }, "No samples yet"));
    fill(svg, parts);
    for (const se of series) setText(values[se.key], se.key in latest ? format(latest[se.key]) : f.DASH);
    svg.setAttribute("aria-label", `${title}, last ${Math.round(span / 60000)} minutes; latest: ` +
      series.map((se) => `${se.label} ${se.key in latest ? format(latest[se.key]) : "none"}`).join(", "));
  }
  return { el, update };
}
