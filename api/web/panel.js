/* The source panel: one citation's passage in its surrounding text, the quote highlighted, with
 * title, legal citation, date, kind of source, legal-status notes, the official link and "copy
 * citation". Beside the conversation on a wide screen; a modal overlay on a narrow one. */

import { CONTEXT_CHARS, fetchPassage } from "./api.js";
import { kindLabel, notesList } from "./answer.js";
import { $, el } from "./dom.js";

const state = { citation: null, opener: null };
const els = {};

function setText(id, text) {
  $(id).textContent = text;
}

function isNarrow() {
  return window.matchMedia("(max-width: 899px)").matches;
}

/** On a narrow screen the open panel covers the page: it is modal, the page behind inert. */
export function syncModality() {
  const modal = !els.panel.hidden && isNarrow();
  els.backdrop.hidden = !modal;
  els.panel.setAttribute("aria-modal", modal ? "true" : "false");
  els.layout.inert = modal;
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
  if (markEl) requestAnimationFrame(() => markEl.scrollIntoView({ block: "center", behavior: "auto" }));
}

export function openPanel(citation, opener) {
  state.citation = citation;
  state.opener = opener;
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
  setText("panel-doctype", kindLabel(citation));
  setText("panel-docid", citation.doc_id || "—");
  setText("panel-span", citation.start + "–" + citation.end);
  $("panel-notes").replaceChildren(...[notesList(citation)].filter(Boolean));
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
      if (state.citation !== citation) return;
      if (!citation.source_url && passage.source_url) renderLink(passage.source_url);
      if (!citation.date && passage.date) setText("panel-date", passage.date);
      renderPassage(citation, passage);
    },
    (err) => {
      if (state.citation !== citation) return;
      setText("panel-status", "Could not load the passage. " + (err && err.message ? err.message : ""));
      // Still show the verbatim quote, so the reviewer has the words.
      $("panel-passage").replaceChildren(el("mark", { text: citation.quote || "" }));
    }
  );
}

export function closePanel() {
  if (els.panel.hidden) return;
  els.panel.hidden = true;
  document.body.classList.remove("panel-open");
  syncModality();
  const opener = state.opener;
  if (opener) {
    opener.classList.remove("active");
    opener.removeAttribute("aria-expanded");
  }
  state.citation = null;
  state.opener = null;
  if (opener && opener.isConnected) opener.focus();
  else $("question").focus();
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
  const c = state.citation;
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

export function isOpen() {
  return !els.panel.hidden;
}

export function initPanel() {
  els.panel = $("source-panel");
  els.close = $("close-panel");
  els.backdrop = $("panel-backdrop");
  els.layout = document.querySelector(".layout");
  els.close.addEventListener("click", closePanel);
  els.backdrop.addEventListener("click", closePanel);
  $("copy-citation").addEventListener("click", copyCitation);
  document.addEventListener("keydown", (e) => {
    if (e.key === "Escape" && !els.panel.hidden) {
      e.preventDefault();
      closePanel();
    }
  });
  window.addEventListener("resize", syncModality);
}
