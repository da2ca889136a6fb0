/* One answer, rendered to read like one: the bottom line first, then the determination (for
 * licence questions), the answer's lines with numbered citation chips, and the sources grouped
 * by document with a badge for the kind of authority each is. Every string from the server goes
 * in as text (dom.js `el`), so a document whose text looks like markup shows as that text. */

import { el, oneLine } from "./dom.js";

const MARKER = /\[(\d{1,3}|S\d{1,3})\]/g; // [3] cites a passage, [S1] a screening hit
const HAS_MARKER = /\[\d{1,3}\]/;
const REFS = /\[(?:\d{1,3}|S\d{1,3})\]/g;

const AUTHORITY_LABEL = {
  regulation: "Regulation",
  federal_register: "Federal Register",
  guidance: "Guidance",
  news: "News",
};
// The server sends `authority`; an older server only sends `doc_type`.
const DOC_TYPE_AUTHORITY = {
  regulation: "regulation",
  federal_register: "federal_register",
  press_release: "guidance",
  guidance: "guidance",
  article: "news",
  news: "news",
};
const OUTCOME_LABEL = { yes: "Licence required", no: "No licence required", depends: "It depends" };

/** regulation | federal_register | guidance | news, or null when the server says neither. */
export function authorityOf(c) {
  if (c && AUTHORITY_LABEL[c.authority]) return c.authority;
  return (c && DOC_TYPE_AUTHORITY[c.doc_type]) || null;
}

/** News and republished material: context, not authority. */
export function isSecondary(c) {
  return Boolean(c && (c.secondary === true || authorityOf(c) === "news"));
}

/** "Federal Register", "News (secondary)"…: the kind of source in words. */
export function kindLabel(c) {
  const authority = authorityOf(c);
  const label = authority ? AUTHORITY_LABEL[authority] : (c.doc_type || "—").replace(/_/g, " ");
  return isSecondary(c) ? label + " (secondary)" : label;
}

function badges(c) {
  const authority = authorityOf(c);
  return [
    authority ? el("span", { className: "badge badge-" + authority, text: AUTHORITY_LABEL[authority] }) : null,
    isSecondary(c)
      ? el("span", { className: "badge badge-secondary", text: "secondary", title: "Context, not legal authority" })
      : null,
  ];
}

export function notesList(c) {
  const notes = Array.isArray(c.notes) ? c.notes.filter((n) => typeof n === "string" && n.trim()) : [];
  if (!notes.length) return null;
  return el(
    "ul",
    { className: "source-notes", "aria-label": "Legal-status notes" },
    notes.map((n) => el("li", { className: "source-note" }, [el("span", { className: "note-tag", text: "Note" }), " ", n]))
  );
}

