"""The one place configuration is read: environment variables prefixed `TPA_` (or a `.env` file).

Every other module receives a `Settings` (usually via `get_settings()`), so tests override
settings instead of patching the environment module by module.
"""

from __future__ import annotations

import os
from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

_REPO_ROOT = Path(__file__).resolve().parents[1]


def _default_mirror() -> Path | None:
    """The read-only offline mirror that sits beside a checkout, when there is one."""
    for candidate in (
        Path.cwd() / ".." / "shared" / "corpus",
        _REPO_ROOT / ".." / "shared" / "corpus",
    ):
        if candidate.is_dir():
            return candidate.resolve()
    return None


def _default_model_cache() -> Path:
    """A user-level cache, not the data dir: one export serves every store on the machine."""
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "tpa"


def _default_sources() -> Path:
    for candidate in (
        Path.cwd() / "corpus" / "sources.toml",
        _REPO_ROOT / "corpus" / "sources.toml",
    ):
        if candidate.is_file():
            return candidate.resolve()
    return (_REPO_ROOT / "corpus" / "sources.toml").resolve()


class ApiKey(BaseModel):
    """One caller: a name for the audit trail and the access groups it may read."""

    name: str = Field(min_length=1)
    groups: list[str] = Field(default=["public"], min_length=1)


