// The job's pipeline text (GET /jobs/{id}/pipeline), with line numbers, as text.

import { h, fill } from "../dom.js";

export function pipelineView() {
  const code = h("ol", { class: "code-lines" });
  const el = h("div", { class: "pipeline-view" }, h("p", { class: "muted small" }, "The pipeline this job runs, as submitted."), h("pre", { class: "code", tabindex: "0", "aria-label": "Pipeline YAML" }, code));
  let last = null;
  return {
    el,
    update(text) {
      if (text === last) return;
      last = text;
      fill(code, String(text).replace(/\n$/, "").split("\n").map((l) => h("li", null, h("span", null, l || " "))));
    },
  };
}

/** The text out of either answer shape: text/plain, or {"pipeline": "..."}. */
export function pipelineText(ans) {
  if (ans === null || ans === undefined) return null;
  if (typeof ans === "string") return ans;
  if (typeof ans.pipeline === "string") return ans.pipeline;
  return null;
}
