"""The two ways the bot reaches Slack: POST /slack/events on the API app, or Socket Mode.

`mount_slack()` adds the endpoint (events, the slash command and button clicks all arrive there,
signed; the signature is checked on the raw bytes before bolt sees the request, `signature.py`),
answering with the app's own Assistant. `run_socket_mode()` connects out to Slack instead, for
hosts without a public URL.
"""

from __future__ import annotations

import logging

from fastapi import FastAPI, Request, Response
from fastapi.responses import JSONResponse
from slack_bolt.adapter.starlette.handler import to_bolt_request, to_starlette_response
from slack_sdk import WebClient
from starlette.concurrency import run_in_threadpool

from api.deps import app_assistant
from api.slack.bot import SlackBot
from api.slack.signature import request_signed
from assistant.answering.service import Assistant
from assistant.config import Settings

log = logging.getLogger(__name__)


def mount_slack(app: FastAPI, settings: Settings) -> None:
    """POST /slack/events on the API app, answering with the app's own Assistant."""
    bot = SlackBot(settings, lambda: app_assistant(app))
    app.state.slack_bot = bot

    secret = settings.slack_signing_secret
    key = secret.get_secret_value() if secret else ""

    @app.post("/slack/events", include_in_schema=False)
    async def slack_events(request: Request) -> Response:
        body = await request.body()
        timestamps = request.headers.getlist("x-slack-request-timestamp")
        signatures = request.headers.getlist("x-slack-signature")
        if not request_signed(key, timestamps, signatures, body):
            return JSONResponse({"error": "invalid request"}, status_code=401)
        try:
            body.decode("utf-8")
        except UnicodeDecodeError:  # signed, so Slack's; it never sends this
            return JSONResponse({"error": "request body is not UTF-8"}, status_code=400)
        # dispatch() verifies the signature, may call auth.test and waits for ack(): a thread.
        bolt_response = await run_in_threadpool(bot.app.dispatch, to_bolt_request(request, body))
        return to_starlette_response(bolt_response)

    log.info("Slack bot on: POST /slack/events")


def run_socket_mode(settings: Settings) -> None:
    """Connect to Slack over Socket Mode and answer until interrupted (no public URL needed)."""
    if settings.slack_app_token is None:
        raise ValueError("TPA_SLACK_APP_TOKEN (xapp-...) is not set; Socket Mode needs it")
    if settings.slack_bot_token is None:
        raise ValueError("TPA_SLACK_BOT_TOKEN (xoxb-...) is not set")
    from slack_bolt.adapter.socket_mode import SocketModeHandler

    shared = Assistant(settings)
    bot = SlackBot(settings, lambda: shared, socket_mode=True)
    log.info("Slack bot on: Socket Mode")
    SocketModeHandler(
        bot.app,
        settings.slack_app_token.get_secret_value(),
        web_client=WebClient(base_url=settings.slack_api_url),
    ).start()
