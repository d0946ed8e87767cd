// A modal yes/no question (cancel a job, stop it): keyboard-usable, focus on
// the safe answer, Escape says no. Resolves true or false.

import { h } from "./dom.js";

export function confirmDialog({ title, message, confirm = "Confirm", keep = "Keep it", danger = false, extra = null }) {
  return new Promise((resolve) => {
    const keepButton = h("button", { type: "button", class: "keep", onclick: () => dialog.close("no") }, keep);
    const dialog = h("dialog", { class: "modal", "aria-labelledby": "confirm-title", "aria-describedby": "confirm-desc" },
      h("h2", { id: "confirm-title" }, title),
      h("p", { id: "confirm-desc" }, message),
      extra,
      h("div", { class: "row" },
        h("button", { type: "button", class: danger ? "danger confirm" : "primary confirm", onclick: () => dialog.close("yes") }, confirm),
        keepButton));
    dialog.addEventListener("close", () => { const yes = dialog.returnValue === "yes"; dialog.remove(); resolve(yes); });
    document.body.appendChild(dialog);
    dialog.showModal();
    keepButton.focus();
  });
}
