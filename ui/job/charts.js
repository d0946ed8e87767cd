// The job's last 15 minutes: records in/out per second, lag in seconds and
// watermark lag, from GET /jobs/{id}/history (samples the server keeps, so
// the charts are full as soon as the page opens).

import { api } from "../api.js";
import { h, setText } from "../dom.js";
import * as f from "../format.js";
import { lineChart } from "../chart.js";

const WINDOW_MS = 15 * 60 * 1000;

/** Watermark lag (s): now − the lowest watermark of the partitions that are not idle. */
export function watermarkLag(watermarks, now) {
  const ws = (watermarks?.partitions || []).filter((p) => !p.idle && typeof p.watermark === "number").map((p) => p.watermark);
  return ws.length ? Math.max(0, (now - Math.min(...ws)) / 1000) : null;
}

function toPoints(samples) {
  const pts = [];
  for (let i = 0; i < samples.length; i++) {
    const b = samples[i], a = samples[i - 1];
    const p = { t: b.t, lag: b["lag-seconds"] ?? null, wm: b["watermark-lag-seconds"] ?? null, in: null, out: null };
    if (a && b.t > a.t) {
      const dt = (b.t - a.t) / 1000;
      const di = b["records-in"] - a["records-in"], dout = b["records-out"] - a["records-out"];
      p.in = di >= 0 ? di / dt : null;
      p.out = dout >= 0 ? dout / dt : null;
    }
    pts.push(p);
  }
  return pts;
}

export function jobCharts() {
  const rates = lineChart({ title: "Records per second", id: "chart-rates", format: (v) => f.compact(v),
    series: [{ key: "in", label: "in", cls: "a" }, { key: "out", label: "out", cls: "b" }] });
  const lag = lineChart({ title: "Lag (seconds)", id: "chart-lag", format: (v) => f.compact(v, " s"), series: [{ key: "lag", label: "lag", cls: "c" }] });
  const wm = lineChart({ title: "Watermark lag (seconds)", id: "chart-watermark", format: (v) => f.compact(v, " s"), series: [{ key: "wm", label: "watermark lag", cls: "d" }] });
  const note = h("p", { class: "muted small" });
  const el = h("section", { class: "charts", "aria-labelledby": "charts-title" },
    h("h2", { id: "charts-title" }, "Last 15 minutes"), h("div", { class: "chart-grid" }, rates.el, lag.el, wm.el), note);
  let server = []; // samples from the server, oldest first
  let intervalMs = 5000;
  let lastFetch = 0;

  async function refresh({ jid, detail }) {
    const now = detail.now || Date.now();
    if (now - lastFetch >= intervalMs - 200) {
      const since = server.length ? server[server.length - 1].t : undefined;
      const ans = await api(`jobs/${jid}/history`, { query: { since } });
      intervalMs = ans["interval-ms"] || intervalMs;
      const byT = new Map(server.map((x) => [x.t, x]));
      for (const x of ans.samples || []) byT.set(x.t, x);
      server = [...byT.values()].sort((a, b) => a.t - b.t).filter((x) => x.t >= now - WINDOW_MS - intervalMs);
      lastFetch = now;
    }
    const samples = server;
    setText(note, `Kept by the server: one sample every ${f.duration(intervalMs)}.`);
    const pts = toPoints(samples);
    const range = { from: now - WINDOW_MS, to: now, gapMs: intervalMs * 3.5 };
    rates.update(pts, range);
    lag.update(pts, range);
    wm.update(pts, range);
  }
  return { el, refresh };
}
