// The operator graph, drawn by hand in SVG: source → steps → keyBy (and the
// repartition topic between the two stages of a repartitioned pipeline) →
// window / aggregate → sink, with the dead-letter and late-data outputs below.
// Each node takes its stage's colour as Flink colours vertices: idle (blue),
// busy (red, stronger the busier), back-pressured (grey); the state is also
// written in words on the stage's label.

import { s, h, fill } from "../dom.js";
import * as f from "../format.js";
import { loadState } from "../jobstats.js";

const NW = 156, NH = 58, GAP = 34, PAD = 12, LEFT = 16, TOP = 44, SIDE_GAP = 44;

function clip(t, n) { t = String(t ?? ""); return t.length > n ? t.slice(0, n - 1) + "…" : t; }

const TITLES = { keyBy: "keyBy", window: "window", aggregate: "aggregate", reduce: "reduce", filter: "filter", map: "map",
  rename: "rename", drop: "drop", select: "select" };

/**
 * model: {outline, planNodes, stages: [{name, parallelism, load:{busy, backpressured}, in, out, inRate, outRate}]}
 * Returns the nodes laid out: [{x, y, kind, title, detail, stage, role}], edges, boxes.
 */
function layout(outline, planNodes, stages) {
  const two = (planNodes || []).length >= 2 && stages.length >= 2;
  const repTopic = two ? String(planNodes[1].description || "").split(" -> ")[0] : null;
  const steps = outline.steps || [];
  const kb = steps.findIndex((st) => st.kind === "keyBy");
  const main = [];
  main.push({ role: "source", title: "Source", detail: outline.source ? outline.source.name : "?", stage: 0 });
  steps.forEach((st, i) => {
    if (two && i === (kb < 0 ? 0 : kb)) main.push({ role: "topic", title: "Repartition topic", detail: repTopic || "", stage: null });
    main.push({ role: "step", kind: st.kind, title: TITLES[st.kind] || st.kind, detail: st.detail, stage: two && i >= (kb < 0 ? 0 : kb) ? 1 : 0 });
  });
  if (two && !steps.length) main.push({ role: "topic", title: "Repartition topic", detail: repTopic || "", stage: null });
  main.push({ role: "sink", title: "Sink", detail: outline.sink ? outline.sink.name : "?", stage: two ? 1 : 0 });
  main.forEach((n, i) => { n.x = LEFT + i * (NW + GAP); n.y = TOP; n.col = i; });

  const side = [];
  if (outline.deadLetter) side.push({ role: "dlq", title: "Dead letters", detail: outline.deadLetter.name, from: main[0], stage: 0 });
  if (outline.lateData) {
    const w = main.find((n) => n.kind === "window") || main.find((n) => n.kind === "aggregate" || n.kind === "reduce") || main[main.length - 1];
    side.push({ role: "late", title: "Late data", detail: outline.lateData.name, from: w, stage: w.stage ?? 0 });
  }
  side.forEach((n) => { n.x = n.from.x; n.y = TOP + NH + PAD + SIDE_GAP; });
  if (side.length === 2 && side[0].x === side[1].x) side[1].x += NW + GAP;
  return { main, side, two };
}

function stageLabel(st, i, two) {
  const load = loadState(st.load.busy, st.load.backpressured);
  return `${two ? `Stage ${i + 1}` : "Job"} ×${st.parallelism} · ${load.label}`;
}

