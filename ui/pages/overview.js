// Overview: the service group's instances (from their heartbeats), this
// instance's tasks, jobs by state, records in/out per second over the running
// jobs, version and uptime.

import { api } from "../api.js";
import { h } from "../dom.js";
import * as f from "../format.js";
import { tiles } from "../tiles.js";
import { observeTotals, isEnded } from "../jobstats.js";
import { dataTable } from "../table.js";
import { stateBadge, jobLink } from "../badge.js";

export function mount(root) {
  const t = tiles([
    { key: "instances", label: "Instances" },
    { key: "tasks", label: "Tasks" },
    { key: "running", label: "Jobs running" },
    { key: "finished", label: "Jobs finished" },
    { key: "cancelled", label: "Jobs cancelled" },
    { key: "failed", label: "Jobs failed" },
    { key: "in", label: "Records in" },
    { key: "out", label: "Records out" },
    { key: "version", label: "Version" },
    { key: "uptime", label: "Uptime" },
  ]);
  const table = dataTable({
    caption: { text: "Running jobs" },
    rowKey: (r) => r.jid,
    empty: "No job is running.",
    initialSort: { key: "name", dir: 1 },
    columns: [
      { key: "name", label: "Job", cell: (r) => jobLink(r.jid, r.name) },
      { key: "state", label: "State", cell: (r) => stateBadge(r.state) },
      { key: "inRate", label: "In", num: true, cell: (r) => f.rate(r.inRate) },
      { key: "outRate", label: "Out", num: true, cell: (r) => f.rate(r.outRate) },
    ],
  });
  const instances = dataTable({
    caption: { text: "Instances of this service group" },
    className: "instances-table",
    rowKey: (r) => r.id,
    empty: "No instance has been heard from.",
    initialSort: { key: "id", dir: 1 },
    columns: [
      { key: "id", label: "Instance", cell: (r) => (r.self ? `${r.id} (this one)` : r.id) },
      { key: "version", label: "Version" },
      { key: "started", label: "Started", num: true, cell: (r) => f.date(r.started) },
      { key: "heard", label: "Last heartbeat", num: true, cell: (r) => `${f.duration(r.heard)} ago` },
    ],
  });
  root.append(h("h1", null, "Overview"), t.el, h("h2", null, "Running jobs"), table.el, h("h2", null, "Instances"), instances.el);

  async function refresh() {
    const [ov, list] = await Promise.all([api("overview"), api("jobs/overview")]);
    const active = list.jobs.filter((j) => !isEnded(j.state));
    let inSum = 0, outSum = 0, known = 0;
    const rows = active.map((j) => {
      const r = observeTotals(j, list.now || Date.now());
      if (r.inRate !== null && r.inRate !== undefined) { inSum += r.inRate; outSum += r.outRate || 0; known++; }
      return { jid: j.jid, name: j.name, state: j.state, inRate: r.inRate ?? null, outRate: r.outRate ?? null };
    });
    const group = Array.isArray(ov.instances) ? ov.instances : [];
    t.set("instances", f.int(ov.taskmanagers), ov.instance ? `answered by ${ov.instance}` : "");
    instances.update(group.map((i) => ({ id: i.id, version: i.version, started: i["start-time"],
      heard: Math.max(0, (list.now || Date.now()) - i["last-heartbeat"]), self: i.id === ov.instance })));
    t.set("tasks", f.int(ov["slots-total"]), "task slots of all jobs");
    t.set("running", f.int(ov["jobs-running"]));
    t.set("finished", f.int(ov["jobs-finished"]));
    t.set("cancelled", f.int(ov["jobs-cancelled"]));
    t.set("failed", f.int(ov["jobs-failed"]));
    const pending = active.length && !known;
    t.set("in", pending ? "…" : f.rate(inSum), "per second, all running jobs");
    t.set("out", pending ? "…" : f.rate(outSum), "per second, all running jobs");
    t.set("version", ov["weir-version"] || f.DASH, ov["librdkafka-version"] ? `librdkafka ${ov["librdkafka-version"]}` : "");
    const started = ov["start-time"];
    t.show("uptime", typeof started === "number");
    if (typeof started === "number") t.set("uptime", f.duration((ov.now ?? Date.now()) - started), `since ${f.date(started)}`);
    table.update(rows);
  }
  return { refresh };
}
