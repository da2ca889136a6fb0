/* Building DOM nodes from data. Text from the server (answers, titles, quotes, notes) only ever
 * becomes text nodes or attribute values here, never markup: document text is data. */

export const $ = (id) => document.getElementById(id);

/** An element with properties (`text` sets textContent) and children (strings become text). */
export function el(tag, props, children) {
  const node = document.createElement(tag);
  if (props) {
    for (const [key, value] of Object.entries(props)) {
      if (value === undefined || value === null || value === false) continue;
      if (key === "text") node.textContent = value;
      else if (key === "className") node.className = value;
      else if (key === "dataset") Object.assign(node.dataset, value);
      else node.setAttribute(key, value === true ? "" : value);
    }
  }
  for (const child of children || []) {
    if (child === null || child === undefined || child === false) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

/** One short line: whitespace collapsed, cut at `max` characters with an ellipsis. */
export function oneLine(text, max) {
  const line = String(text || "").replace(/\s+/g, " ").trim();
  const limit = max || 240;
  return line.length > limit ? line.slice(0, limit - 1) + "…" : line;
}
