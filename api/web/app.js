/* The chat page: plain JS, no build step, no dependencies.
 *
 * Talks to the API of the same origin:
 *   POST v1/chat (Server-Sent Events: `delta`, then `answer` or `error`)
 *   GET  v1/passages/{chunk_id}?context=600
 * with `Authorization: Bearer <key>` when the user gave an API key (kept in sessionStorage).
 * Document and answer text is only ever inserted with textContent / text nodes, never as markup.
 */
"use strict";

(function () {
  const CONTEXT_CHARS = 600;
  const MARKER = /\[(\d{1,3})\]/g;
  const HAS_MARKER = /\[\d{1,3}\]/;

  const state = {
    conversationId: null,
    busy: false,
    panelCitation: null, // the citation shown in the side panel
    panelOpener: null, // the element to give focus back to when the panel closes
    passages: new Map(), // chunk_id -> Promise of the passage JSON
  };

  const $ = (id) => document.getElementById(id);
  const els = {};
  const KEY_STORE = "tpa-api-key";

  /** Headers for every API call: the caller's key (if any) and the surface, for the audit trail. */
  function apiHeaders(extra) {
    const headers = Object.assign({ "X-TPA-Surface": "web" }, extra || {});
    let key = "";
    try {
      key = sessionStorage.getItem(KEY_STORE) || "";
    } catch (_) {
      key = "";
    }
    if (key) headers.Authorization = "Bearer " + key;
    return headers;
  }

  function el(tag, props, children) {
    const node = document.createElement(tag);
    if (props) {
      for (const [key, value] of Object.entries(props)) {
        if (value === undefined || value === null) continue;
        if (key === "text") node.textContent = value;
        else if (key === "className") node.className = value;
        else if (key === "dataset") Object.assign(node.dataset, value);
        else node.setAttribute(key, value);
      }
    }
    for (const child of children || []) {
      if (child === null || child === undefined) continue;
      node.append(child instanceof Node ? child : document.createTextNode(String(child)));
    }
    return node;
  }

  // ---- errors ----------------------------------------------------------------------------

  /** One short readable line from whatever an error carries. */
  function describeDetail(detail) {
    if (!detail) return "";
    if (typeof detail === "string") return detail;
    if (Array.isArray(detail)) {
      const first = detail[0] || {};
      const where = Array.isArray(first.loc) ? first.loc.filter((x) => x !== "body").join(".") : "";
      return (where ? where + ": " : "") + (first.msg || "invalid request");
    }
    if (typeof detail === "object" && detail.msg) return String(detail.msg);
    try {
      return JSON.stringify(detail);
    } catch (_) {
      return String(detail);
    }
  }

  function oneLine(text, max) {
    const line = String(text || "").replace(/\s+/g, " ").trim();
    const limit = max || 240;
    return line.length > limit ? line.slice(0, limit - 1) + "…" : line;
  }

  async function errorFromResponse(response) {
    let detail = "";
    try {
      const body = await response.json();
      detail = describeDetail(body && body.detail);
    } catch (_) {
      detail = "";
    }
    const status = response.status + (response.statusText ? " " + response.statusText : "");
    if (response.status === 401) showKeyForm("This server needs an API key: enter yours above.");
    return new Error(detail ? detail + " (" + status + ")" : "the server answered " + status);
  }

  // ---- the API key -----------------------------------------------------------------------

  function showKeyForm(message) {
    const form = $("key-form");
    form.hidden = false;
    $("key-toggle").setAttribute("aria-expanded", "true");
    $("key-status").textContent = message || "";
    $("api-key").focus();
  }

  function saveKey(e) {
    e.preventDefault();
    const key = $("api-key").value.trim();
    try {
      if (key) sessionStorage.setItem(KEY_STORE, key);
      else sessionStorage.removeItem(KEY_STORE);
    } catch (_) {
      /* storage off: the key lasts until the page is reloaded */
    }
    state.passages.clear(); // what a key may see differs: fetch passages again
    $("api-key").value = "";
    $("key-status").textContent = key ? "Key saved for this tab." : "Key removed.";
    els.question.focus();
  }

  function toggleKeyForm() {
    const form = $("key-form");
    form.hidden = !form.hidden;
    $("key-toggle").setAttribute("aria-expanded", String(!form.hidden));
    if (!form.hidden) $("api-key").focus();
  }

  // ---- Server-Sent Events over fetch -----------------------------------------------------

  /** Parse one SSE frame ("event: x\ndata: ...") into {event, data} or null. */
  function parseFrame(frame) {
    let event = "message";
    const data = [];
    for (const line of frame.split("\n")) {
      if (!line || line.startsWith(":")) continue;
      const colon = line.indexOf(":");
      const field = colon === -1 ? line : line.slice(0, colon);
      let value = colon === -1 ? "" : line.slice(colon + 1);
      if (value.startsWith(" ")) value = value.slice(1);
      if (field === "event") event = value;
      else if (field === "data") data.push(value);
    }
    if (!data.length) return null;
    return { event, data: data.join("\n") };
  }

  /** Read a text/event-stream body, calling onEvent(name, parsedJson) per frame. */
  async function readEvents(response, onEvent) {
    const reader = response.body.getReader();
    const decoder = new TextDecoder();
    let buffer = "";
    const flush = (final) => {
      buffer = buffer.replace(/\r\n?/g, "\n");
      let cut;
      while ((cut = buffer.indexOf("\n\n")) !== -1) {
        const frame = buffer.slice(0, cut);
        buffer = buffer.slice(cut + 2);
        dispatch(frame);
      }
      if (final && buffer.trim()) {
        dispatch(buffer);
        buffer = "";
      }
    };
    const dispatch = (frame) => {
      const parsed = parseFrame(frame);
      if (!parsed) return;
      let payload;
      try {
        payload = JSON.parse(parsed.data);
      } catch (_) {
        payload = { text: parsed.data };
      }
      onEvent(parsed.event, payload);
    };
    for (;;) {
      const { value, done } = await reader.read();
      if (done) {
        buffer += decoder.decode();
        flush(true);
        break;
      }
      buffer += decoder.decode(value, { stream: true });
      flush(false);
    }
  }

  // ---- asking ----------------------------------------------------------------------------

  /** Is the page scrolled (nearly) to its end? Streaming only follows the text if so. */
  function nearBottom() {
    const doc = document.documentElement;
    return doc.scrollHeight - (window.scrollY + window.innerHeight) < 120;
  }

  function scrollToBottom() {
    // The question box is sticky at the end of the page: at the very bottom, the latest
    // message sits just above it instead of behind it.
    window.scrollTo(0, document.documentElement.scrollHeight);
  }

  /** After an answer: its end if the whole exchange fits, otherwise its beginning. */
  function revealExchange(exchange) {
    scrollToBottom();
    const top = exchange.getBoundingClientRect().top;
    if (top < 0) {
      window.scrollBy(0, top - 8);
    }
  }

  function addQuestion(text) {
    const empty = $("empty-state");
    if (empty) empty.remove();
    const item = el("section", { className: "exchange" });
    item.append(
      el("div", { className: "message question" }, [
        el("span", { className: "visually-hidden", text: "You asked: " }),
        el("p", { className: "question-text", text }),
      ])
    );
    els.messages.append(item);
    return item;
  }

  async function ask(question) {
    state.busy = true;
    els.send.disabled = true;
    els.send.textContent = "Answering…";
    const exchange = addQuestion(question);
    const answer = el("article", {
      className: "message answer pending",
      "aria-busy": "true",
      "aria-label": "Answer",
    });
    const status = el("p", { className: "answer-status", text: "Searching the corpus…" });
    const stream = el("p", { className: "answer-stream" });
    answer.append(status, stream);
    exchange.append(answer);
    scrollToBottom();

    let final = null;
    let failure = null;
    try {
      const response = await fetch("v1/chat", {
        method: "POST",
        headers: apiHeaders({ "Content-Type": "application/json", Accept: "text/event-stream" }),
        body: JSON.stringify({
          question,
          conversation_id: state.conversationId,
          stream: true,
          filters: null,
        }),
      });
      if (!response.ok) throw await errorFromResponse(response);
      const type = response.headers.get("content-type") || "";
      if (type.includes("application/json")) {
        final = await response.json(); // a server that does not stream still answers
      } else {
        await readEvents(response, (event, data) => {
          if (event === "delta") {
            const follow = nearBottom();
            if (status.isConnected) status.remove();
            stream.append(document.createTextNode(data && typeof data.text === "string" ? data.text : ""));
            if (follow) scrollToBottom();
          } else if (event === "answer") {
            final = data;
          } else if (event === "error") {
            failure = new Error(describeDetail(data && data.detail) || "the server could not answer");
          }
        });
      }
      if (!final && !failure) failure = new Error("the answer stream ended before the answer arrived");
    } catch (err) {
      failure = err instanceof TypeError ? new Error("could not reach the server") : err;
    }

    answer.replaceChildren();
    answer.classList.remove("pending");
    if (failure) {
      answer.classList.add("error");
      answer.append(
        el("p", { className: "error-line", text: "Could not answer: " + oneLine(failure.message) })
      );
    } else {
      if (final.conversation_id) state.conversationId = final.conversation_id;
      renderAnswer(answer, final);
    }
    answer.setAttribute("aria-busy", "false");
    state.busy = false;
    els.send.disabled = false;
    els.send.textContent = "Send";
    revealExchange(exchange);
  }

  // ---- rendering an answer ---------------------------------------------------------------

  function chip(citation) {
    const button = el("button", {
      type: "button",
      className: "citation-chip",
      dataset: { n: String(citation.n) },
      "aria-label": "Source " + citation.n + ": " + (citation.citation || citation.title || ""),
      title: citation.citation || "",
      "aria-haspopup": "dialog",
      "aria-controls": "source-panel",
    });
    button.textContent = String(citation.n);
    button.addEventListener("click", () => openPanel(citation, button));
    return button;
  }

  /** The text of one line with its [n] markers turned into chips (unknown n stay as text). */
  function renderLine(text, byN) {
    const frag = document.createDocumentFragment();
    let last = 0;
    for (const m of text.matchAll(MARKER)) {
      const citation = byN.get(Number(m[1]));
      if (!citation) continue;
      frag.append(document.createTextNode(text.slice(last, m.index)));
      frag.append(chip(citation));
      last = m.index + m[0].length;
    }
    frag.append(document.createTextNode(text.slice(last)));
    return frag;
  }

  function renderAnswer(answerEl, data) {
    const citations = Array.isArray(data.citations) ? data.citations : [];
    const text = typeof data.answer === "string" ? data.answer : "";

    if (data.abstained) {
      answerEl.classList.add("not-found");
      answerEl.append(
        el("p", { className: "not-found-title" }, [
          el("span", { className: "not-found-icon", "aria-hidden": "true", text: "∅" }),
          "Not found in the corpus",
        ]),
        el("p", {
          className: "not-found-text",
          text: text || "The corpus does not cover this question.",
        }),
        el("p", {
          className: "not-found-hint",
          text: "No passage was relevant enough to quote. Rephrase the question or check the official sources directly.",
        })
      );
      return;
    }

    const byN = new Map(citations.map((c) => [Number(c.n), c]));
    const unsupported = new Set(
      (Array.isArray(data.claims) ? data.claims : [])
        .filter((c) => c && c.supported === false && c.text)
        .map((c) => c.text)
    );
    const body = el("div", { className: "answer-body" });
    let list = null;
    for (const raw of text.split("\n")) {
      const line = raw.trimEnd();
      if (!line.trim()) {
        list = null;
        continue;
      }
      const bullet = /^\s*[-*•]\s+/.exec(line);
      const content = bullet ? line.slice(bullet[0].length) : line;
      const node = el(bullet ? "li" : "p");
      // "- 15 CFR 744.11(a) (heading): sentence [1]": the label before the first ": " in bold
      const label = bullet ? /^([^:]{2,160}?):\s/.exec(content) : null;
      if (label && !HAS_MARKER.test(label[1])) {
        node.append(el("span", { className: "line-label", text: label[1] + ":" }), " ");
        node.append(renderLine(content.slice(label[0].length), byN));
      } else {
        node.append(renderLine(content, byN));
      }
      for (const claim of unsupported) {
        if (line.includes(claim)) {
          node.classList.add("unsupported");
          node.append(el("span", { className: "unsupported-tag", text: "not supported by a cited passage" }));
          break;
        }
      }
      if (bullet) {
        if (!list) {
          list = el("ul", { className: "answer-lines" });
          body.append(list);
        }
        list.append(node);
      } else {
        list = null;
        body.append(node);
      }
    }
    answerEl.append(body);

    if (citations.length) {
      const sources = el("ol", { className: "sources", "aria-label": "Sources" });
      for (const c of citations) {
        const open = el("button", {
          type: "button",
          className: "source-open",
          dataset: { n: String(c.n) },
          "aria-haspopup": "dialog",
          "aria-controls": "source-panel",
        }, [
          el("span", { className: "source-n", "aria-hidden": "true", text: String(c.n) }),
          el("span", { className: "source-citation", text: c.citation || c.doc_id || "source" }),
        ]);
        open.addEventListener("click", () => openPanel(c, open));
        const title = c.title && c.title !== c.citation ? c.title : "";
        const meta = [title, c.date].filter(Boolean).join(" · ");
        sources.append(
          el("li", { className: "source", dataset: { n: String(c.n) }, value: String(c.n) }, [
            open,
            meta ? el("span", { className: "source-meta", text: meta }) : null,
          ])
        );
      }
      answerEl.append(el("h3", { className: "sources-heading", text: "Sources" }), sources);
    }

    const total = Object.values(data.timings_ms || {}).reduce(
      (sum, v) => sum + (typeof v === "number" ? v : 0),
      0
    );
    if (total > 0) {
      answerEl.append(
        el("p", { className: "answer-meta", text: "Answered in " + Math.round(total) + " ms" })
      );
    }
  }

  // ---- the source panel ------------------------------------------------------------------

  function isNarrow() {
    return window.matchMedia("(max-width: 899px)").matches;
  }

  function fetchPassage(chunkId) {
    if (!state.passages.has(chunkId)) {
      const url = "v1/passages/" + encodeURIComponent(chunkId) + "?context=" + CONTEXT_CHARS;
      const promise = fetch(url, { headers: apiHeaders({ Accept: "application/json" }) }).then(async (r) => {
        if (!r.ok) throw await errorFromResponse(r);
        return r.json();
      });
      promise.catch(() => state.passages.delete(chunkId)); // let a later click retry
      state.passages.set(chunkId, promise);
    }
    return state.passages.get(chunkId);
  }

  function setText(id, text) {
    $(id).textContent = text;
  }

  function openPanel(citation, opener) {
    state.panelCitation = citation;
    state.panelOpener = opener;
    document.querySelectorAll(".citation-chip.active, .source-open.active").forEach((b) => {
      b.classList.remove("active");
      b.removeAttribute("aria-expanded");
    });
    opener.classList.add("active");
    opener.setAttribute("aria-expanded", "true");

    setText("source-panel-n", "[" + citation.n + "]");
    setText("panel-citation", citation.citation || "(no legal citation)");
    setText("panel-title", citation.title || "");
    setText("panel-date", citation.date || "not dated");
    setText("panel-doctype", (citation.doc_type || "—").replace(/_/g, " "));
    setText("panel-docid", citation.doc_id || "—");
    setText("panel-span", citation.start + "–" + citation.end);
    renderLink(citation.source_url);
    setText("copy-status", "");
    setText("panel-status", "Loading the passage…");
    $("panel-passage").replaceChildren();

    els.panel.hidden = false;
    document.body.classList.add("panel-open");
    syncModality();
    els.close.focus();

    fetchPassage(citation.chunk_id).then(
      (passage) => {
        if (state.panelCitation !== citation) return;
        if (!citation.source_url && passage.source_url) renderLink(passage.source_url);
        if (!citation.date && passage.date) setText("panel-date", passage.date);
        renderPassage(citation, passage);
      },
      (err) => {
        if (state.panelCitation !== citation) return;
        setText("panel-status", "Could not load the passage: " + oneLine(err.message));
        // Still show the verbatim quote, so the reviewer has the words.
        $("panel-passage").replaceChildren(el("mark", { text: citation.quote || "" }));
      }
    );
  }

  function renderLink(url) {
    const holder = $("panel-link");
    holder.replaceChildren();
    if (url && /^https?:\/\//i.test(url)) {
      holder.append(
        el("a", { href: url, target: "_blank", rel: "noopener noreferrer", id: "panel-source-link" }, [
          "Official source",
          el("span", { className: "visually-hidden", text: " (opens in a new tab)" }),
          el("span", { "aria-hidden": "true", text: " ↗" }),
        ])
      );
    } else {
      holder.append(el("span", { className: "no-link", text: "No official link" }));
    }
  }

  /** The context with the retrieved chunk shaded and the citation's own span in a <mark>. */
  function renderPassage(citation, passage) {
    const context = typeof passage.context === "string" ? passage.context : passage.text || "";
    const base = typeof passage.context === "string" ? passage.context_start || 0 : passage.start || 0;
    const quote = citation.quote || "";
    let qs = citation.start - base;
    let qe = citation.end - base;
    let note = "";
    if (!(qs >= 0 && qe <= context.length && context.slice(qs, qe) === quote)) {
      // The span should always match (the API checks quotes); if it does not, say so.
      const found = quote ? context.indexOf(quote) : -1;
      if (found >= 0) {
        qs = found;
        qe = found + quote.length;
        note = "The quote was found at a different position than its recorded span.";
      } else {
        qs = qe = -1;
        note = "The quote does not match the stored text at its recorded span.";
      }
    }
    const cs = (passage.start ?? -1) - base;
    const ce = (passage.end ?? -1) - base;

    const box = $("panel-passage");
    box.replaceChildren();
    if (passage.context_start > 0) box.append(el("span", { className: "ellipsis", text: "… " }));
    const appendPlain = (from, to) => {
      // text outside the quote, with the part inside the retrieved chunk shaded
      const points = [from, to, cs, ce].filter((p) => p >= from && p <= to).sort((a, b) => a - b);
      for (let i = 0; i < points.length - 1; i++) {
        const a = points[i];
        const b = points[i + 1];
        if (b <= a) continue;
        const piece = context.slice(a, b);
        if (a >= cs && b <= ce) box.append(el("span", { className: "in-chunk", text: piece }));
        else box.append(document.createTextNode(piece));
      }
    };
    let markEl = null;
    if (qs >= 0) {
      appendPlain(0, qs);
      markEl = el("mark", { text: context.slice(qs, qe) });
      box.append(markEl);
      appendPlain(qe, context.length);
    } else {
      appendPlain(0, context.length);
    }
    // The API does not give the document's length: a full context after the chunk means more follows.
    if (typeof passage.end === "number" && passage.context_end - passage.end >= CONTEXT_CHARS) {
      box.append(el("span", { className: "ellipsis", text: " …" }));
    }
    setText("panel-status", note);
    if (markEl) {
      requestAnimationFrame(() => markEl.scrollIntoView({ block: "center", behavior: "auto" }));
    }
  }

  /** On a narrow screen the open panel covers the page: it is modal, the page behind inert. */
  function syncModality() {
    const modal = !els.panel.hidden && isNarrow();
    els.backdrop.hidden = !modal;
    els.panel.setAttribute("aria-modal", modal ? "true" : "false");
    els.layout.inert = modal;
  }

  function closePanel() {
    if (els.panel.hidden) return;
    els.panel.hidden = true;
    document.body.classList.remove("panel-open");
    syncModality();
    const opener = state.panelOpener;
    if (opener) {
      opener.classList.remove("active");
      opener.removeAttribute("aria-expanded");
    }
    state.panelCitation = null;
    state.panelOpener = null;
    if (opener && opener.isConnected) opener.focus();
    else els.question.focus();
  }

  // ---- copying ---------------------------------------------------------------------------

  function citationText(c) {
    return (c.citation || c.doc_id || "") + ': "' + (c.quote || "") + '"';
  }

  function legacyCopy(text) {
    const area = el("textarea", { readonly: "", className: "offscreen" });
    area.value = text;
    document.body.append(area);
    area.select();
    let ok = false;
    try {
      ok = document.execCommand("copy");
    } catch (_) {
      ok = false;
    }
    area.remove();
    return ok;
  }

  async function copyCitation() {
    const c = state.panelCitation;
    if (!c) return;
    const text = citationText(c);
    let ok = false;
    try {
      if (navigator.clipboard && window.isSecureContext) {
        await navigator.clipboard.writeText(text);
        ok = true;
      } else {
        ok = legacyCopy(text);
      }
    } catch (_) {
      ok = legacyCopy(text);
    }
    setText("copy-status", ok ? "Copied" : "Copy failed: select the text and copy it by hand");
  }

  // ---- wiring ----------------------------------------------------------------------------

  function submit() {
    if (state.busy) return;
    const question = els.question.value.trim();
    if (!question) {
      els.question.focus();
      return;
    }
    els.question.value = "";
    autoGrow();
    ask(question);
  }

  function autoGrow() {
    const q = els.question;
    q.style.height = "auto";
    q.style.height = Math.min(q.scrollHeight + 2, 200) + "px";
  }

  function newConversation() {
    closePanel();
    state.conversationId = null;
    els.messages.replaceChildren(
      el("p", { className: "empty-state", id: "empty-state", text: "New conversation. Ask a question." })
    );
    els.question.focus();
  }

  function init() {
    els.messages = $("messages");
    els.form = $("ask-form");
    els.question = $("question");
    els.send = $("send");
    els.panel = $("source-panel");
    els.close = $("close-panel");
    els.backdrop = $("panel-backdrop");
    els.layout = document.querySelector(".layout");

    els.form.addEventListener("submit", (e) => {
      e.preventDefault();
      submit();
    });
    els.question.addEventListener("keydown", (e) => {
      if (e.key === "Enter" && !e.shiftKey && !e.isComposing) {
        e.preventDefault();
        submit();
      }
    });
    els.question.addEventListener("input", autoGrow);
    els.close.addEventListener("click", closePanel);
    els.backdrop.addEventListener("click", closePanel);
    $("copy-citation").addEventListener("click", copyCitation);
    $("new-conversation").addEventListener("click", newConversation);
    $("key-toggle").addEventListener("click", toggleKeyForm);
    $("key-form").addEventListener("submit", saveKey);
    document.addEventListener("keydown", (e) => {
      if (e.key === "Escape" && !els.panel.hidden) {
        e.preventDefault();
        closePanel();
      }
    });
    window.addEventListener("resize", syncModality);
    els.question.focus();
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();
