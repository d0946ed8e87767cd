// A plain-text pipeline editor: a textarea with line numbers, and a layer
// behind the text marking the lines and columns that have diagnostics. The
// textarea stays a real textarea (keyboard, screen readers, undo); the marks
// are text nodes in a <pre> that scrolls with it.

import { h, fill } from "./dom.js";

export function codeEditor({ id, label, value = "", onInput }) {
  const gutter = h("div", { class: "gutter", "aria-hidden": "true" });
  const marks = h("pre", { class: "marks", "aria-hidden": "true" });
  const area = h("textarea", { id, spellcheck: "false", autocapitalize: "off", autocomplete: "off", wrap: "off", rows: "22", "aria-describedby": `${id}-help` });
  area.value = value;
  const el = h("div", { class: "editor" }, h("label", { for: id, class: "editor-label" }, label), h("div", { class: "editor-body" }, gutter, h("div", { class: "editor-text" }, marks, area)));
  let diags = [];
  let lineCount = 0;

  function renderGutter() {
    const n = area.value.split("\n").length;
    const byLine = new Map();
    for (const d of diags) if (!byLine.has(d.line) || d.severity === "error") byLine.set(d.line, d);
    if (n !== lineCount || gutter.dataset.sig !== diags.map((d) => d.line).join(",")) {
      lineCount = n;
      gutter.dataset.sig = diags.map((d) => d.line).join(",");
      fill(gutter, Array.from({ length: n }, (_, i) => {
        const d = byLine.get(i + 1);
        return h("div", { class: d ? `ln ln-${d.severity}` : "ln", title: d ? d.text || d.message : null }, String(i + 1));
      }));
    }
  }

  function renderMarks() {
    const lines = area.value.split("\n");
    const byLine = new Map();
    for (const d of diags) { if (!byLine.has(d.line)) byLine.set(d.line, []); byLine.get(d.line).push(d); }
    fill(marks, lines.map((text, i) => {
      const ds = byLine.get(i + 1);
      if (!ds) return h("span", { class: "ml" }, text + "\n");
      const d = ds.find((x) => x.severity === "error") || ds[0];
      const col = Math.max(1, Math.min(d.column || 1, text.length + 1)) - 1;
      const at = text.slice(col, col + 1) || " ";
      return h("span", { class: `ml ml-${d.severity}` }, text.slice(0, col), h("span", { class: `mark mark-${d.severity}` }, at), text.slice(col + 1) + "\n");
    }));
    sync();
  }

  function sync() {
    marks.scrollTop = area.scrollTop; marks.scrollLeft = area.scrollLeft;
    gutter.scrollTop = area.scrollTop;
  }

  area.addEventListener("input", () => { renderGutter(); renderMarks(); onInput?.(area.value); });
  area.addEventListener("scroll", sync);
  renderGutter(); renderMarks();

  return {
    el,
    area,
    get value() { return area.value; },
    set value(v) { area.value = v; renderGutter(); renderMarks(); onInput?.(v); },
    setDiagnostics(list) { diags = (list || []).filter((d) => d.line > 0); gutter.dataset.sig = "x"; renderGutter(); renderMarks(); },
    /** Puts the caret at line:column and scrolls there. */
    goTo(line, column) {
      const lines = area.value.split("\n");
      let pos = 0;
      for (let i = 0; i < Math.min(line - 1, lines.length); i++) pos += lines[i].length + 1;
      pos += Math.max(0, Math.min((column || 1) - 1, (lines[line - 1] || "").length));
      area.focus();
      area.setSelectionRange(pos, pos);
      const lh = parseFloat(getComputedStyle(area).lineHeight) || 18;
      area.scrollTop = Math.max(0, (line - 4) * lh);
      sync();
    },
  };
}
