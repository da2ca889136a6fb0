"""What every loader shares: reading bytes safely, sidecar metadata, and a clear error type."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any


class LoadError(Exception):
    """A file that cannot become a Document; the message is the reason shown to the user."""


def sidecar_path(path: Path) -> Path:
    """`NAME.meta.json` beside `NAME.ext`."""
    return (
        path.with_name(path.name[: -len(path.suffix)] + ".meta.json")
        if path.suffix
        else path.with_name(path.name + ".meta.json")
    )


def read_sidecar(path: Path) -> dict[str, Any]:
    side = sidecar_path(path)
    if not side.is_file():
        return {}
    try:
        data = json.loads(side.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise LoadError(f"sidecar {side.name} is not valid JSON: {exc}") from exc
    if not isinstance(data, dict):
        raise LoadError(f"sidecar {side.name} must hold a JSON object")
    return data


def read_bytes(path: Path) -> bytes:
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise LoadError(f"cannot read file: {exc.strerror or exc}") from exc
    if not data.strip():
        raise LoadError("file is empty")
    return data


def decode_text(data: bytes) -> str:
    """UTF-8 (with or without BOM) text, refusing binary files instead of storing garbage."""
    if b"\x00" in data[:8192]:
        raise LoadError("file looks binary (contains NUL bytes)")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise LoadError(f"not valid UTF-8 text (byte {exc.start})") from exc
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if not text.strip():
        raise LoadError("file has no text")
    return text


def read_text(path: Path) -> str:
    return decode_text(read_bytes(path))


def first_heading(text: str) -> str | None:
    """First non-empty line, without Markdown heading marks: a fallback title."""
    for line in text.splitlines():
        line = re.sub(r"^#+\s*|\s*#+\s*$", "", line.strip())
        if line:
            return line[:300]
    return None


def set_derived(metadata: dict[str, Any], key: str, value: Any) -> None:
    """Fill a metadata field the sidecar did not give, and record that we derived it."""
    if metadata.get(key) in (None, "", []) and value not in (None, ""):
        metadata[key] = value
        derived = list(metadata.get("derived") or [])
        if key not in derived:
            derived.append(key)
        metadata["derived"] = derived
