// One job: its state and actions, headline figures, the operator graph with
// each stage's load, the last 15 minutes in charts, and tabs for partitions,
// checkpoints, exceptions, dead letters and the pipeline text.

import { api } from "../api.js";
import { h, fill, setText } from "../dom.js";
import * as f from "../format.js";
import { tiles } from "../tiles.js";
import { observe, loadState, isEnded } from "../jobstats.js";
import { stateBadge } from "../badge.js";
import { tabs } from "../tabs.js";
import { dataTable } from "../table.js";
import { outline, outlineFromPlan } from "../pipeline-outline.js";
import { operatorGraph } from "../job/graph.js";
import { jobCharts, watermarkLag } from "../job/charts.js";
import { partitionsPanel } from "../job/partitions.js";
import { checkpointsPanel } from "../job/checkpoints.js";
import { exceptionsPanel } from "../job/exceptions.js";
import { deadLettersPanel } from "../job/dead-letters.js";
import { pipelineView, pipelineText } from "../job/pipeline-view.js";
import { jobActions } from "../job/actions.js";

export function mount(root, args, ctx) {
  const id = args[0] || "";
  let job = null;           // the latest GET /jobs/{id}
  let plan = null, planAt = 0;
  let pipeline;             // undefined: not fetched yet (asked again next poll)
  let deadLettered = null;

  const title = h("h1", { class: "job-title" }, id);
  const badge = h("span", { class: "job-state" });
  const meta = h("p", { class: "meta" });
  const actions = jobActions({ getJob: () => job, onChange: () => ctx.refreshNow() });
  const t = tiles([
    { key: "in", label: "Records in" },
    { key: "out", label: "Records out" },
    { key: "inRate", label: "In per second" },
    { key: "outRate", label: "Out per second" },
    { key: "lagRecords", label: "Lag (records)" },
    { key: "lagSeconds", label: "Lag (seconds)" },
    { key: "wmLag", label: "Watermark lag" },
    { key: "deadLettered", label: "Dead-lettered" },
    { key: "checkpoint", label: "Last checkpoint" },
    { key: "restarts", label: "Restarts" },
  ]);
  const graph = operatorGraph();
  const stagesTable = dataTable({
    caption: { text: "Stages (Flink's vertices)", visible: true },
    className: "stages-table",
    rowKey: (r) => r.id,
    columns: [
      { key: "name", label: "Stage" },
      { key: "parallelism", label: "Tasks", num: true, cell: (r) => f.int(r.parallelism) },
      { key: "in", label: "Records in", num: true, cell: (r) => f.int(r.in) },
      { key: "out", label: "Records out", num: true, cell: (r) => f.int(r.out) },
      { key: "inRate", label: "In/s", num: true, cell: (r) => f.rate(r.inRate) },
      { key: "outRate", label: "Out/s", num: true, cell: (r) => f.rate(r.outRate) },
      { key: "busy", label: "Busy", num: true, value: (r) => r.load.busy, cell: (r) => f.percent(r.load.busy) },
      { key: "bp", label: "Back-pressured", num: true, value: (r) => r.load.backpressured, cell: (r) => f.percent(r.load.backpressured) },
      { key: "loadState", label: "Load", value: (r) => loadState(r.load.busy, r.load.backpressured).label,
        cell: (r) => { const l = loadState(r.load.busy, r.load.backpressured); return h("span", null, h("span", { class: `swatch ${l.cls}`, "aria-hidden": "true" }), l.label); } },
    ],
  });
  const charts = jobCharts();
  const partitions = partitionsPanel();
  const checkpoints = checkpointsPanel();
  const exceptions = exceptionsPanel();
  const deadLetters = deadLettersPanel();
  const pipelineTab = pipelineView();
  let last = {};
  const tabBar = tabs([
    { name: "partitions", label: "Partitions", el: partitions.el },
    { name: "checkpoints", label: "Checkpoints", el: checkpoints.el },
    { name: "exceptions", label: "Exceptions", el: exceptions.el },
    { name: "dead-letters", label: "Dead letters", el: deadLetters.el },
    { name: "pipeline", label: "Pipeline", el: pipelineTab.el },
  ], {
    label: "Job details",
    initial: args[1],
    onChange: (name, user) => {
      if (user) { history.replaceState(null, "", `#/job/${encodeURIComponent(id)}/${name}`); refreshTab().catch(() => {}); }
    },
  });
  deadLetters.onLimit(() => refreshTab().catch(() => {}));

  root.append(
    h("div", { class: "job-head" }, h("div", null, h("p", { class: "crumbs" }, h("a", { href: "#/jobs" }, "Jobs"), " / "), h("div", { class: "row" }, title, badge), meta), actions.el),
    t.el,
    h("section", { class: "graph-section", "aria-labelledby": "graph-title" }, h("h2", { id: "graph-title" }, "Operator graph"), graph.el, stagesTable.el),
    charts.el,
    h("section", { class: "details", "aria-label": "Job details" }, tabBar.el));

  async function refreshTab() {
    if (!job) return;
    const jid = job.jid;
    switch (tabBar.current) {
      case "partitions": partitions.update(last.lag, last.watermarks); break;
      case "checkpoints": if (last.cp) checkpoints.update(last.cp); break;
      case "exceptions": exceptions.update(await api(`jobs/${jid}/exceptions`), job["num-restarts"]); break;
      case "dead-letters": deadLetters.update(await api(`jobs/${jid}/dead-letters`, { query: { limit: deadLetters.limit() } }), deadLettered); break;
      case "pipeline": if (typeof pipeline === "string") pipelineTab.update(pipeline); break;
    }
  }

  async function refresh() {
    const detail = await api(`jobs/${encodeURIComponent(id)}`);
    job = detail;
    const jid = detail.jid;
    const now = detail.now || Date.now();
    const [lag, watermarks, metrics, cp, planAns, pipeAns] = await Promise.all([
      api(`jobs/${jid}/lag`).catch(() => null),
      api(`jobs/${jid}/watermarks`).catch(() => null),
      api(`jobs/${jid}/metrics`, { query: { get: "numRecordsDeadLettered,numLateRecordsDropped" } }).catch(() => []),
      api(`jobs/${jid}/checkpoints`).catch(() => null),
      !plan || now - planAt > 30000 ? api(`jobs/${jid}/plan`).catch(() => null) : Promise.resolve(undefined),
      pipeline === undefined ? api(`jobs/${jid}/pipeline`).catch(() => undefined) : Promise.resolve(undefined),
    ]);
    if (planAns) { plan = planAns.plan; planAt = now; }
    if (pipeAns !== undefined) pipeline = pipelineText(pipeAns);
    last = { lag, watermarks, cp };
    const r = observe(detail);
    const m = Object.fromEntries((Array.isArray(metrics) ? metrics : []).map((x) => [x.id, Number(x.value)]));
    deadLettered = Number.isFinite(m.numRecordsDeadLettered) ? m.numRecordsDeadLettered : null;

    // Header.
    document.title = `${detail.name} · Weir`;
    setText(title, detail.name);
    fill(badge, stateBadge(detail.state));
    fill(meta, h("code", { class: "jid" }, jid), ` · started ${f.date(detail["start-time"])}`,
      isEnded(detail.state) ? ` · ended ${f.date(detail["end-time"])} after ${f.duration(detail.duration)}` : ` · up ${f.duration(detail.duration)}`);
    actions.update();

    // Figures.
    t.set("in", f.int(r.in), "records read");
    t.set("out", f.int(r.out), "records written");
    t.set("inRate", r.inRate === null ? (isEnded(detail.state) ? f.DASH : "…") : f.rate(r.inRate));
    t.set("outRate", r.outRate === null ? (isEnded(detail.state) ? f.DASH : "…") : f.rate(r.outRate));
    t.set("lagRecords", f.int(lag?.["total-lag-records"]), lag ? `on instance ${lag.instance}` : "");
    t.set("lagSeconds", f.seconds(lag?.["max-lag-seconds"]), "oldest unprocessed, at most");
    const wl = watermarkLag(watermarks, now);
    t.set("wmLag", f.seconds(wl), "behind the wall clock");
    t.set("deadLettered", f.int(deadLettered), Number.isFinite(m.numLateRecordsDropped) ? `${f.int(m.numLateRecordsDropped)} late dropped` : "");
    const lastCp = cp?.latest?.completed;
    t.set("checkpoint", lastCp ? `${f.duration(Math.max(0, now - lastCp.latest_ack_timestamp))} ago` : f.DASH,
      cp ? `${f.int(cp.counts?.completed)} completed, ${f.int(cp.counts?.failed)} failed` : "", lastCp ? f.date(lastCp.latest_ack_timestamp) : "");
    t.set("restarts", f.int(detail["num-restarts"]));

    // Graph and stages.
    const stages = (detail.vertices || []).map((v, i) => ({
      id: v.id, name: v.name, parallelism: v.parallelism, in: v.metrics["read-records"], out: v.metrics["write-records"],
      inRate: r.vertices[i]?.inRate ?? null, outRate: r.vertices[i]?.outRate ?? null,
      load: { busy: r.vertices[i]?.busy ?? null, backpressured: r.vertices[i]?.backpressured ?? null },
    }));
    const shape = (typeof pipeline === "string" && outline(pipeline)) || null;
    graph.update({ outline: shape && shape.source ? shape : outlineFromPlan(plan?.nodes), planNodes: plan?.nodes, stages });
    stagesTable.update(stages);

    // Tabs: the pipeline tab only where the server gives the text.
    tabBar.hide("pipeline", typeof pipeline !== "string");
    await Promise.all([charts.refresh({ jid, detail, lagAnswer: lag, watermarks }), refreshTab()]);
  }

  return { refresh };
}
