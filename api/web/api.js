/* The same-origin API the page talks to, and the caller's API key (kept in sessionStorage, so
 * it lasts as long as this browser tab and goes nowhere else). */

import { fromResponse } from "./errors.js";

const KEY_STORE = "tpa-api-key";
const CONTEXT_CHARS = 600;
const passages = new Map(); // chunk_id -> Promise of the passage JSON

export { CONTEXT_CHARS };

export function getKey() {
  try {
    return sessionStorage.getItem(KEY_STORE) || "";
  } catch (_) {
    return "";
  }
}

/** Keep (or, given "", forget) the key; what a key may read differs, so passages are refetched. */
export function setKey(key) {
  try {
    if (key) sessionStorage.setItem(KEY_STORE, key);
    else sessionStorage.removeItem(KEY_STORE);
  } catch (_) {
    /* storage off: nothing to keep it in */
  }
  passages.clear();
}

/** Headers for every API call: the caller's key (if any) and the surface, for the audit trail. */
export function apiHeaders(extra) {
  const headers = Object.assign({ "X-TPA-Surface": "web" }, extra || {});
  const key = getKey();
  if (key) headers.Authorization = "Bearer " + key;
  return headers;
}

/** POST /v1/chat asking for Server-Sent Events. */
export function postChat(question, conversationId) {
  return fetch("v1/chat", {
    method: "POST",
    headers: apiHeaders({ "Content-Type": "application/json", Accept: "text/event-stream" }),
    body: JSON.stringify({ question, conversation_id: conversationId, stream: true, filters: null }),
  });
}

/** GET /v1/passages/{id} with context, once per chunk (a failure lets a later click retry). */
export function fetchPassage(chunkId) {
  if (!passages.has(chunkId)) {
    const url = "v1/passages/" + encodeURIComponent(chunkId) + "?context=" + CONTEXT_CHARS;
    const hadKey = Boolean(getKey());
    const promise = fetch(url, { headers: apiHeaders({ Accept: "application/json" }) }).then(async (r) => {
      if (!r.ok) throw await fromResponse(r, { hadKey, what: "passage" });
      return r.json();
    });
    promise.catch(() => passages.delete(chunkId));
    passages.set(chunkId, promise);
  }
  return passages.get(chunkId);
}
