// The one way the UI talks to `weir serve`: relative URLs (so it works under
// any path prefix), the bearer token from sessionStorage, a token prompt when
// the API answers 401, and Flink's {"errors":[…]} turned into ApiError.

import { askToken } from "./token-dialog.js";

const TOKEN_KEY = "weir.token";

export function getToken() {
  try { return sessionStorage.getItem(TOKEN_KEY) || ""; } catch { return ""; }
}
export function setToken(t) {
  try { if (t) sessionStorage.setItem(TOKEN_KEY, t); else sessionStorage.removeItem(TOKEN_KEY); } catch { /* private mode */ }
  window.dispatchEvent(new Event("weir-token"));
}

export class ApiError extends Error {
  constructor(status, body, path) {
    const errors = body && Array.isArray(body.errors) ? body.errors.map(String) : [];
    const text = typeof body === "string" ? body.trim() : "";
    super(errors.length ? errors.join("; ") : text || (status ? `HTTP ${status} from ${path}` : `no answer from ${path}`));
    this.status = status;
    this.body = body;
    this.errors = errors;
    this.path = path;
  }
}

// One prompt at a time: concurrent 401s wait for the same answer. Once the
// prompt is dismissed, polling does not open it again; the header's
// "Enter token" button does (promptForToken).
let pendingPrompt = null;
let dismissed = false;
export const tokenDismissed = () => dismissed;
export async function promptForToken() {
  const t = await promptOnce("Enter the API's bearer token.");
  if (t) { dismissed = false; setToken(t); }
  return t;
}
function promptOnce(message) {
  if (!pendingPrompt) pendingPrompt = askToken(message).finally(() => { pendingPrompt = null; });
  return pendingPrompt;
}

/** The answer index.html's start-up script already asked for (once per path). */
function takePrefetched(url) {
  const all = window.weirPrefetch;
  const p = all && all[url];
  if (!p) return null;
  delete all[url];
  return p;
}

async function parse(res) {
  const type = res.headers.get("content-type") || "";
  if (res.status === 204) return null;
  if (type.includes("json")) { try { return await res.json(); } catch { return null; } }
  return await res.text();
}

/**
 * api("jobs/overview") → the parsed answer. Options: method, body (a string is
 * sent as is with `type`, anything else as JSON), type, query (object), signal.
 */
export async function api(path, opts = {}) {
  const { method = "GET", body, type, query, signal } = opts;
  let url = path;
  if (query) {
    const q = new URLSearchParams();
    for (const [k, v] of Object.entries(query)) if (v !== undefined && v !== null && v !== "") q.set(k, String(v));
    const qs = q.toString();
    if (qs) url += "?" + qs;
  }
  for (let attempt = 0; ; attempt++) {
    const headers = { Accept: "application/json" };
    const token = getToken();
    if (token) headers.Authorization = `Bearer ${token}`;
    let payload;
    if (body !== undefined) {
      if (typeof body === "string") { payload = body; headers["Content-Type"] = type || "text/plain"; }
      else { payload = JSON.stringify(body); headers["Content-Type"] = "application/json"; }
    }
    let res;
    try {
      const early = attempt === 0 && method === "GET" ? takePrefetched(url) : null;
      res = await (early || fetch(url, { method, headers, body: payload, signal: signal || AbortSignal.timeout(30000), cache: "no-store", credentials: "same-origin" }));
    } catch (e) {
      if (e && e.name === "AbortError") throw e; // a TimeoutError is no answer
      throw new ApiError(0, null, path);
    }
    if (res.status === 401 && attempt < 3 && !dismissed) {
      const data = await parse(res);
      const why = data && data.errors ? data.errors.join("; ") : "";
      const t = await promptOnce(token ? `The token was refused. ${why}` : `The API needs a token. ${why}`);
      if (t === null) {
        dismissed = true;
        window.dispatchEvent(new Event("weir-token"));
        throw new ApiError(401, data, path);
      }
      setToken(t);
      continue;
    }
    const data = await parse(res);
    if (!res.ok) throw new ApiError(res.status, data, path);
    return data;
  }
}
