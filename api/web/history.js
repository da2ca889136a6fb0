/* The conversations of this browser tab, kept in sessionStorage so that a reload shows them
 * again: each is its questions with their answers (the Answer JSON as the server sent it) and the
 * server's conversation id, so follow-ups after a reload still continue it. sessionStorage is per
 * tab and is cleared when the tab closes; nothing leaves the browser. */

const STORE = "tpa-conversations-v1";
const MAX_CONVERSATIONS = 20;
const MAX_TURNS = 40;

function empty() {
  return { current: null, conversations: [] };
}

function read() {
  try {
    const raw = sessionStorage.getItem(STORE);
    const data = raw ? JSON.parse(raw) : null;
    if (data && Array.isArray(data.conversations)) return data;
  } catch (_) {
    /* unreadable or storage off: start afresh */
  }
  return empty();
}

/** Write, dropping the oldest conversations (then the oldest turns) when the tab's quota is full. */
function write(data) {
  for (;;) {
    try {
      sessionStorage.setItem(STORE, JSON.stringify(data));
      return;
    } catch (_) {
      const others = data.conversations.filter((c) => c.id !== data.current);
      if (others.length) {
        const oldest = others.reduce((a, b) => (a.updated <= b.updated ? a : b));
        data.conversations = data.conversations.filter((c) => c !== oldest);
        continue;
      }
      const mine = data.conversations.find((c) => c.id === data.current);
      if (mine && mine.turns.length > 1) {
        mine.turns.shift();
        continue;
      }
      return; // storage off or a single answer too big: the page works, a reload forgets
    }
  }
}

function newId() {
  return "c" + Date.now().toString(36) + Math.random().toString(36).slice(2, 8);
}

export const conversations = {
  /** The conversation on screen, or null before its first answer. */
  current() {
    const data = read();
    return data.conversations.find((c) => c.id === data.current) || null;
  },

  /** Earlier conversations of this tab (not the one on screen), newest first. */
  earlier() {
    const data = read();
    return data.conversations
      .filter((c) => c.id !== data.current && c.turns.length)
      .sort((a, b) => b.updated - a.updated);
  },

  /** Start a new conversation: the next answer opens it. */
  startNew() {
    const data = read();
    data.current = null;
    write(data);
  },

  /** Make an earlier conversation the current one; returns it (or null if it is gone). */
  select(id) {
    const data = read();
    const found = data.conversations.find((c) => c.id === id);
    if (!found) return null;
    data.current = id;
    write(data);
    return found;
  },

  /** Record an answered question in the current conversation (opening one if needed). */
  addTurn(question, answer) {
    const data = read();
    let conv = data.conversations.find((c) => c.id === data.current);
    if (!conv) {
      conv = { id: newId(), title: question, serverId: null, updated: 0, turns: [] };
      data.conversations.push(conv);
      data.current = conv.id;
    }
    if (answer && answer.conversation_id) conv.serverId = answer.conversation_id;
    conv.turns.push({ question, answer });
    if (conv.turns.length > MAX_TURNS) conv.turns.splice(0, conv.turns.length - MAX_TURNS);
    conv.updated = Date.now();
    while (data.conversations.length > MAX_CONVERSATIONS) {
      const others = data.conversations.filter((c) => c !== conv);
      const oldest = others.reduce((a, b) => (a.updated <= b.updated ? a : b));
      data.conversations = data.conversations.filter((c) => c !== oldest);
    }
    write(data);
    return conv;
  },
};
