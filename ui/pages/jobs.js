// Jobs: every job with its state, uptime, records in/out per second, lag in
// records and seconds, the age of its last checkpoint and its restarts;
// sortable by any column, filtered by name and state.

import { api } from "../api.js";
import { h } from "../dom.js";
import * as f from "../format.js";
import { observeTotals, isEnded } from "../jobstats.js";
import { dataTable } from "../table.js";
import { stateBadge, jobLink } from "../badge.js";

export function mount(root) {
  let rows = [];
  let firstDone = false;
  const filterInput = h("input", { id: "jobs-filter", type: "search", placeholder: "name contains…", autocomplete: "off" });
  const stateSelect = h("select", { id: "jobs-state" },
    h("option", { value: "" }, "All states"),
    h("option", { value: "active" }, "Not ended"),
    ["RUNNING", "RESTARTING", "FAILING", "CANCELLING", "CREATED", "FINISHED", "CANCELED", "FAILED"].map((s) => h("option", { value: s }, s)));
  const count = h("span", { class: "muted", role: "status" });
  const table = dataTable({
    caption: { text: "Jobs" },
    className: "jobs-table",
    rowKey: (r) => r.jid,
    empty: "No jobs match.",
    initialSort: { key: "name", dir: 1 },
    columns: [
      { key: "name", label: "Name", cell: (r) => jobLink(r.jid, r.name) },
      { key: "state", label: "State", cell: (r) => stateBadge(r.state) },
      { key: "duration", label: "Uptime", num: true, cell: (r) => f.duration(r.duration) },
      { key: "inRate", label: "In/s", num: true, cell: (r) => f.rate(r.inRate) },
      { key: "outRate", label: "Out/s", num: true, cell: (r) => f.rate(r.outRate) },
      { key: "lagRecords", label: "Lag (records)", num: true, cell: (r) => f.int(r.lagRecords) },
      { key: "lagSeconds", label: "Lag (s)", num: true, cell: (r) => f.seconds(r.lagSeconds) },
      { key: "checkpointAge", label: "Last checkpoint", num: true, cell: (r) => r.checkpointAge === null ? f.DASH : `${f.duration(r.checkpointAge)} ago` },
      { key: "restarts", label: "Restarts", num: true, cell: (r) => f.int(r.restarts) },
    ],
  });
  const filters = h("div", { class: "filters row" },
    h("label", { for: "jobs-filter" }, "Filter"), filterInput,
    h("label", { for: "jobs-state" }, "State"), stateSelect, count);
  root.append(h("h1", null, "Jobs"), filters, table.el);

  function show() {
    const q = filterInput.value.trim().toLowerCase();
    const st = stateSelect.value;
    const shown = rows.filter((r) => (!q || r.name.toLowerCase().includes(q) || r.jid.includes(q))
      && (!st || (st === "active" ? !isEnded(r.state) : r.state === st)));
    table.update(shown);
    count.textContent = `${shown.length} of ${rows.length} jobs`;
  }
  filterInput.addEventListener("input", show);
  stateSelect.addEventListener("change", show);

  // One request: GET /jobs/overview carries each job's figures (Weir's `figures`).
  async function refresh() {
    const list = await api("jobs/overview");
    const now = list.now || Date.now();
    rows = list.jobs.map((j) => {
      const fig = j.figures || {};
      const r = observeTotals(j, now);
      return {
        jid: j.jid, name: j.name, state: j.state, duration: j.duration,
        inRate: r.inRate, outRate: r.outRate, lagRecords: fig["lag-records"] ?? null, lagSeconds: fig["lag-seconds"] ?? null,
        checkpointAge: fig["last-checkpoint"] ? Math.max(0, now - fig["last-checkpoint"]) : null, restarts: fig["num-restarts"] ?? null,
      };
    });
    show();
    if (!firstDone) {
      firstDone = true;
      performance.mark("weir-jobs-rows");
      document.documentElement.dataset.jobsRendered = String(Math.round(performance.now()));
    }
  }
  return { refresh };
}
