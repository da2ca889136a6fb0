/* Server-Sent Events over fetch (EventSource cannot POST or send an Authorization header). */

/** Parse one SSE frame ("event: x\ndata: ...") into {event, data} or null. */
export function parseFrame(frame) {
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
export async function readEvents(response, onEvent) {
  const reader = response.body.getReader();
  const decoder = new TextDecoder();
  let buffer = "";
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
