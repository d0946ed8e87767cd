// Numbers, sizes, durations and dates for people. Dates are shown in the
// viewer's own time zone, with the zone named.

// Each formatter is made on first use: making them all when the module loads
// cost 80 ms of a first page load in headless Chromium (locale data).
function lazy(make) { let f = null; return { format: (v) => (f ??= make()).format(v), formatToParts: (v) => (f ??= make()).formatToParts(v) }; }
const intFmt = lazy(() => new Intl.NumberFormat(undefined, { maximumFractionDigits: 0 }));
const oneFmt = lazy(() => new Intl.NumberFormat(undefined, { maximumFractionDigits: 1 }));
const twoFmt = lazy(() => new Intl.NumberFormat(undefined, { maximumFractionDigits: 2 }));

export const DASH = "—";

const ok = (n) => typeof n === "number" && Number.isFinite(n);

export function int(n) { return ok(n) ? intFmt.format(n) : DASH; }

/** 1234 → "1.2k", with an optional unit suffix. */
export function compact(n, unit = "") {
  if (!ok(n)) return DASH;
  const a = Math.abs(n);
  let t;
  if (a >= 1e9) t = oneFmt.format(n / 1e9) + "G";
  else if (a >= 1e6) t = oneFmt.format(n / 1e6) + "M";
  else if (a >= 1e4) t = oneFmt.format(n / 1e3) + "k";
  else if (a >= 100) t = intFmt.format(n);
  else if (a >= 10) t = oneFmt.format(n);
  else t = twoFmt.format(n);
  return t + unit;
}

export function rate(n) { return ok(n) ? compact(n, "/s") : DASH; }

export function percent(x) { return ok(x) ? `${Math.round(x * 100)}%` : DASH; }

export function bytes(n) {
  if (!ok(n)) return DASH;
  const units = ["B", "KiB", "MiB", "GiB", "TiB"];
  let i = 0, v = n;
  while (Math.abs(v) >= 1024 && i < units.length - 1) { v /= 1024; i++; }
  return (i === 0 ? intFmt.format(v) : oneFmt.format(v)) + " " + units[i];
}

/** Milliseconds → "850 ms", "12.3 s", "4 min 5 s", "3 h 4 min", "2 d 3 h". */
export function duration(ms) {
  if (!ok(ms) || ms < 0) return DASH;
  if (ms < 1000) return `${Math.round(ms)} ms`;
  const s = ms / 1000;
  if (s < 60) return `${oneFmt.format(s)} s`;
  const m = Math.floor(s / 60), rs = Math.floor(s % 60);
  if (m < 60) return `${m} min ${rs} s`;
  const hr = Math.floor(m / 60), rm = m % 60;
  if (hr < 48) return `${hr} h ${rm} min`;
  return `${Math.floor(hr / 24)} d ${hr % 24} h`;
}

/** Seconds (a lag) → "0 s", "1.5 s", "3 min 2 s". */
export function seconds(x) { return ok(x) ? duration(x * 1000).replace(/^(\d+) ms$/, (_, v) => `${oneFmt.format(v / 1000)} s`) : DASH; }

const dateParts = lazy(() => new Intl.DateTimeFormat(undefined, {
  year: "numeric", month: "2-digit", day: "2-digit", hour: "2-digit", minute: "2-digit", second: "2-digit",
  fractionalSecondDigits: 3, hourCycle: "h23", timeZoneName: "short",
}));

/** Epoch ms → "2026-12-07 08:01:02.345 GMT+1" in the viewer's time zone. */
export function date(ms) {
  if (!ok(ms) || ms <= 0) return DASH;
  const p = {};
  for (const part of dateParts.formatToParts(new Date(ms))) p[part.type] = part.value;
  return `${p.year}-${p.month}-${p.day} ${p.hour}:${p.minute}:${p.second}.${p.fractionalSecond} ${p.timeZoneName}`;
}

/** The time of day only, for chart axes: "08:01". */
const hm = lazy(() => new Intl.DateTimeFormat(undefined, { hour: "2-digit", minute: "2-digit", hourCycle: "h23" }));
export function clock(ms) { return ok(ms) ? hm.format(new Date(ms)) : DASH; }

/** "12 s ago" from an epoch-ms time and now. */
export function ago(ms, now = Date.now()) {
  if (!ok(ms) || ms <= 0) return DASH;
  return `${duration(Math.max(0, now - ms))} ago`;
}
