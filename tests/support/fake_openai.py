"""A real local HTTP server that speaks enough of the OpenAI API to test the LLM answerer.

It runs `http.server` in a thread on a free 127.0.0.1 port, so requests go through the real
`openai` client and LangChain's ChatOpenAI, over real sockets, exactly as against vLLM or a hosted
API. Replies are scripted by the test (a queue of texts, or a function of the request) and every
request is recorded, so tests can inspect the prompt the model would have seen.

Endpoints: POST /v1/chat/completions (JSON, or server-sent events when `"stream": true`) and
GET /v1/models.
"""

from __future__ import annotations

import json
import re
import threading
import time
from collections import deque
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

Reply = Callable[[dict[str, Any]], str]


@dataclass
class RecordedRequest:
    method: str
    path: str
    headers: dict[str, str]
    body: dict[str, Any] = field(default_factory=dict)


def stream_pieces(text: str, words_per_piece: int = 2) -> list[str]:
    """Cut a reply into small deltas, the way a model streams tokens; joined, they are `text`."""
    tokens = re.findall(r"\s*\S+", text) or [text]
    pieces = [
        "".join(tokens[i : i + words_per_piece]) for i in range(0, len(tokens), words_per_piece)
    ]
    trailing = text[len("".join(tokens)) :]
    if trailing:
        pieces.append(trailing)
    return pieces


class FakeOpenAI:
    """Scripted OpenAI-compatible chat server. Use as a context manager; `url` has no /v1."""

    def __init__(self, replies: Reply | list[str] | None = None, model: str = "fake") -> None:
        self.model = model
        self.requests: list[RecordedRequest] = []
        self._queue: deque[str] = deque()
        self._reply_fn: Reply | None = None
        self._lock = threading.Lock()
        if callable(replies):
            self._reply_fn = replies
        elif replies:
            self._queue.extend(replies)
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    # -- scripting -------------------------------------------------------------------------

    def push(self, *texts: str) -> None:
        """Queue replies, one per chat-completion request, in order."""
        with self._lock:
            self._queue.extend(texts)

    def reset(self) -> None:
        """Forget queued replies, the reply function and recorded requests (between tests)."""
        with self._lock:
            self._queue.clear()
            self.requests.clear()
        self._reply_fn = None

    def respond_with(self, fn: Reply | None) -> None:
        """Compute each reply from the request body (used when the queue is empty)."""
        self._reply_fn = fn

    def next_reply(self, body: dict[str, Any]) -> str | None:
        with self._lock:
            if self._queue:
                return self._queue.popleft()
        return self._reply_fn(body) if self._reply_fn else None

    @property
    def chat_requests(self) -> list[dict[str, Any]]:
        """Bodies of the chat-completion requests received so far."""
        with self._lock:
            return [r.body for r in self.requests if r.path.endswith("/chat/completions")]

    # -- lifecycle -------------------------------------------------------------------------

    @property
    def url(self) -> str:
        assert self._server is not None, "the server is not running"
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}"

    def start(self) -> FakeOpenAI:
        handler = type("Handler", (_Handler,), {"fake": self})
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), handler)  # port 0: a free port
        self._server.daemon_threads = True
        self._thread = threading.Thread(
            target=self._server.serve_forever, name="fake-openai", daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None

    def __enter__(self) -> FakeOpenAI:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


class _Handler(BaseHTTPRequestHandler):
    fake: FakeOpenAI
    server_version = "FakeOpenAI/1.0"

    def log_message(self, format: str, *args: Any) -> None:
        pass  # keep test output clean

    # -- helpers ---------------------------------------------------------------------------

    def _record(self, body: dict[str, Any]) -> None:
        request = RecordedRequest(self.command, self.path, dict(self.headers.items()), body)
        with self.fake._lock:
            self.fake.requests.append(request)

    def _json(self, status: int, payload: dict[str, Any]) -> None:
        data = json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def _error(self, status: int, message: str) -> None:
        self._json(status, {"error": {"message": message, "type": "fake_error", "code": None}})

    # -- endpoints -------------------------------------------------------------------------

    def do_GET(self) -> None:
        self._record({})
        if self.path.rstrip("/") == "/v1/models":
            model = {"id": self.fake.model, "object": "model", "created": 0, "owned_by": "fake"}
            self._json(200, {"object": "list", "data": [model]})
        else:
            self._error(404, f"no route {self.path}")

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        try:
            body = json.loads(self.rfile.read(length) or b"{}")
        except json.JSONDecodeError:
            self._record({})
            self._error(400, "request body is not JSON")
            return
        self._record(body)
        if self.path.rstrip("/") != "/v1/chat/completions":
            self._error(404, f"no route {self.path}")
            return
        reply = self.fake.next_reply(body)
        if reply is None:
            self._error(500, "no scripted reply left for this request")
            return
        if body.get("stream"):
            self._stream(body, reply)
        else:
            self._json(200, _completion(body, reply))

    def _stream(self, body: dict[str, Any], reply: str) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.send_header("Cache-Control", "no-cache")
        self.end_headers()  # HTTP/1.0: the stream ends when the connection closes
        for chunk in _chunks(body, reply):
            self.wfile.write(f"data: {json.dumps(chunk)}\n\n".encode())
            self.wfile.flush()
        self.wfile.write(b"data: [DONE]\n\n")
        self.wfile.flush()


def _usage(body: dict[str, Any], reply: str) -> dict[str, int]:
    prompt = sum(len(str(m.get("content", "")).split()) for m in body.get("messages", []))
    completion = len(reply.split())
    return {
        "prompt_tokens": prompt,
        "completion_tokens": completion,
        "total_tokens": prompt + completion,
    }


def _completion(body: dict[str, Any], reply: str) -> dict[str, Any]:
    return {
        "id": f"chatcmpl-fake-{time.monotonic_ns()}",
        "object": "chat.completion",
        "created": int(time.time()),
        "model": body.get("model", "fake"),
        "choices": [
            {
                "index": 0,
                "message": {"role": "assistant", "content": reply},
                "finish_reason": "stop",
            }
        ],
        "usage": _usage(body, reply),
    }


def _chunks(body: dict[str, Any], reply: str) -> Iterator[dict[str, Any]]:
    base = {
        "id": f"chatcmpl-fake-{time.monotonic_ns()}",
        "object": "chat.completion.chunk",
        "created": int(time.time()),
        "model": body.get("model", "fake"),
    }

    def chunk(delta: dict[str, Any], finish: str | None = None) -> dict[str, Any]:
        return {**base, "choices": [{"index": 0, "delta": delta, "finish_reason": finish}]}

    yield chunk({"role": "assistant", "content": ""})
    for piece in stream_pieces(reply):
        yield chunk({"content": piece})
    yield chunk({}, "stop")
    if (body.get("stream_options") or {}).get("include_usage"):
        yield {**base, "choices": [], "usage": _usage(body, reply)}
