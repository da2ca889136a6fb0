"""The OpenAI-compatible surface: chat completions and the model list, as OpenAI clients and chat
UIs (Open WebUI, LibreChat, LangChain `ChatOpenAI`) expect them.

The route lives in `api/routes/openai.py`; the parts it puts together live here, one job each:
`errors` (OpenAI's error shape), `request` (messages → question and history), `tasks` (chat
UIs' background requests: titles, tags, follow-ups), `markdown` (the answer as Markdown),
`tokens` (usage and `max_tokens`), `completion` (the completion object and its SSE chunks).
"""
