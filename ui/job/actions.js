// The job's actions through the REST API (with the token): a savepoint (POST
// /jobs/{id}/savepoints, then GET …/savepoints/{request-id} until COMPLETED:
// its location or its failure), stop with a savepoint (POST /jobs/{id}/stop,
// same polling), cancel (PATCH /jobs/{id}?mode=cancel) after a confirmation.

import { api, ApiError } from "../api.js";
import { h, fill } from "../dom.js";
import * as f from "../format.js";
import { confirmDialog } from "../confirm-dialog.js";

const POLL_MS = 1000, GIVE_UP_MS = 180000;
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

export function jobActions({ getJob, onChange }) {
  const savepointButton = h("button", { type: "button", id: "action-savepoint", class: "primary" }, "Savepoint");
  const stopButton = h("button", { type: "button", id: "action-stop" }, "Stop with savepoint");
  const cancelButton = h("button", { type: "button", id: "action-cancel", class: "danger" }, "Cancel job");
  const status = h("div", { id: "action-status", class: "action-status", role: "status", "aria-live": "polite" });
  const el = h("div", { class: "actions" }, h("div", { class: "row" }, savepointButton, stopButton, cancelButton), status);
  let busy = false;

  function say(kind, ...parts) { status.className = `action-status ${kind}`; fill(status, ...parts); }

  async function waitFor(jid, requestId, what, started) {
    for (;;) {
      const ans = await api(`jobs/${jid}/savepoints/${encodeURIComponent(requestId)}`);
      const st = ans?.status?.id;
      if (st === "COMPLETED") return ans.operation || {};
      if (Date.now() - started > GIVE_UP_MS) throw new Error(`${what} still in progress after ${f.duration(GIVE_UP_MS)} (request ${requestId})`);
      say("progress", h("span", { class: "spinner", "aria-hidden": "true" }), `${what} in progress… ${f.duration(Date.now() - started)} (request `, h("code", null, requestId), ")");
      await sleep(POLL_MS);
    }
  }

  async function trigger(kind) {
    const j = getJob();
    if (!j || busy) return;
    let drain = null;
    if (kind === "stop") {
      drain = h("input", { type: "checkbox", id: "stop-drain" });
      const ok = await confirmDialog({
        title: `Stop ${j.name} with a savepoint?`,
        message: "Every task writes its last checkpoint into a savepoint, then the job ends FINISHED. Restore it later with POST /jobs?savepointPath=… (the Submit page).",
        confirm: "Stop with savepoint", keep: "Keep running",
        extra: h("p", null, drain, " ", h("label", { for: "stop-drain" }, "Drain: fire every open window first")),
      });
      if (!ok) return;
    }
    busy = true; refreshButtons();
    const what = kind === "stop" ? "Stop with savepoint" : "Savepoint";
    const started = Date.now();
    try {
      say("progress", `${what}: asking the service…`);
      const send = () => kind === "stop"
        ? api(`jobs/${j.jid}/stop`, { method: "POST", body: { drain: !!drain.checked } })
        : api(`jobs/${j.jid}/savepoints`, { method: "POST", body: { "cancel-job": false } });
      let ans;
      // A job just started answers 409 until its tasks hold their partitions
      // (a savepoint needs every one): wait for that rather than fail.
      for (;;) {
        try { ans = await send(); break; } catch (e) {
          if (!(e instanceof ApiError && e.status === 409 && /not ready/.test(e.message)) || Date.now() - started > GIVE_UP_MS) throw e;
          say("progress", h("span", { class: "spinner", "aria-hidden": "true" }), `${what}: waiting for the job's tasks to hold their partitions… ${f.duration(Date.now() - started)}`);
          await sleep(POLL_MS);
        }
      }
      const op = await waitFor(j.jid, ans["request-id"], what, started);
      if (op.location) say("ok", `${what} completed in ${f.duration(Date.now() - started)}: `, h("code", { class: "savepoint-location" }, op.location));
      else {
        const cause = op["failure-cause"] || {};
        say("bad", `${what} failed: `, h("strong", null, cause.class || "unknown cause"), h("pre", { class: "stack" }, cause["stack-trace"] || ""));
      }
    } catch (e) {
      say("bad", `${what} failed: ${e.message}`);
    } finally {
      busy = false; refreshButtons(); onChange?.();
    }
  }

  async function cancel() {
    const j = getJob();
    if (!j || busy) return;
    const ok = await confirmDialog({
      title: `Cancel ${j.name}?`,
      message: "Its tasks stop after their current batch and last checkpoint; the job ends CANCELED. No savepoint is taken.",
      confirm: "Cancel job", keep: "Keep running", danger: true,
    });
    if (!ok) { say("", "Cancel not sent."); return; }
    busy = true; refreshButtons();
    try {
      await api(`jobs/${j.jid}`, { method: "PATCH", query: { mode: "cancel" } });
      say("ok", `Cancel sent: ${j.name} is stopping.`);
    } catch (e) {
      say("bad", `Cancel failed: ${e.message}`);
    } finally {
      busy = false; refreshButtons(); onChange?.();
    }
  }

  function refreshButtons() {
    const j = getJob();
    const running = j && j.state === "RUNNING";
    const ended = !j || ["FINISHED", "CANCELED", "FAILED", "CANCELLING"].includes(j.state);
    savepointButton.disabled = busy || !running;
    stopButton.disabled = busy || !running;
    cancelButton.disabled = busy || ended;
  }

  savepointButton.addEventListener("click", () => trigger("savepoint"));
  stopButton.addEventListener("click", () => trigger("stop"));
  cancelButton.addEventListener("click", cancel);
  refreshButtons();
  return { el, update: refreshButtons };
}
