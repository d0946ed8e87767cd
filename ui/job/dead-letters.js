// Dead letters: the newest records this instance could not process, with the
// reason, where they came from and a preview of their bytes. The preview is
// put in as text only: a record holding <script> shows as those characters.

import { h } from "../dom.js";
import * as f from "../format.js";
import { dataTable } from "../table.js";

export function deadLettersPanel() {
  const limit = h("select", { id: "dl-limit" }, [20, 50, 100].map((n) => h("option", { value: String(n) }, String(n))));
  const note = h("span", { class: "muted" });
  const table = dataTable({
    caption: { text: "Dead-lettered records" },
    className: "dead-letters-table",
    rowKey: (r) => `${r.topic}/${r.partition}/${r.offset}`,
    empty: "No record was dead-lettered here.",
    initialSort: { key: "timestamp", dir: -1 },
    columns: [
      { key: "timestamp", label: "Time", cell: (r) => f.date(r.timestamp) },
      { key: "reason", label: "Reason", className: "reason", cell: (r) => h("span", null, h("span", { class: "badge badge-muted" }, r["error-class"]), " ", r.reason) },
      { key: "source", label: "Source", value: (r) => `${r.topic}/${String(r.partition).padStart(5, "0")}/${String(r.offset).padStart(20, "0")}`,
        cell: (r) => `${r.topic}[${r.partition}] @ ${r.offset}` },
      { key: "bytes", label: "Bytes", num: true, value: (r) => r["value-bytes"], cell: (r) => f.int(r["value-bytes"]) },
      { key: "preview", label: "Preview", sort: false, className: "preview", cell: (r) => h("code", { class: "preview", title: `base64: ${r["preview-base64"] || ""}` }, r.preview) },
    ],
  });
  const el = h("div", null, h("div", { class: "row" }, h("label", { for: "dl-limit" }, "Show the newest"), limit, note), table.el);
  return {
    el,
    limit: () => Number(limit.value),
    onLimit(fn) { limit.addEventListener("change", fn); },
    update(ans, deadLettered) {
      const rows = ans?.["dead-letters"] || [];
      note.textContent = `${rows.length} shown from instance ${ans?.instance ?? "?"}` + (typeof deadLettered === "number" ? `; ${f.int(deadLettered)} dead-lettered in all` : "");
      table.update(rows);
    },
  };
}
