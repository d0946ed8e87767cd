// A job state as a coloured badge with its name in words (colour is never the only cue).

import { h } from "./dom.js";

const CLASS = {
  RUNNING: "ok", FINISHED: "done", CANCELED: "muted", CANCELLING: "warn", FAILING: "bad", FAILED: "bad",
  RESTARTING: "warn", CREATED: "muted", COMPLETED: "ok", IN_PROGRESS: "warn",
};

export function stateBadge(state) {
  return h("span", { class: `badge badge-${CLASS[state] || "muted"}` }, String(state ?? "?"));
}

export function jobLink(id, name) {
  return h("a", { href: `#/job/${encodeURIComponent(id)}` }, String(name ?? id));
}
