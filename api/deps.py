"""Dependencies shared by the routers: settings and the assistant (with its store), built once."""

from __future__ import annotations

import threading

from fastapi import FastAPI, Request

from assistant.answering.service import Assistant
from assistant.config import Settings

_lock = threading.Lock()


def get_app_settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


def app_assistant(app: FastAPI) -> Assistant:
    """The app's Assistant; built on first use if the store was down at start-up.

    Raises StoreUnavailable (mapped to 503) while the store cannot be reached."""
    state = app.state
    if state.assistant is None:
        with _lock:
            if state.assistant is None:
                state.assistant = Assistant(state.settings)
    assistant: Assistant = state.assistant
    return assistant


def get_assistant(request: Request) -> Assistant:
    return app_assistant(request.app)
