/* The chat page: plain JS modules, no build step, no dependencies.
 *
 * Talks to the API of the same origin (api.js):
 *   POST v1/chat (Server-Sent Events: `delta`, then `answer` or `error`)
 *   GET  v1/passages/{chunk_id}?context=600
 * with `Authorization: Bearer <key>` when the user gave an API key (kept in sessionStorage).
 * This module wires the page: asking, errors with Retry, the API-key control, and the
 * conversations of this tab (history.js) that a reload shows again.
 * Document and answer text is only ever inserted as text (dom.js), never as markup.
 */

import { getKey, postChat, setKey } from "./api.js";
import { makeRenderer } from "./answer.js";
import { $, el, oneLine } from "./dom.js";
import { asPageError, fromResponse, fromStreamError, PageError } from "./errors.js";
import { conversations } from "./history.js";
import { closePanel, initPanel, openPanel } from "./panel.js";
import { readEvents } from "./sse.js";

const { renderAnswer } = makeRenderer(openPanel);

const state = {
  serverId: null, // the server's conversation id: follow-ups continue it
  busy: false,
};
const els = {};
let emptyTemplate = null;

// ---- scrolling -------------------------------------------------------------------------

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

/** After an answer: its end if the whole exchange fits, otherwise its beginning (below the
 * sticky header). */
function revealExchange(exchange) {
  scrollToBottom();
  const header = document.querySelector(".site-header").getBoundingClientRect().bottom;
  const top = exchange.getBoundingClientRect().top;
  if (top < header) window.scrollBy(0, top - header - 8);
}

// ---- the conversations of this tab ------------------------------------------------------

function when(ms) {
  try {
    return new Date(ms).toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" });
  } catch (_) {
    return "";
  }
}

/** Fill a list with the tab's earlier conversations, each a button that reopens it. */
function fillConversationList(list) {
  const earlier = conversations.earlier();
  list.replaceChildren(
    ...earlier.map((c) => {
      const n = c.turns.length;
      return el("li", {}, [
        el("button", { type: "button", className: "conversation-open", dataset: { id: c.id } }, [
          el("span", { className: "conversation-title", text: oneLine(c.title, 90) }),
          el("span", {
            className: "conversation-meta",
            text: n + (n === 1 ? " question" : " questions") + (c.updated ? " · " + when(c.updated) : ""),
          }),
        ]),
      ]);
    })
  );
  return earlier.length;
}

/** The header's "Earlier" control and the empty state's list, after any change. */
function refreshHistory() {
  const count = fillConversationList($("history-list"));
  const toggle = $("history-toggle");
  toggle.hidden = count === 0;
  $("history-count").textContent = count ? "(" + count + ")" : "";
  if (!count) hideHistory();
  const earlier = document.querySelector("#empty-state .earlier");
  if (earlier) earlier.hidden = fillConversationList(earlier.querySelector("ul")) === 0;
}

function hideHistory() {
  $("history").hidden = true;
  $("history-toggle").setAttribute("aria-expanded", "false");
}

function toggleHistory() {
  const nav = $("history");
  nav.hidden = !nav.hidden;
  $("history-toggle").setAttribute("aria-expanded", String(!nav.hidden));
  if (!nav.hidden) {
    hideKeyForm();
    const first = nav.querySelector("button");
    if (first) first.focus();
  }
}

function showEmptyState() {
  els.messages.replaceChildren(emptyTemplate.cloneNode(true));
}

/** Show a stored conversation: its questions and answers as they were. */
function showConversation(conv) {
  els.messages.replaceChildren();
  for (const turn of conv.turns) {
    const exchange = addQuestion(turn.question);
    const answer = answerShell(exchange);
    renderAnswer(answer, turn.answer || {});
    answer.setAttribute("aria-busy", "false");
  }
  state.serverId = conv.serverId || null;
}

function openConversation(id) {
  if (state.busy) return;
  const conv = conversations.select(id);
  if (!conv) return;
  closePanel();
  hideHistory();
  showConversation(conv);
  refreshHistory();
  scrollToBottom();
  els.question.focus();
}

function newConversation() {
  if (state.busy) return;
  closePanel();
  hideHistory();
  conversations.startNew();
  state.serverId = null;
  showEmptyState();
  refreshHistory();
  els.question.focus();
}

// ---- the API key -----------------------------------------------------------------------

function syncKeyToggle() {
  const toggle = $("key-toggle");
  const has = Boolean(getKey());
  toggle.textContent = has ? "API key ✓" : "API key";
  toggle.setAttribute("aria-label", has ? "API key (set)" : "API key");
  $("key-forget").hidden = !has;
}

function showKeyForm() {
  hideHistory();
  $("key-form").hidden = false;
  $("key-toggle").setAttribute("aria-expanded", "true");
  $("api-key").focus();
}

function hideKeyForm() {
  $("key-form").hidden = true;
  $("key-toggle").setAttribute("aria-expanded", "false");
}

function toggleKeyForm() {
  if ($("key-form").hidden) showKeyForm();
  else hideKeyForm();
}

