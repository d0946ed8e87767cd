// A row of labelled figures (<dl>): tiles.set("in", "1,234", "records") updates in place.

import { h, setText } from "./dom.js";

export function tiles(defs) {
  const byKey = {};
  const dl = h("dl", { class: "tiles" }, defs.map((d) => {
    const value = h("dd", { class: "tile-value", "data-tile": d.key }, "…");
    const sub = h("dd", { class: "tile-sub" });
    const box = h("div", { class: "tile" }, h("dt", null, d.label), value, sub);
    byKey[d.key] = { box, value, sub };
    return box;
  }));
  return {
    el: dl,
    set(key, value, subText = "", title = "") {
      const t = byKey[key];
      if (!t) return;
      setText(t.value, value);
      setText(t.sub, subText);
      if (title) t.value.title = title; else t.value.removeAttribute("title");
    },
    show(key, visible) { if (byKey[key]) byKey[key].box.hidden = !visible; },
  };
}
