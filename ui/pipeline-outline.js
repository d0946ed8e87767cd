// What the operator graph needs from a pipeline's YAML text: the source, the
// steps in order, the sink, the dead-letter and late-data outputs. A reader of
// the few shapes docs/pipelines.md allows, not a YAML parser: anything it does
// not understand is left out, and the graph falls back on the job's plan.

function stripComment(line) {
  let q = null;
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (q) { if (c === q) q = null; else if (c === "\\" && q === '"') i++; }
    else if (c === '"' || c === "'") q = c;
    else if (c === "#" && (i === 0 || /\s/.test(line[i - 1]))) return line.slice(0, i);
  }
  return line;
}

const indentOf = (l) => l.length - l.trimStart().length;

/** Splits "a, {b: c}, [d, e]" at top-level commas. */
function splitFlow(text) {
  const out = [];
  let depth = 0, q = null, cur = "";
  for (const c of text) {
    if (q) { if (c === q) q = null; cur += c; continue; }
    if (c === '"' || c === "'") { q = c; cur += c; continue; }
    if (c === "[" || c === "{") depth++;
    if (c === "]" || c === "}") depth--;
    if (c === "," && depth === 0) { out.push(cur.trim()); cur = ""; continue; }
    cur += c;
  }
  if (cur.trim()) out.push(cur.trim());
  return out;
}

const unquote = (s) => s.replace(/^(["'])(.*)\1$/, "$2");

/** The value of `key:` in a block or flow text: "topic: a" / "{topic: a}" / "topics: [a, b]". */
function find(text, key) {
  const m = new RegExp(`(?:^|[\\s{,])${key}:\\s*(\\[[^\\]]*\\]|"[^"]*"|'[^']*'|[^\\s,}]+)`).exec(text);
  if (!m) return null;
  const v = m[1];
  return v.startsWith("[") ? splitFlow(v.slice(1, -1)).map(unquote).join(", ") : unquote(v);
}

function endpoint(text) {
  if (!text) return null;
  const t = text.trim();
  if (/^(stdout|discard)$/.test(t)) return { kind: t, name: t };
  const topic = find(t, "topics") || find(t, "topic");
  if (topic) return { kind: "kafka", name: topic };
  const file = find(t, "paths") || find(t, "path") || find(t, "file");
  if (file) return { kind: "file", name: file };
  return null;
}

function shorten(text, n = 40) {
  const t = text.replace(/\s+/g, " ").trim();
  return t.length > n ? t.slice(0, n - 1) + "…" : t;
}

export function outline(yaml) {
  const lines = String(yaml || "").split(/\r?\n/).map(stripComment);
  const blocks = {};
  let cur = null;
  for (const l of lines) {
    if (!l.trim()) continue;
    const top = /^([A-Za-z][\w-]*):\s*(.*)$/.exec(l);
    if (top && indentOf(l) === 0) { cur = top[1]; blocks[cur] = { value: top[2].trim(), lines: [] }; continue; }
    if (cur) blocks[cur].lines.push(l);
  }
  const text = (b) => (b ? [b.value, ...b.lines.map((l) => l.trim())].join("\n") : "");

  const steps = [];
  const sb = blocks.steps;
  if (sb) {
    if (sb.value.startsWith("[")) {
      const body = [sb.value, ...sb.lines.map((l) => l.trim())].join(" ").replace(/^\[|\]\s*$/g, "");
      for (const item of splitFlow(body)) {
        const m = /^\{?\s*([A-Za-z]\w*)\s*:\s*(.*?)\}?$/.exec(item);
        if (m) steps.push({ kind: m[1], detail: shorten(unquote(m[2].trim())) });
      }
    } else {
      let itemIndent = null;
      for (const l of sb.lines) {
        const m = /^(\s*)-\s*([A-Za-z]\w*)\s*:\s*(.*)$/.exec(l);
        if (m && (itemIndent === null || m[1].length === itemIndent)) {
          itemIndent = m[1].length;
          steps.push({ kind: m[2], detail: unquote(m[3].trim()), more: [] });
        } else if (steps.length) {
          steps[steps.length - 1].more.push(l.trim());
        }
      }
      for (const s of steps) {
        const keys = s.more.map((l) => (/^([\w-]+)\s*:/.exec(l) || [])[1]).filter(Boolean);
        s.detail = shorten(s.detail || (keys.length ? keys.join(", ") : s.more.join(" ")));
        delete s.more;
      }
    }
  }
  const name = blocks.name ? unquote(blocks.name.value) : null;
  return {
    name,
    source: endpoint(text(blocks.source)),
    steps,
    sink: endpoint(text(blocks.sink)),
    deadLetter: endpoint(text(blocks.deadLetter)),
    lateData: endpoint(text(blocks.lateData)),
  };
}

/**
 * The same from the plan alone (no pipeline text): each node's description is
 * "from -> … -> to" (docs/rest-api.md, GET /jobs/{id}/plan).
 */
export function outlineFromPlan(nodes) {
  const parts = (nodes || []).map((n) => String(n.description || "").split(" -> ").map((p) => p.trim()).filter(Boolean));
  if (!parts.length || parts[0].length < 2) return null;
  const steps = [];
  parts.forEach((p, i) => {
    for (const mid of p.slice(1, -1)) {
      const rep = /^repartition by \[(.*)\] through (.*)$/.exec(mid);
      if (rep) steps.push({ kind: "keyBy", detail: rep[1] });
      else steps.push({ kind: mid.split(" [")[0], detail: shorten((/\[(.*)\]/.exec(mid) || [])[1] || "") });
    }
    if (i < parts.length - 1) steps.push({ kind: "keyBy", detail: "" });
  });
  return {
    name: null,
    source: { kind: "kafka", name: parts[0][0] },
    steps,
    sink: { kind: "kafka", name: parts[parts.length - 1][parts[parts.length - 1].length - 1] },
    deadLetter: null,
    lateData: null,
    fromPlan: true,
  };
}