/** After a key change: back to the failed question's Retry if there is one, else the box. */
function focusAfterKey() {
  const retry = els.messages.querySelector(".exchange.failed .retry");
  (retry || els.question).focus();
}

function saveKey(e) {
  e.preventDefault();
  const key = $("api-key").value.trim();
  setKey(key);
  $("api-key").value = "";
  hideKeyForm();
  syncKeyToggle();
  $("key-status").textContent = key ? "Key saved for this tab." : "Key removed.";
  focusAfterKey();
}

function forgetKey() {
  setKey("");
  hideKeyForm();
  syncKeyToggle();
  $("key-status").textContent = "Key removed.";
  focusAfterKey();
}

// ---- asking ----------------------------------------------------------------------------

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

function answerShell(exchange) {
  const answer = el("article", { className: "message answer", "aria-label": "Answer" });
  exchange.append(answer);
  return answer;
}

/** Send the question; stream its text, then render the answer (or a readable error). */
async function ask(question) {
  state.busy = true;
  els.send.disabled = true;
  els.send.textContent = "Answering…";
  const exchange = addQuestion(question);
  const answer = answerShell(exchange);
  answer.classList.add("pending");
  answer.setAttribute("aria-busy", "true");
  const status = el("p", { className: "answer-status", text: "Searching the corpus…" });
  const stream = el("p", { className: "answer-stream" });
  answer.append(status, stream);
  scrollToBottom();

  let final = null;
  let failure = null;
  const hadKey = Boolean(getKey());
  try {
    const response = await postChat(question, state.serverId);
    if (!response.ok) throw await fromResponse(response, { hadKey });
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
          failure = fromStreamError(data && data.detail);
        }
      });
    }
    if (!final && !failure) failure = new PageError("The answer was cut off before it was complete. Retry.", "later");
  } catch (err) {
    failure = asPageError(err);
  }

  answer.replaceChildren();
  answer.classList.remove("pending");
  if (failure) {
    showFailure(exchange, answer, question, failure);
  } else {
    if (final.conversation_id) state.serverId = final.conversation_id;
    renderAnswer(answer, final);
    conversations.addTurn(question, final);
    refreshHistory();
  }
  answer.setAttribute("aria-busy", "false");
  state.busy = false;
  els.send.disabled = false;
  els.send.textContent = "Send";
  revealExchange(exchange);
  if (failure && failure.kind === "auth") showKeyForm();
}

/** The error in words, a Retry button, and the question back in the box to edit or resend. */
function showFailure(exchange, answer, question, failure) {
  exchange.classList.add("failed");
  exchange.dataset.question = question;
  answer.classList.add("error");
  const retry = el("button", { type: "button", className: "retry", text: "Retry" });
  retry.addEventListener("click", () => {
    if (state.busy) return;
    const typed = els.question.value.trim();
    exchange.remove();
    submit(typed || question);
  });
  answer.append(el("p", { className: "error-line", text: failure.message }), retry);
  if (!els.question.value.trim()) {
    els.question.value = question;
    autoGrow();
  }
}

function submit(question) {
  if (state.busy) return;
  const text = (question || els.question.value).trim();
  if (!text) {
    els.question.focus();
    return;
  }
  // The question of a failed exchange is back in the box: sending again replaces that exchange.
  els.messages.querySelectorAll(".exchange.failed").forEach((x) => x.remove());
  els.question.value = "";
  autoGrow();
  hideHistory();
  ask(text);
}

function autoGrow() {
  const q = els.question;
  q.style.height = "auto";
  q.style.height = Math.min(q.scrollHeight + 2, 200) + "px";
}

// ---- wiring ----------------------------------------------------------------------------

function init() {
  els.messages = $("messages");
  els.question = $("question");
  els.send = $("send");
  emptyTemplate = $("empty-state").cloneNode(true);
  initPanel();

  $("ask-form").addEventListener("submit", (e) => {
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
  $("new-conversation").addEventListener("click", newConversation);
  $("history-toggle").addEventListener("click", toggleHistory);
  $("key-toggle").addEventListener("click", toggleKeyForm);
  $("key-form").addEventListener("submit", saveKey);
  $("key-forget").addEventListener("click", forgetKey);
  // Example questions and earlier conversations, in the empty state and the header list.
  document.addEventListener("click", (e) => {
    const target = e.target instanceof Element ? e.target : null;
    const example = target && target.closest(".example-question");
    if (example) {
      submit(example.textContent);
      return;
    }
    const earlier = target && target.closest(".conversation-open");
    if (earlier) openConversation(earlier.dataset.id);
  });
  document.addEventListener("keydown", (e) => {
    if (e.key !== "Escape" || e.defaultPrevented) return; // the source panel closes first
    if (!$("history").hidden) {
      hideHistory();
      $("history-toggle").focus();
    } else if (!$("key-form").hidden) {
      hideKeyForm();
      $("key-toggle").focus();
    }
  });

  syncKeyToggle();
  const conv = conversations.current();
  if (conv && conv.turns.length) {
    showConversation(conv);
    scrollToBottom();
  }
  refreshHistory();
  els.question.focus();
}

if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
else init();
