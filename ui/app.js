// Weir's web UI: hash routes (#/overview, #/jobs, #/job/<id>[/<tab>],
// #/submit), one module per page, live by polling every 2 s without reloading.

import { getToken, setToken, tokenDismissed, promptForToken } from "./api.js";
import { h, setText } from "./dom.js";

export const POLL_MS = 2000;

// Each page is loaded when first shown, so a first load fetches only its own modules.
const routes = {
  overview: () => import("./pages/overview.js"),
  jobs: () => import("./pages/jobs.js"),
  job: () => import("./pages/job.js"),
  submit: () => import("./pages/submit.js"),
};
const main = document.getElementById("main");
const live = document.getElementById("live");
const banner = document.getElementById("banner");
let current = null; // {name, page, timer, alive}

function parseHash() {
  const parts = location.hash.replace(/^#\/?/, "").split("/").map((p) => { try { return decodeURIComponent(p); } catch { return p; } });
  const name = routes[parts[0]] ? parts[0] : "overview";
  return { name, args: parts.slice(1).filter(Boolean) };
}

function showError(e) {
  if (!e) { banner.hidden = true; setText(banner, ""); return; }
  const text = e.status === 0 || e.status === undefined
    ? `Cannot reach the Weir API (${e.message}). Retrying every ${POLL_MS / 1000} s.`
    : `The API answered ${e.status}: ${e.message}`;
  setText(banner, text);
  banner.hidden = false;
}

async function tick(c) {
  if (!c.alive || c.busy) return;
  clearTimeout(c.timer);
  c.busy = true;
  if (!document.hidden && c.page.refresh) {
    try {
      await c.page.refresh();
      if (!c.alive) return;
      showError(null);
      setText(live, `Live · updated ${new Date().toLocaleTimeString(undefined, { hourCycle: "h23" })}`);
    } catch (e) {
      if (!c.alive) return;
      showError(e);
      setText(live, "Live · retrying");
    }
  }
  if (!c.page.refresh) setText(live, "");
  c.busy = false;
  if (c.alive && c.page.refresh) c.timer = setTimeout(() => tick(c), POLL_MS);
}

async function route(focus = false) {
  const { name, args } = parseHash();
  if (current) {
    current.alive = false;
    clearTimeout(current.timer);
    current.page.unmount?.();
  }
  showError(null);
  for (const a of document.querySelectorAll("[data-nav]")) {
    if (a.dataset.nav === name || (name === "job" && a.dataset.nav === "jobs")) a.setAttribute("aria-current", "page");
    else a.removeAttribute("aria-current");
  }
  const c = { name, page: { refresh: null }, timer: null, alive: true, busy: false };
  current = c;
  let module;
  try { module = await routes[name](); } catch (e) { showError({ status: 0, message: `could not load the page (${e.message})` }); return; }
  if (!c.alive) return;
  main.replaceChildren();
  const container = h("div", { class: `page page-${name}` });
  main.appendChild(container);
  c.page = module.mount(container, args, { showError, refreshNow: () => tick(c) });
  if (focus) main.focus({ preventScroll: true }); // a screen reader starts on the new page
  tick(c);
}

function tokenButton() {
  const b = document.getElementById("token-button");
  b.hidden = !getToken() && !tokenDismissed();
  setText(b, getToken() ? "Forget token" : "Enter token");
}

document.getElementById("skip-link").addEventListener("click", (e) => { e.preventDefault(); main.focus(); });
document.getElementById("token-button").addEventListener("click", async () => {
  if (getToken()) setToken("");
  else if (await promptForToken() && current) tick(current);
});
window.addEventListener("weir-token", tokenButton);
window.addEventListener("hashchange", () => route(true));
document.addEventListener("visibilitychange", () => {
  if (!document.hidden && current && current.alive) tick(current);
});
tokenButton();
if (!location.hash || !location.hash.startsWith("#/")) history.replaceState(null, "", "#/overview");
route();
