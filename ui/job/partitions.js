// The job's partitions on this instance: offsets and lag from GET /jobs/{id}/lag,
// each partition's watermark from /watermarks, shown as a date in the viewer's
// time zone (the UTC time in the tooltip).

import { h } from "../dom.js";
import * as f from "../format.js";
import { dataTable } from "../table.js";

export function partitionsPanel() {
  const note = h("p", { class: "muted small" });
  const table = dataTable({
    caption: { text: "Partitions" },
    className: "partitions-table",
    rowKey: (r) => `${r.topic}/${r.partition}`,
    empty: "This instance holds no partition of the job.",
    initialSort: { key: "partition", dir: 1 },
    columns: [
      { key: "topic", label: "Topic" },
      { key: "partition", label: "Partition", num: true, cell: (r) => f.int(r.partition) },
      { key: "task", label: "Task" },
      { key: "committed", label: "Committed", num: true, cell: (r) => f.int(r.committed) },
      { key: "offset", label: "Offset", num: true, cell: (r) => f.int(r.offset) },
      { key: "end", label: "End offset", num: true, cell: (r) => f.int(r.end) },
      { key: "lagRecords", label: "Lag (records)", num: true, cell: (r) => f.int(r.lagRecords) },
      { key: "lagSeconds", label: "Lag (s)", num: true, cell: (r) => f.seconds(r.lagSeconds) },
      { key: "watermark", label: "Watermark", cell: (r) => h("time", { datetime: r.watermarkTime || "", title: r.watermarkTime ? `${r.watermarkTime} (UTC)` : "no record yet" }, f.date(r.watermark)) },
      { key: "idle", label: "Idle", value: (r) => (r.idle ? 1 : 0), cell: (r) => (r.idle ? "idle" : "active") },
    ],
  });
  const el = h("div", null, note, table.el);
  function update(lag, watermarks) {
    const byKey = new Map();
    const key = (p) => `${p.topic}\u0000${p.partition}`;
    for (const p of lag?.partitions || []) {
      byKey.set(key(p), { topic: p.topic, partition: p.partition, task: p.task, committed: p["committed-offset"] ?? null, offset: p.offset ?? null,
        end: p["end-offset"] ?? null, lagRecords: p["lag-records"] ?? null, lagSeconds: p["lag-seconds"] ?? null, watermark: null, watermarkTime: null, idle: false });
    }
    for (const w of watermarks?.partitions || []) {
      const r = byKey.get(key(w)) || { topic: w.topic, partition: w.partition, task: w.task, committed: null, offset: null, end: null, lagRecords: null, lagSeconds: null };
      r.watermark = w.watermark ?? null; r.watermarkTime = w["watermark-time"] ?? null; r.idle = !!w.idle;
      byKey.set(key(w), r);
    }
    const rows = [...byKey.values()];
    note.textContent = `Instance ${lag?.instance ?? watermarks?.instance ?? "?"}: ${rows.length} partition(s), ` +
      `${f.int(lag?.["total-lag-records"])} record(s) behind; watermarks in ${Intl.DateTimeFormat().resolvedOptions().timeZone}.`;
    table.update(rows);
  }
  return { el, update };
}