class Settings(BaseSettings):
    """All settings; see the README's configuration table for what each one changes."""

    model_config = SettingsConfigDict(env_prefix="TPA_", env_file=".env", extra="ignore")

    data_dir: Path = Field(
        Path("data"), description="Where synced files, Chroma data and indexes live."
    )
    sources_file: Path = Field(
        default_factory=_default_sources, description="The default corpus list."
    )
    corpus_mirror: Path | None = Field(
        default_factory=_default_mirror,
        description="Offline mirror of the official sources (default ../shared/corpus if present).",
    )
    offline: bool = Field(False, description="Never try the official URLs; copy from the mirror.")
    sync_timeout: float = Field(10.0, gt=0, description="Seconds per HTTP attempt during sync.")
    sync_retries: int = Field(2, ge=0, description="Extra attempts per source after a failure.")
    ecfr_url: str = Field(
        "https://www.ecfr.gov",
        description="Base URL of the eCFR API (the EAR's text); tests and mirrors point elsewhere.",
    )
    federal_register_url: str = Field(
        "https://www.federalregister.gov",
        description="Base URL of the Federal Register API (BIS rules and notices).",
    )
    ecfr_parts: str | None = Field(
        None,
        description='Sync only these EAR parts, e.g. "744" or "734,740-744" (default: the '
        "catalogue's scope, parts 730-774).",
    )
    federal_register_since: date | None = Field(
        None,
        description="Sync Federal Register documents published from this date (YYYY-MM-DD; "
        "default: the catalogue's, 2019-01-01).",
    )

    chroma_host: str | None = Field(
        None, description="Use a Chroma server instead of the embedded store."
    )
    chroma_port: int = Field(8000, description="Port of the Chroma server.")
    chroma_ssl: bool = Field(False, description="Talk HTTPS to the Chroma server.")
    collection: str = Field("chunks", description="Name of the Chroma collection holding chunks.")
    dense_exact_max_chunks: int = Field(
        50_000,
        ge=0,
        description="Up to this many chunks each replica holds every vector and finds dense "
        "candidates by an exact scan; above it, from Chroma's index (no vectors held).",
    )

    ingest_exclude: list[str] = Field(
        default=["README*", "MANIFEST*", "LICENSE*", "CHANGELOG*"],
        description="File-name patterns skipped when a folder is ingested (JSON list).",
    )
    embed_batch_size: int = Field(64, ge=1, le=1024, description="Chunks embedded per model call.")
    chunk_max_tokens: int = Field(
        256, ge=32, le=256, description="Hard cap per chunk (with its prefix), in model tokens."
    )
    chunk_target_tokens: int = Field(
        230, ge=16, le=256, description="Small paragraphs are packed together up to this size."
    )

    # The abstention thresholds, defined here only. Calibrated by 5-fold cross-validation on
    # shared/eval/dev.jsonl and bench/questions/practitioner.jsonl together (README,
    # "Abstention"): below min_relevance nothing in the corpus is close enough unless the
    # passages hold the question's words (assistant/answering/abstention.py); below
    # min_relevance_unknown_name it is not close enough either when the question names something
    # (a company, a law, an agency) the corpus never mentions.
    min_relevance: float = Field(
        0.48,
        ge=0,
        le=1,
        description="Abstain when no top passage is this similar (cosine) to the question.",
    )
    min_relevance_unknown_name: float = Field(
        0.50,
        ge=0,
        le=1,
        description="The same bar when the question names something the corpus never mentions.",
    )
    llm: Literal["none", "openai", "ollama"] = Field("none", description="Answer with an LLM.")
    llm_base_url: str | None = Field(None, description="OpenAI-compatible or Ollama server URL.")
    llm_model: str = Field("gpt-4o-mini", description="Model name on that server.")
    llm_api_key: SecretStr | None = Field(None, description="API key for the LLM server.")
    llm_temperature: float = Field(0.0, ge=0, le=2, description="Sampling temperature.")
    llm_timeout: float = Field(60.0, gt=0, description="Seconds before an LLM call fails.")
    llm_unsupported: Literal["flag", "drop"] = Field(
        "flag", description="Sentences citing no given passage: flag them, or drop them."
    )

    slack_bot_token: SecretStr | None = Field(None, description="Slack bot token (xoxb-...).")
    slack_signing_secret: SecretStr | None = Field(
        None, description="Slack signing secret: every request's signature is checked with it."
    )
    slack_app_token: SecretStr | None = Field(
        None, description="Slack app-level token (xapp-...) for Socket Mode."
    )
    slack_api_url: str = Field(
        "https://slack.com/api/", description="Slack Web API base URL (tests point it elsewhere)."
    )

    slack_channel_groups: dict[str, list[str]] = Field(
        default_factory=dict,
        description="Slack channel id -> access groups its members see (JSON object).",
    )
    slack_default_groups: list[str] = Field(
        default=["public"],
        min_length=1,
        description="Access groups for Slack channels not mapped above.",
    )

    api_keys: dict[str, ApiKey] = Field(
        default_factory=dict,
        description='API keys: {"<key>": {"name": "...", "groups": ["public"]}} (JSON).',
    )
    api_keys_file: Path | None = Field(None, description="A JSON file of API keys (same shape).")
    allow_anonymous: bool = Field(
        False, description="Serve without API keys on a non-loopback address (open access)."
    )
    anonymous_groups: list[str] = Field(
        default=["public"],
        min_length=1,
        description="Access groups of callers when no API keys are set.",
    )
    rate_limit_per_minute: int = Field(
        120, ge=1, description="Requests per minute per caller (API key, or address) before 429."
    )
    request_timeout: float = Field(
        60.0, gt=0, description="Seconds a request may take before it fails with 504."
    )
    max_concurrency: int = Field(
        4, ge=1, description="Requests doing CPU work at once; more wait briefly, then get 503."
    )
    queue_timeout: float = Field(
        2.0, ge=0, description="Seconds a request waits for a free slot before 503."
    )
    embed_process: bool = Field(
        True,
        description="`tpa serve` embeds questions in a child process (one more model in "
        "memory), so the model does not wait for the GIL while other requests run Python.",
    )
    embed_runtime: Literal["onnx", "torch"] = Field(
        "onnx",
        description="What runs the model for a server's questions: ONNX Runtime (the same "
        "weights exported once into TPA_MODEL_CACHE_DIR, checked against torch at every start, "
        "about half the CPU) or torch. Ingest always embeds with torch.",
    )
    model_cache_dir: Path = Field(
        default_factory=_default_model_cache,
        description="Where the ONNX export of the model is kept (default $XDG_CACHE_HOME/tpa "
        "or ~/.cache/tpa).",
    )
    forwarded_allow_ips: list[str] = Field(
        default_factory=list,
        description="Proxy addresses whose X-Forwarded-For/-Proto are trusted (JSON list).",
    )
    audit_max_bytes: int = Field(
        50_000_000, ge=10_000, description="Audit file size at which it is rotated."
    )
    audit_backups: int = Field(20, ge=1, description="Rotated audit files kept.")

    csl_url: str = Field(
        "https://data.trade.gov/downloadable_consolidated_screening_list/v1/consolidated.csv",
        description="Consolidated Screening List CSV fetched by `tpa sync`.",
    )
    csl_max_bytes: int = Field(
        100_000_000,
        ge=1_000,
        description="Largest screening-list download accepted; a bigger one is refused.",
    )
    screening_threshold: float = Field(
        88.0, ge=0, le=100, description="Fuzzy name score (0-100) from which a name matches."
    )

    host: str = Field("127.0.0.1", description="Address `tpa serve` binds to.")
    port: int = Field(8000, description="Port `tpa serve` listens on.")
    log_json: bool = Field(False, description="One JSON object per log line.")
    log_level: str = Field("INFO", description="Logging level.")

    @field_validator("slack_channel_groups", mode="after")
    @classmethod
    def _channels_have_groups(cls, value: dict[str, list[str]]) -> dict[str, list[str]]:
        # An empty list must never be read as "no restriction": refuse it outright.
        for channel, groups in value.items():
            if not [g for g in groups if g.strip()]:
                raise ValueError(f"channel {channel!r} maps to no access group")
        return value

    @field_validator("ecfr_url", "federal_register_url", mode="after")
    @classmethod
    def _base_url(cls, value: str) -> str:
        # Every request is built as base + "/api/...": one form, whatever the user typed.
        value = value.strip().rstrip("/")
        if not value.lower().startswith(("http://", "https://")):
            raise ValueError(f"{value!r} is not an http(s) URL")
        return value

    @field_validator("data_dir", "sources_file", "model_cache_dir", mode="after")
    @classmethod
    def _absolute(cls, value: Path) -> Path:
        return value.expanduser().resolve()

    @property
    def corpus_dir(self) -> Path:
        """Where `tpa sync` puts the default corpus and where `tpa ingest` reads it by default."""
        return self.data_dir / "corpus"

    @property
    def chroma_dir(self) -> Path:
        return self.data_dir / "chroma"

    @property
    def audit_dir(self) -> Path:
        return self.data_dir / "audit"

    @property
    def screening_dir(self) -> Path:
        return self.data_dir / "screening"


@lru_cache
def get_settings() -> Settings:
    return Settings()
