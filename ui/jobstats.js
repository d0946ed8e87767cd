// Rates from Flink's cumulative counters: each poll of GET /jobs/{id} is a
// sample (the answer's `now` is the server's clock); a rate is the change
// against a sample 1.5–20 s older. Shared by every page, so moving between
// pages keeps the history.

const samples = new Map(); // jid → [{t, vertices:[{read, write, busy, bp, par}]}]
const KEEP_MS = 20000, MIN_DT = 1500;

const ENDED = new Set(["FINISHED", "CANCELED", "FAILED"]);
export const isEnded = (state) => ENDED.has(state);
export const isRunning = (state) => state === "RUNNING";

function sampleOf(detail) {
  return {
    t: detail.now || Date.now(),
    vertices: (detail.vertices || []).map((v) => ({
      read: v.metrics["read-records"], write: v.metrics["write-records"],
      busy: v.metrics["accumulated-busy-time"], bp: v.metrics["accumulated-backpressured-time"],
      par: Math.max(1, v.parallelism || 1),
    })),
  };
}

/**
 * Records a sample of a job's detail and returns what it says now:
 * {in, out (totals), inRate, outRate (per second, null until two samples),
 *  vertices: [{inRate, outRate, busy, backpressured (0–1 shares)}]}.
 */
export function observe(detail) {
  const jid = detail.jid;
  const now = sampleOf(detail);
  let list = samples.get(jid) || [];
  if (list.length && now.t <= list[list.length - 1].t) now.t = list[list.length - 1].t; // same answer twice
  else list.push(now);
  list = list.filter((s) => now.t - s.t <= KEEP_MS);
  samples.set(jid, list);
  const base = list.findLast((s) => now.t - s.t >= MIN_DT && s.vertices.length === now.vertices.length); // the newest old enough
  const vs = now.vertices;
  const first = vs[0], last = vs[vs.length - 1];
  const result = {
    in: first ? first.read : null,
    out: last ? last.write : null,
    inRate: null, outRate: null,
    vertices: vs.map(() => ({ inRate: null, outRate: null, busy: null, backpressured: null })),
  };
  if (!base || isEnded(detail.state)) return result;
  const dt = (now.t - base.t) / 1000;
  const per = (a, b) => (a >= b ? (a - b) / dt : null); // a counter going down: restarted, no rate
  vs.forEach((v, i) => {
    const b = base.vertices[i];
    const r = result.vertices[i];
    r.inRate = per(v.read, b.read);
    r.outRate = per(v.write, b.write);
    const wall = (now.t - base.t) * v.par;
    if (v.busy >= b.busy) r.busy = Math.min(1, (v.busy - b.busy) / wall);
    if (v.bp >= b.bp) r.backpressured = Math.min(1, (v.bp - b.bp) / wall);
  });
  result.inRate = result.vertices[0]?.inRate ?? null;
  result.outRate = result.vertices[vs.length - 1]?.outRate ?? null;
  return result;
}

const totals = new Map(); // jid → [{t, read, write}] from GET /jobs/overview's figures

/**
 * Records a job's totals from GET /jobs/overview (one request for every job)
 * and returns {inRate, outRate} per second, null until two samples 1.5 s apart.
 */
export function observeTotals(job, now) {
  const fig = job.figures || {};
  const s = { t: now, read: fig["read-records"], write: fig["write-records"] };
  let list = totals.get(job.jid) || [];
  if (!list.length || s.t > list[list.length - 1].t) list.push(s);
  list = list.filter((x) => s.t - x.t <= KEEP_MS);
  totals.set(job.jid, list);
  const base = list.findLast((x) => s.t - x.t >= MIN_DT);
  if (!base || isEnded(job.state) || typeof s.read !== "number") return { inRate: null, outRate: null };
  const dt = (s.t - base.t) / 1000;
  return { inRate: s.read >= base.read ? (s.read - base.read) / dt : null, outRate: s.write >= base.write ? (s.write - base.write) / dt : null };
}

/**
 * Flink-style colour class of a stage from its busy and back-pressured shares:
 * back-pressured (grey), busy (red, stronger the busier), idle (blue).
 */
export function loadState(busy, bp) {
  if (busy === null || busy === undefined) return { cls: "load-unknown", label: "no rate yet", level: 0 };
  if ((bp || 0) >= 0.1 && (bp || 0) >= busy) return { cls: "load-bp", label: `back-pressured ${Math.round(bp * 100)}%`, level: bp };
  if (busy >= 0.1) return { cls: busy >= 0.66 ? "load-busy3" : busy >= 0.33 ? "load-busy2" : "load-busy1", label: `busy ${Math.round(busy * 100)}%`, level: busy };
  return { cls: "load-idle", label: `idle (busy ${Math.round(busy * 100)}%)`, level: busy };
}
