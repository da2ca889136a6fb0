"""Dependencies shared by the routers: settings and the store, created once per app."""

from __future__ import annotations

from fastapi import Request

from assistant.config import Settings
from assistant.store import Store


def get_app_settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


def get_store(request: Request) -> Store:
    store: Store = request.app.state.store
    return store