/** Renders answers; `openPanel(citation, button)` opens the source panel. */
export function makeRenderer(openPanel) {
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

  /** Text with its [n] markers turned into chips, [S1] into screening tags (an n with no
   * citation stays as text) and **bold** (the only Markdown the answers use) into <strong>. */
  function withChips(text, byN) {
    const frag = document.createDocumentFragment();
    String(text)
      .split(/\*\*(?=\S)(.+?)(?<=\S)\*\*/)
      .forEach((part, i) => {
        if (!part) return;
        if (i % 2) {
          const strong = el("strong");
          strong.append(markers(part, byN));
          frag.append(strong);
        } else {
          frag.append(markers(part, byN));
        }
      });
    return frag;
  }

  function markers(source, byN) {
    const frag = document.createDocumentFragment();
    let last = 0;
    for (const m of source.matchAll(MARKER)) {
      let node = null;
      if (m[1].startsWith("S")) node = el("span", { className: "screening-ref", text: m[1] });
      else if (byN.has(Number(m[1]))) node = chip(byN.get(Number(m[1])));
      if (!node) continue;
      frag.append(document.createTextNode(source.slice(last, m.index)), node);
      last = m.index + m[0].length;
    }
    frag.append(document.createTextNode(source.slice(last)));
    return frag;
  }

  function chipsFor(numbers, byN) {
    return (Array.isArray(numbers) ? numbers : []).map((n) => byN.get(Number(n))).filter(Boolean).map(chip);
  }

  /** The determination block; `shown` holds lines (normal form) already shown as the lead. */
  function renderDetermination(det, byN, screening, shown) {
    const outcome = OUTCOME_LABEL[det.outcome] ? det.outcome : null;
    const head = el("p", { className: "determination-head" }, [
      el("span", { className: "determination-title", text: "Determination" }),
      outcome ? el("span", { className: "outcome outcome-" + outcome, text: OUTCOME_LABEL[outcome] }) : null,
      det.rule ? el("span", { className: "determination-rule" }, ["Rule applied: ", det.rule]) : null,
    ]);
    const lines = (Array.isArray(det.lines) ? det.lines : []).filter(
      (l) => l && (l.label || l.text) && !shown.has(normal(lineOf(l)))
    );
    const list = el(
      "ul",
      { className: "determination-lines" },
      lines.map((line) => {
        // Markers in the text become chips in place; otherwise the listed ones follow the text.
        const lineText = String(line.text || "");
        const refs = /\[S\d{1,3}\]/.test(lineText)
          ? []
          : (Array.isArray(line.screening) ? line.screening : []).map((ref) =>
              el("span", { className: "screening-ref", title: screeningName(screening, ref) }, [String(ref)])
            );
        const text = withChips(lineText, byN);
        const cited = HAS_MARKER.test(lineText) ? [] : chipsFor(line.citations, byN);
        return el("li", { className: "determination-line" }, [
          line.label ? el("span", { className: "line-label", text: line.label + ":" }) : null,
          line.label ? " " : null,
          text,
          ...[...cited, ...refs].flatMap((node) => [" ", node]),
        ]);
      })
    );
    const missing = (Array.isArray(det.missing_facts) ? det.missing_facts : []).filter(Boolean);
    return el("section", { className: "determination", "aria-label": "Determination" }, [
      head,
      lines.length ? list : null,
      missing.length ? el("p", { className: "missing-heading", text: "It turns on facts the question did not give:" }) : null,
      missing.length ? el("ul", { className: "missing-facts" }, missing.map((f) => el("li", { text: String(f) }))) : null,
      !lines.length && det.citations && det.citations.length
        ? el("p", { className: "determination-basis" }, ["Basis:", ...chipsFor(det.citations, byN).flatMap((c) => [" ", c])])
        : null,
    ]);
  }

  function screeningName(screening, ref) {
    const hits = screening && Array.isArray(screening.hits) ? screening.hits : [];
    const hit = hits.find((h) => h && h.ref === ref);
    return hit ? [hit.name, hit.source].filter(Boolean).join(" · ") : "";
  }

  /** Screening hits the answer refers to as [S1]…: who matched, on which list. */
  function renderScreening(screening) {
    const hits = screening && Array.isArray(screening.hits) ? screening.hits : [];
    if (!hits.length) return null;
    return el("section", { className: "screening", "aria-label": "Screening hits" }, [
      el("h3", { className: "sources-heading", text: "Screening" }),
      el(
        "ul",
        { className: "screening-hits" },
        hits.map((h) =>
          el("li", {}, [
            el("span", { className: "screening-ref", text: String(h.ref || "") }),
            " ",
            el("strong", { text: String(h.name || h.matched_name || "") }),
            h.source ? " · " + h.source : "",
            h.country ? " · " + h.country : "",
            h.license_requirement ? " · Licence requirement: " + h.license_requirement : "",
          ])
        )
      ),
      screening.list_version
        ? el("p", { className: "hint", text: "Consolidated Screening List of " + screening.list_version })
        : null,
    ]);
  }

  /** The answer text minus what the lead and the determination already show. */
  function renderBody(text, byN, skip, lead, unsupported) {
    const body = el("div", { className: "answer-body" });
    let list = null;
    for (const raw of text.split("\n")) {
      const line = raw.trimEnd();
      if (!line.trim()) {
        list = null;
        continue;
      }
      if (skip.has(normal(line))) continue;
      // a paragraph the lead already says (e.g. its first sentence)
      if (lead && !/^\s*[-*•]\s/.test(line) && normal(line).length > 20 && lead.includes(normal(line))) continue;
      const bullet = /^\s*[-*•]\s+/.exec(line);
      const content = bullet ? line.slice(bullet[0].length) : line;
      const node = el(bullet ? "li" : "p");
      // "- 15 CFR 744.11(a) (heading): sentence [1]": the label before the first ": " in bold
      const label = bullet ? /^([^:]{2,160}?):\s/.exec(content) : null;
      if (label && !HAS_MARKER.test(label[1])) {
        node.append(el("span", { className: "line-label", text: label[1] + ":" }), " ");
        node.append(withChips(content.slice(label[0].length), byN));
      } else {
        node.append(withChips(content, byN));
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
    return body.childNodes.length ? body : null;
  }

  /** Sources grouped by document, each document once, its cited passages under it. */
  function renderSources(citations) {
    const groups = new Map();
    for (const c of citations) {
      const key = c.doc_id || c.chunk_id || String(c.n);
      if (!groups.has(key)) groups.set(key, []);
      groups.get(key).push(c);
    }
    const list = el("ol", { className: "sources", "aria-label": "Sources" });
    for (const group of groups.values()) {
      const first = group[0];
      const title = first.title || first.doc_id || "Untitled document";
      const head = el("div", { className: "source-doc-head" }, [
        ...badges(first),
        el("span", { className: "source-doc-title", text: title }),
        first.date ? el("span", { className: "source-doc-date", text: first.date }) : null,
      ]);
      const passages = el(
        "ul",
        { className: "source-passages" },
        group.map((c) => {
          const open = el(
            "button",
            {
              type: "button",
              className: "source-open",
              dataset: { n: String(c.n) },
              "aria-haspopup": "dialog",
              "aria-controls": "source-panel",
            },
            [
              el("span", { className: "source-n", "aria-hidden": "true", text: String(c.n) }),
              el("span", { className: "source-citation", text: c.citation || c.doc_id || "passage" }),
            ]
          );
          open.addEventListener("click", () => openPanel(c, open));
          // The start of the quote tells apart passages with the same citation.
          const snippet = c.quote ? el("span", { className: "source-quote", text: "“" + oneLine(c.quote, 110) + "”" }) : null;
          return el("li", { className: "source-passage", dataset: { n: String(c.n) } }, [open, snippet, notesList(c)]);
        })
      );
      list.append(
        el("li", { className: "source-doc" + (isSecondary(first) ? " is-secondary" : ""), dataset: { doc: first.doc_id || "" } }, [
          head,
          passages,
        ])
      );
    }
    return list;
  }

  function renderNotFound(answerEl, text) {
    answerEl.classList.add("not-found");
    answerEl.append(
      el("p", { className: "not-found-title" }, [
        el("span", { className: "not-found-icon", "aria-hidden": "true", text: "∅" }),
        "Not found in the corpus",
      ]),
      el("p", { className: "not-found-text", text: text || "The corpus does not cover this question." }),
      el("p", {
        className: "not-found-hint",
        text: "No passage was relevant enough to quote. Rephrase the question or check the official sources directly.",
      })
    );
  }

  /** Fill `answerEl` with the rendered Answer `data`. */
  function renderAnswer(answerEl, data) {
    const citations = Array.isArray(data.citations) ? data.citations : [];
    const text = typeof data.answer === "string" ? data.answer : "";
    if (data.abstained) {
      renderNotFound(answerEl, text);
      return;
    }
    const byN = new Map(citations.map((c) => [Number(c.n), c]));
    const lead = typeof data.lead === "string" ? data.lead.trim() : "";
    const det = data.determination && typeof data.determination === "object" ? data.determination : null;

    const detLines = det && Array.isArray(det.lines) ? det.lines.filter(Boolean) : [];
    // What the determination block says, so the lead and the body do not say it again.
    const inBlock = new Set(detLines.map((l) => normal(lineOf(l))));
    if (det && det.rule) inBlock.add(normal("Rule applied: " + det.rule));
    // The lead: its first line, then any of its lines the determination block does not show.
    const leadLines = lead.split("\n").filter((l) => l.trim());
    const leadShown = leadLines.filter((l, i) => i === 0 || !inBlock.has(normal(l)));
    if (leadShown.length) {
      answerEl.append(
        el(
          "p",
          { className: "answer-lead" },
          leadShown.flatMap((l, i) => (i ? [el("br"), withChips(l, byN)] : [withChips(l, byN)]))
        )
      );
    }
    if (data.partial) {
      answerEl.append(
        el("p", {
          className: "partial-note",
          text:
            data.partial_note ||
            "The closest provisions are quoted below; they may not settle the question on their own.",
        })
      );
    }
    if (det) answerEl.append(renderDetermination(det, byN, data.screening, new Set(leadLines.slice(0, 1).map(normal))));

    const skip = new Set([...inBlock, ...leadLines.map(normal)]);
    const unsupported = new Set(
      (Array.isArray(data.claims) ? data.claims : [])
        .filter((c) => c && c.supported === false && c.text)
        .map((c) => c.text)
    );
    const body = renderBody(text, byN, skip, normal(lead), unsupported);
    if (body) {
      // Without a lead from the server, an opening sentence (not an intro such as "From the
      // corpus:") is the answer's bottom line.
      const opening = body.firstChild;
      if (!lead && opening && opening.tagName === "P" && !/:\s*$/.test(opening.textContent)) {
        opening.classList.add("answer-lead");
      }
      answerEl.append(body);
    }
    const screening = renderScreening(data.screening);
    if (screening) answerEl.append(screening);
    if (citations.length) {
      answerEl.append(el("h3", { className: "sources-heading", text: "Sources" }), renderSources(citations));
    }
    const total = Object.values(data.timings_ms || {}).reduce((sum, v) => sum + (typeof v === "number" ? v : 0), 0);
    if (total > 0) answerEl.append(el("p", { className: "answer-meta", text: "Answered in " + Math.round(total) + " ms" }));
  }

  return { renderAnswer };
}

/** A determination line as the answer text writes it: "Label: text". */
function lineOf(line) {
  return (line.label ? line.label + ": " : "") + (line.text || "");
}

/** A line compared by its letters and digits only (no markers, bullet, punctuation or case), to
 * spot a line that repeats the lead or a determination line. */
function normal(line) {
  return String(line)
    .replace(REFS, "")
    .replace(/^\s*[-*•]\s+/, "")
    .toLowerCase()
    .replace(/[^\p{L}\p{N}]+/gu, "");
}
