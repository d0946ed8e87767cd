// Tabs with the ARIA tabs pattern: arrow keys, Home and End move between tabs,
// Enter or a click shows a panel. onChange(name) is told the shown tab.

import { h } from "./dom.js";

export function tabs(defs, { initial, onChange, label }) {
  const buttons = {}, panels = {};
  const list = h("div", { role: "tablist", "aria-label": label, class: "tablist" });
  for (const d of defs) {
    const b = h("button", { type: "button", role: "tab", id: `tab-${d.name}`, "aria-controls": `panel-${d.name}`, tabindex: "-1", "data-tab": d.name }, d.label);
    b.addEventListener("click", () => select(d.name, true));
    b.addEventListener("keydown", (e) => {
      const names = defs.map((x) => x.name).filter((n) => !buttons[n].hidden);
      const i = names.indexOf(d.name);
      let to = null;
      if (e.key === "ArrowRight") to = names[(i + 1) % names.length];
      else if (e.key === "ArrowLeft") to = names[(i - 1 + names.length) % names.length];
      else if (e.key === "Home") to = names[0];
      else if (e.key === "End") to = names[names.length - 1];
      if (to) { e.preventDefault(); select(to, true); buttons[to].focus(); }
    });
    buttons[d.name] = b;
    panels[d.name] = h("div", { role: "tabpanel", id: `panel-${d.name}`, "aria-labelledby": `tab-${d.name}`, tabindex: "0", hidden: true }, d.el);
    list.appendChild(b);
  }
  let current = null;
  function select(name, user) {
    if (!buttons[name] || buttons[name].hidden) name = defs.find((d) => !buttons[d.name].hidden).name;
    current = name;
    for (const d of defs) {
      const on = d.name === name;
      buttons[d.name].setAttribute("aria-selected", on ? "true" : "false");
      buttons[d.name].tabIndex = on ? 0 : -1;
      panels[d.name].hidden = !on;
    }
    onChange?.(name, user);
  }
  const el = h("div", { class: "tabs" }, list, defs.map((d) => panels[d.name]));
  select(initial && buttons[initial] ? initial : defs[0].name, false);
  return {
    el,
    get current() { return current; },
    select,
    hide(name, hidden) {
      buttons[name].hidden = hidden;
      if (hidden && current === name) select(defs[0].name, false);
    },
  };
}
