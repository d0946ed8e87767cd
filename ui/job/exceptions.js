// Exceptions and restarts: the newest task failures, each with its cause chain.

import { h, fill } from "../dom.js";
import * as f from "../format.js";

export function exceptionsPanel() {
  const head = h("p");
  const list = h("ol", { class: "exceptions" });
  const el = h("div", null, head, list);
  let shown = "";
  function update(ex, restarts) {
    const entries = ex?.exceptionHistory?.entries || [];
    fill(head, `${f.int(restarts)} restart(s); ${entries.length ? `${entries.length} failure(s), newest first` : "no failure"}`,
      ex?.exceptionHistory?.truncated ? " (older ones left out)" : "", ".");
    const sig = entries.map((e) => `${e.timestamp}/${e.taskName}`).join("|");
    if (sig === shown) return; // keep open <details> as they are
    shown = sig;
    fill(list, entries.map((e) => h("li", null,
      h("details", null,
        h("summary", null, h("strong", null, e.exceptionName), ` in ${e.taskName} at ${f.date(e.timestamp)}`),
        h("pre", { class: "stack" }, e.stacktrace)))));
  }
  return { el, update };
}
