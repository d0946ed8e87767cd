// The prompt shown when the API answers 401: a modal dialog with a labelled
// password field. Resolves with the token, or null when dismissed.

import { h } from "./dom.js";

export function askToken(message) {
  return new Promise((resolve) => {
    const input = h("input", { id: "token-input", type: "password", autocomplete: "off", spellcheck: "false", required: true });
    const form = h("form", { method: "dialog", class: "stack" },
      h("h2", { id: "token-title" }, "API token"),
      h("p", { id: "token-desc" }, message || "The API needs a token.",
        " It is kept for this browser tab only (sessionStorage) and sent as Authorization: Bearer."),
      h("label", { for: "token-input" }, "Bearer token"),
      input,
      h("div", { class: "row" },
        h("button", { type: "submit", value: "ok", class: "primary" }, "Use token"),
        h("button", { type: "button", value: "cancel", onclick: () => dialog.close("cancel") }, "Cancel")));
    const dialog = h("dialog", { class: "modal", "aria-labelledby": "token-title", "aria-describedby": "token-desc" }, form);
    form.addEventListener("submit", (e) => { e.preventDefault(); if (input.value.trim()) dialog.close("ok"); });
    dialog.addEventListener("close", () => {
      const v = dialog.returnValue === "ok" ? input.value.trim() : null;
      dialog.remove();
      resolve(v);
    });
    document.body.appendChild(dialog);
    dialog.showModal();
    input.focus();
  });
}