export function operatorGraph() {
  const holder = h("div", { class: "graph-scroll", tabindex: "0", role: "region", "aria-label": "Operator graph (scrolls sideways)" });
  const legend = h("p", { class: "legend" },
    h("span", { class: "swatch load-idle" }), "idle ",
    h("span", { class: "swatch load-busy1" }), h("span", { class: "swatch load-busy2" }), h("span", { class: "swatch load-busy3" }), "busy ",
    h("span", { class: "swatch load-bp" }), "back-pressured ",
    h("span", { class: "swatch load-unknown" }), "no rate yet");
  const el = h("div", { class: "graph" }, holder, legend);

  function update({ outline, planNodes, stages }) {
    if (!outline || !stages.length) { fill(holder, h("p", { class: "muted" }, "The plan is not known yet.")); return; }
    const { main, side, two } = layout(outline, planNodes, stages);
    const maxX = Math.max(...main.map((n) => n.x), ...side.map((n) => n.x)) + NW + LEFT;
    const height = side.length ? TOP + NH + PAD + SIDE_GAP + NH + 8 : TOP + NH + PAD + 8;
    const svg = s("svg", { viewBox: `0 0 ${maxX} ${height}`, width: String(maxX), height: String(height), role: "img", class: "graph-svg" });
    const summary = stages.map((st, i) => `${stageLabel(st, i, two)}, in ${f.rate(st.inRate)}, out ${f.rate(st.outRate)}`).join("; ");
    svg.setAttribute("aria-label", `Operator graph: ${main.map((n) => `${n.title} ${n.detail}`).join(" → ")}. ${summary}`);
    svg.appendChild(s("defs", null,
      s("marker", { id: "arrow", viewBox: "0 0 10 10", refX: "9", refY: "5", markerWidth: "7", markerHeight: "7", orient: "auto-start-reverse" },
        s("path", { d: "M0,0 L10,5 L0,10 z", class: "arrowhead" }))));

    // Stage boxes behind their nodes, labelled with parallelism and load.
    stages.forEach((st, i) => {
      const nodes = main.filter((n) => n.stage === i);
      if (!nodes.length) return;
      const x0 = nodes[0].x - PAD + 4, x1 = nodes[nodes.length - 1].x + NW + PAD - 4;
      const load = loadState(st.load.busy, st.load.backpressured);
      svg.appendChild(s("rect", { x: x0, y: TOP - 30, width: x1 - x0, height: NH + 30 + PAD, rx: 8, class: `stage-box ${load.cls}` }));
      svg.appendChild(s("text", { x: x0 + 8, y: TOP - 12, class: "stage-label" }, clip(stageLabel(st, i, two), Math.floor((x1 - x0) / 7))));
    });

    // Edges.
    for (let i = 0; i + 1 < main.length; i++) {
      const a = main[i], b = main[i + 1];
      const y = a.y + NH / 2;
      svg.appendChild(s("line", { x1: a.x + NW, y1: y, x2: b.x - 2, y2: y, class: "edge", "marker-end": "url(#arrow)" }));
      if (b.role === "topic" || a.role === "topic") {
        svg.appendChild(s("text", { x: (a.x + NW + b.x) / 2, y: y - 6, class: "edge-label", "text-anchor": "middle" }, a.role === "topic" ? "HASH" : "write"));
      }
    }
    for (const n of side) {
      const x = n.from.x + NW / 2;
      const tx = n.x + NW / 2;
      svg.appendChild(s("path", { d: `M${x},${n.from.y + NH} C${x},${n.y - 12} ${tx},${n.from.y + NH + 12} ${tx},${n.y - 2}`, class: "edge side", "marker-end": "url(#arrow)" }));
    }

    // Nodes.
    const draw = (n) => {
      const st = n.stage === null || n.stage === undefined ? null : stages[n.stage];
      const load = st ? loadState(st.load.busy, st.load.backpressured) : null;
      const cls = n.role === "topic" || n.role === "dlq" || n.role === "late" ? `node node-${n.role}` : `node ${load ? load.cls : "load-unknown"}`;
      let third = "";
      if (n.role === "source" && st) third = `${f.int(st.in)} read · ${f.rate(st.inRate)}`;
      else if (n.role === "sink" && st) third = `${f.int(st.out)} written · ${f.rate(st.outRate)}`;
      else if (n.role === "topic" && stages[0]) third = `${f.rate(stages[0].outRate)} in`;
      else if (st && load) third = load.label;
      const g = s("g", { class: cls, "data-role": n.role },
        s("title", null, `${n.title}: ${n.detail}${third ? ` (${third})` : ""}`),
        s("rect", { x: n.x, y: n.y, width: NW, height: NH, rx: n.role === "topic" ? 14 : 5 }),
        s("text", { x: n.x + 8, y: n.y + 17, class: "node-title" }, clip(n.title, 22)),
        s("text", { x: n.x + 8, y: n.y + 33, class: "node-detail" }, clip(n.detail, 24)),
        third ? s("text", { x: n.x + 8, y: n.y + 49, class: "node-figure" }, clip(third, 26)) : null);
      svg.appendChild(g);
    };
    main.forEach(draw);
    side.forEach(draw);
    fill(holder, svg);
  }
  return { el, update };
}
