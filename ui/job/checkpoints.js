// Checkpoints: counts, duration and size summaries, what the job restored
// from (a checkpoint or a savepoint), and the newest checkpoints of its tasks.

import { h, fill } from "../dom.js";
import * as f from "../format.js";
import { dataTable } from "../table.js";
import { stateBadge } from "../badge.js";

export function checkpointsPanel() {
  const counts = h("p", { class: "counts" });
  const restored = h("p", { class: "restored" });
  const summary = h("div", { class: "table-wrap" });
  const table = dataTable({
    caption: { text: "Newest checkpoints", visible: true },
    className: "checkpoints-table",
    rowKey: (r) => `${r.task}/${r.id}`,
    empty: "No checkpoint yet.",
    initialSort: { key: "ack", dir: -1 },
    columns: [
      { key: "id", label: "ID", num: true, cell: (r) => f.int(r.id) },
      { key: "status", label: "Status", cell: (r) => h("span", null, stateBadge(r.status), r.is_savepoint ? " savepoint" : "") },
      { key: "task", label: "Task" },
      { key: "trigger", label: "Triggered", value: (r) => r.trigger_timestamp, cell: (r) => f.date(r.trigger_timestamp) },
      { key: "ack", label: "Acknowledged", value: (r) => r.latest_ack_timestamp, cell: (r) => f.date(r.latest_ack_timestamp) },
      { key: "duration", label: "Duration", num: true, value: (r) => r.end_to_end_duration, cell: (r) => f.duration(r.end_to_end_duration) },
      { key: "pause", label: "Pause", num: true, value: (r) => r.pause ?? null, cell: (r) => (typeof r.pause === "number" ? f.duration(r.pause) : f.DASH) },
      { key: "size", label: "Size", num: true, value: (r) => r.state_size, cell: (r) => f.bytes(r.state_size) },
      { key: "partitions", label: "Partitions", num: true, cell: (r) => f.int(r.partitions) },
    ],
  });
  const el = h("div", null, counts, restored, summary, table.el);

  function update(cp) {
    const c = cp.counts || {};
    fill(counts, `${f.int(c.completed)} completed · ${f.int(c.failed)} failed · ${f.int(c.in_progress)} in progress · ${f.int(c.restored)} restore(s)`);
    const r = cp.latest && cp.latest.restored;
    if (!r) fill(restored, "Not restored: the job started from its source's start position.");
    else fill(restored, `Restored from ${r.is_savepoint ? "savepoint" : "checkpoint"} `, h("code", null, r.external_path || "?"),
      r.restore_timestamp ? ` at ${f.date(r.restore_timestamp)}` : "");
    const s = cp.summary || {};
    const row = (label, st, fmt) => h("tr", null, h("th", { scope: "row" }, label),
      ["min", "avg", "p50", "p99", "max"].map((k) => h("td", { class: "num" }, st ? fmt(st[k]) : f.DASH)));
    fill(summary, h("table", { class: "data summary-table" },
      h("caption", null, "Summary"),
      h("thead", null, h("tr", null, h("td"), ["min", "avg", "p50", "p99", "max"].map((k) => h("th", { scope: "col", class: "num" }, k)))),
      h("tbody", null, row("Duration", s.end_to_end_duration, f.duration), row("Size", s.state_size, f.bytes))));
    table.update(cp.history || []);
  }
  return { el, update };
}
