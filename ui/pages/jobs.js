// Jobs: every job with its state, uptime, records in/out per second, lag in
// records and seconds, the age of its last checkpoint and its restarts;
// sortable by any column, filtered by name and state.

import { api } from "../api.js";
import { h } from "../dom.js";
import * as f from "../format.js";
import { observe, mapLimit, isEnded } from "../jobstats.js";
import { dataTable } from "../table.js";
import { stateBadge, jobLink } from "../badge.js";

const endedCache = new Map(); // jid → row figures of an ended job (they no longer change)

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

  async function figures(j) {
    if (isEnded(j.state) && endedCache.has(j.jid)) return endedCache.get(j.jid);
    const [d, lag, cp] = await Promise.all([
      api(`jobs/${j.jid}`),
      api(`jobs/${j.jid}/lag`).catch(() => null),
      api(`jobs/${j.jid}/checkpoints`).catch(() => null),
    ]);
    const r = observe(d);
    const last = cp && cp.latest && cp.latest.completed;
    const out = {
      inRate: r.inRate, outRate: r.outRate, restarts: d["num-restarts"], now: d.now,
      lagRecords: lag ? lag["total-lag-records"] : null,
      lagSeconds: lag ? lag["max-lag-seconds"] ?? null : null,
      checkpointAt: last ? last.latest_ack_timestamp : null,
    };
    if (isEnded(j.state)) endedCache.set(j.jid, out);
    return out;
  }

  async function refresh() {
    const list = await api("jobs/overview");
    const base = (j, x = {}) => ({
      jid: j.jid, name: j.name, state: j.state, duration: j.duration,
      inRate: x.inRate ?? null, outRate: x.outRate ?? null, lagRecords: x.lagRecords ?? null, lagSeconds: x.lagSeconds ?? null,
      checkpointAge: x.checkpointAt ? Math.max(0, (x.now || Date.now()) - x.checkpointAt) : null, restarts: x.restarts ?? null,
    });
    if (!firstDone) { rows = list.jobs.map((j) => base(j)); show(); performance.mark("weir-jobs-rows"); }
    const figs = await mapLimit(list.jobs, 6, figures);
    rows = list.jobs.map((j, i) => base(j, figs[i] && !figs[i].error ? figs[i] : {}));
    show();
    if (!firstDone) {
      firstDone = true;
      performance.mark("weir-jobs-rendered");
      document.documentElement.dataset.jobsRendered = String(Math.round(performance.now()));
    }
  }
  return { refresh };
}
