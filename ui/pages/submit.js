// Submit: paste, type or upload a pipeline; POST /jobs/validate as you type
// (debounced) shows every diagnostic at its line:column, in the editor and in
// a list; then POST /jobs (application/yaml) and land on the new job's page.

import { api, ApiError } from "../api.js";
import { h, fill, setText } from "../dom.js";
import { codeEditor } from "../editor.js";

const DRAFT_KEY = "weir.submit.draft";
const DEBOUNCE_MS = 350;

export function mount(root) {
  let draft = "";
  try { draft = sessionStorage.getItem(DRAFT_KEY) || ""; } catch { /* none */ }
  let timer = null, controller = null, seq = 0;
  const summary = h("p", { id: "validation-summary", class: "validation-summary", role: "status", "aria-live": "polite" }, draft ? "" : "Type or load a pipeline to check it.");
  const list = h("ul", { id: "diagnostics", class: "diagnostics" });
  const editor = codeEditor({ id: "pipeline-text", label: "Pipeline (YAML)", value: draft, onInput: changed });
  const file = h("input", { type: "file", id: "pipeline-file", accept: ".yaml,.yml,application/yaml,text/yaml,text/plain" });
  const parallelism = h("input", { type: "number", id: "parallelism", min: "1", max: "64", inputmode: "numeric", placeholder: "service default" });
  const savepoint = h("input", { type: "text", id: "savepoint-path", placeholder: "none", autocomplete: "off", spellcheck: "false" });
  const submitButton = h("button", { type: "submit", class: "primary", id: "submit-button" }, "Submit job");
  const result = h("div", { id: "submit-result", role: "alert" });
  const form = h("form", { class: "submit-form", novalidate: true },
    h("p", { id: "pipeline-text-help", class: "muted small" },
      "Checked as you type (POST /jobs/validate). Diagnostics point at line:column of this text; choose one to move the cursor there."),
    h("div", { class: "submit-grid" },
      editor.el,
      h("div", { class: "side" },
        h("h2", null, "Diagnostics"), summary, list,
        h("h2", null, "Options"),
        h("div", { class: "field" }, h("label", { for: "pipeline-file" }, "Load a file"), file),
        h("div", { class: "field" }, h("label", { for: "parallelism" }, "Parallelism (tasks per instance, 1–64)"), parallelism),
        h("div", { class: "field" }, h("label", { for: "savepoint-path" }, "Start from savepoint (path under the service's savepoints directory)"), savepoint),
        h("div", { class: "row" }, submitButton),
        result)));
  root.append(h("h1", null, "Submit a pipeline"), form);

  function showDiagnostics(diags, errors = []) {
    editor.setDiagnostics(diags);
    const items = diags.map((d) => {
      const where = `${d.line}:${d.column}`;
      return h("li", { class: `diag diag-${d.severity}` },
        h("button", { type: "button", class: "diag-go", onclick: () => editor.goTo(d.line, d.column), "aria-label": `Go to line ${d.line}, column ${d.column}` },
          h("span", { class: "loc" }, where)),
        " ", h("span", { class: `sev sev-${d.severity}` }, d.severity), " ",
        d.field ? h("code", null, d.field) : null, d.field ? ": " : "", d.message);
    });
    // Errors that come without a position (a refused submission's own reasons).
    const loose = errors.filter((e) => !diags.some((d) => e.includes(d.message)));
    fill(list, items, loose.map((e) => h("li", { class: "diag diag-error" }, e)));
  }

  async function validate(text) {
    const mine = ++seq;
    controller?.abort();
    controller = new AbortController();
    if (!text.trim()) { setText(summary, "Type or load a pipeline to check it."); showDiagnostics([]); return; }
    setText(summary, "Checking…");
    try {
      const ans = await api("jobs/validate", { method: "POST", body: text, type: "application/yaml", signal: controller.signal });
      if (mine !== seq) return;
      const diags = ans.diagnostics || [];
      const errors = diags.filter((d) => d.severity === "error").length;
      setText(summary, ans.valid
        ? `Valid: job ${ans.name}${diags.length ? ` (${diags.length} note${diags.length > 1 ? "s" : ""})` : ""}.`
        : `${errors} error${errors === 1 ? "" : "s"}: the pipeline cannot run as it is.`);
      summary.className = `validation-summary ${ans.valid ? "ok" : "bad"}`;
      showDiagnostics(diags);
    } catch (e) {
      if (e && e.name === "AbortError") return;
      if (mine !== seq) return;
      summary.className = "validation-summary bad";
      setText(summary, `Could not check: ${e.message}`);
    }
  }

  function changed(text) {
    try { sessionStorage.setItem(DRAFT_KEY, text); } catch { /* full */ }
    clearTimeout(timer);
    timer = setTimeout(() => validate(text), DEBOUNCE_MS);
  }

  file.addEventListener("change", async () => {
    const fl = file.files && file.files[0];
    if (!fl) return;
    if (fl.size > 1 << 20) { fill(result, h("p", { class: "bad" }, "That file is over 1 MiB: the service refuses it.")); return; }
    editor.value = await fl.text();
    editor.area.focus();
  });

  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    fill(result);
    const text = editor.value;
    if (!text.trim()) { fill(result, h("p", { class: "bad" }, "The pipeline is empty.")); return; }
    submitButton.disabled = true;
    fill(result, h("p", null, "Submitting…"));
    try {
      const ans = await api("jobs", { method: "POST", body: text, type: "application/yaml",
        query: { parallelism: parallelism.value.trim(), savepointPath: savepoint.value.trim() } });
      fill(result, h("p", { class: "ok" }, `Submitted ${ans.name}.`));
      try { sessionStorage.removeItem(DRAFT_KEY); } catch { /* none */ }
      location.hash = `#/job/${encodeURIComponent(ans.jobid)}`;
    } catch (err) {
      const body = err instanceof ApiError ? err.body : null;
      const diags = body && Array.isArray(body.diagnostics) ? body.diagnostics : [];
      if (diags.length) { showDiagnostics(diags, err.errors); summary.className = "validation-summary bad"; setText(summary, "The service refused the pipeline:"); }
      fill(result, h("p", { class: "bad" }, `Not submitted (${err.status || "no answer"}): `, err.message));
    } finally {
      submitButton.disabled = false;
    }
  });

  if (draft) validate(draft);
  return {
    unmount() { clearTimeout(timer); controller?.abort(); },
  };
}
