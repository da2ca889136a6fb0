"""The LLM answerer's configuration and its LangChain chat model.

The default answerer is extractive and needs no model (see ARCHITECTURE.md). When one is configured
(`TPA_LLM=openai` with any OpenAI-compatible `base_url`, or `TPA_LLM=ollama`), this module reads
what the model needs from Settings and builds it. Nothing here touches the network until a model
is invoked, so surfaces can build the model at start-up and tests can run without any server.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from langchain_core.language_models.chat_models import BaseChatModel

from assistant.answering.llm.check import UNSUPPORTED_MODES

if TYPE_CHECKING:
    from assistant.config import Settings

PROVIDERS = ("none", "openai", "ollama")
DEFAULT_OLLAMA_URL = "http://127.0.0.1:11434"


@dataclass(frozen=True)
class LLMConfig:
    """What the LLM answerer needs from Settings, kept apart so the answerer is testable alone.

    `unsupported` decides what happens to a sentence that cites no given passage: "flag" keeps it
    marked `supported=False` (reviewers see what the model said), "drop" removes it.
    """

    provider: str = "none"
    base_url: str | None = None
    model: str = "gpt-4o-mini"
    api_key: str | None = field(default=None, repr=False)  # never in logs or reprs
    temperature: float = 0.0
    timeout: float = 60.0
    unsupported: str = "flag"

    def __post_init__(self) -> None:
        # Fail when the configuration is read, not on the first question.
        if self.unsupported not in UNSUPPORTED_MODES:
            raise ValueError(
                f"unsupported={self.unsupported!r}: expected one of {', '.join(UNSUPPORTED_MODES)}"
            )

    @classmethod
    def from_settings(cls, settings: Settings) -> LLMConfig:
        api_key = settings.llm_api_key.get_secret_value() if settings.llm_api_key else None
        return cls(
            provider=settings.llm,
            base_url=settings.llm_base_url,
            model=settings.llm_model,
            api_key=api_key,
            temperature=settings.llm_temperature,
            timeout=settings.llm_timeout,
            unsupported=settings.llm_unsupported,
        )


def make_chat_model(cfg: LLMConfig) -> BaseChatModel | None:
    """The configured chat model, or None for the default extractive answerer.

    Construction never reaches the network (no model validation, no listing), so a server that
    is down shows up as an error on the first question rather than at start-up.
    """
    provider = cfg.provider.strip().lower()
    if provider in ("", "none"):
        return None
    if provider == "openai":
        from langchain_openai import ChatOpenAI
        from pydantic import SecretStr

        # Local OpenAI-compatible servers (vLLM, llama.cpp, Ollama's /v1) accept any key, but
        # the client refuses to start without one, so a placeholder is sent.
        return ChatOpenAI(
            model=cfg.model,
            base_url=cfg.base_url,
            api_key=SecretStr(cfg.api_key or "not-needed"),
            temperature=cfg.temperature,
            timeout=cfg.timeout,
            max_retries=1,
        )
    if provider == "ollama":
        from langchain_ollama import ChatOllama

        client_kwargs: dict[str, Any] = {"timeout": cfg.timeout}
        if cfg.api_key:  # an Ollama behind an authenticating proxy
            client_kwargs["headers"] = {"Authorization": f"Bearer {cfg.api_key}"}
        return ChatOllama(
            model=cfg.model,
            base_url=cfg.base_url or DEFAULT_OLLAMA_URL,
            temperature=cfg.temperature,
            client_kwargs=client_kwargs,
        )
    raise ValueError(
        f"unknown LLM provider {cfg.provider!r} (TPA_LLM): expected one of {', '.join(PROVIDERS)}"
    )


def content_text(content: Any) -> str:
    """Text of a message's content, which LangChain gives as a string or a list of blocks."""
    if isinstance(content, str):
        return content
    parts: list[str] = []
    for block in content or []:
        if isinstance(block, str):
            parts.append(block)
        elif isinstance(block, dict) and block.get("type") == "text":
            parts.append(str(block.get("text", "")))
    return "".join(parts)
