/* What went wrong, in words for the person at the keyboard. The server's own detail (meant for
 * developers: "missing API key: send 'Authorization: Bearer <key>'") only chooses the message;
 * it is never shown as it is. */

/** An error the page can show: `message` is one human sentence or two; `kind` says what helps
 * ("auth": an API key; "input": a different question; "later": waiting; "network"). */
export class PageError extends Error {
  constructor(message, kind) {
    super(message);
    this.kind = kind || "later";
  }
}

const TOO_LONG = "The question is too long (at most 2,000 characters). Shorten it and retry.";

/** The server's `detail` as one string, whatever its shape (string, FastAPI list, object). */
function detailText(detail) {
  if (!detail) return "";
  if (typeof detail === "string") return detail;
  if (Array.isArray(detail)) return detail.map((d) => (d && d.msg) || "").join(" ");
  if (typeof detail === "object" && detail.msg) return String(detail.msg);
  return "";
}

/** The message for a question the server refused as given (422, or an `error` event). */
function questionMessage(detail) {
  const text = detailText(detail).toLowerCase();
  if (/longer than|at most|too long|too large/.test(text)) return new PageError(TOO_LONG, "input");
  if (/empty/.test(text)) return new PageError("Type a question first.", "input");
  if (/surrogate|not valid text/.test(text)) {
    return new PageError("The question contains a character that is not valid text. Retype it and retry.", "input");
  }
  return null;
}

/** A PageError for an HTTP status (and the server's detail, which only picks the wording). */
export function fromStatus(status, detail, { hadKey, retryAfter, what } = {}) {
  const thing = what || "answer";
  if (status === 401) {
    return hadKey
      ? new PageError("The API key was not accepted. Check it above and retry.", "auth")
      : new PageError("This server needs an API key. Enter it above and retry.", "auth");
  }
  if (status === 403) {
    return new PageError("This server does not answer without an API key from this address. Enter a key above and retry.", "auth");
  }
  if (status === 404 && thing === "passage") {
    return new PageError("This passage is no longer available to you. It may have been updated since the answer; ask again.", "input");
  }
  if (status === 413) return new PageError(TOO_LONG, "input");
  if (status === 422) {
    return questionMessage(detail) || new PageError("The server could not use this question. Rephrase it and retry.", "input");
  }
  if (status === 429) {
    const wait = Number(retryAfter) > 0 ? `${Number(retryAfter)} seconds` : "a moment";
    return new PageError(`Too many questions in a short time. Wait ${wait}, then retry.`, "later");
  }
  if (status >= 500) {
    return new PageError(`The assistant could not ${thing === "passage" ? "load the passage" : "answer"} just now. Retry in a moment.`, "later");
  }
  return new PageError(`The server refused the request (status ${status}). Retry, or reload the page.`, "later");
}

/** A PageError from a failed fetch response. */
export async function fromResponse(response, options) {
  let detail = "";
  try {
    const body = await response.json();
    detail = body && body.detail;
  } catch (_) {
    detail = "";
  }
  return fromStatus(response.status, detail, {
    ...options,
    retryAfter: response.headers.get("Retry-After"),
  });
}

/** A PageError for the `error` event that ends a stream. */
export function fromStreamError(detail) {
  const asked = questionMessage(detail);
  if (asked) return asked;
  const text = detailText(detail).toLowerCase();
  if (text.includes("audit")) {
    return new PageError("The assistant could not record this answer, so it gave none. Retry in a moment.", "later");
  }
  if (text.includes("store")) {
    return new PageError("The document store is unavailable just now. Retry in a moment.", "later");
  }
  return new PageError("The assistant could not answer this time. Retry in a moment.", "later");
}

/** Whatever was thrown, as a PageError (fetch throws TypeError when the server is unreachable). */
export function asPageError(err) {
  if (err instanceof PageError) return err;
  if (err instanceof TypeError) {
    return new PageError("Could not reach the server. Check the connection and retry.", "network");
  }
  return new PageError("Something went wrong on this page. Retry, or reload the page.", "later");
}
