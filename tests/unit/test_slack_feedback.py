"""👍/👎 in Slack: one JSON line per vote in `$TPA_DATA_DIR/feedback.jsonl`, written by the audit
trail's writer (locked, fsynced, rotated by size), holding the answer voted on when the bot still
remembers it and the clicked message's text when it does not."""

from __future__ import annotations

import json
from pathlib import Path

from api.slack.feedback import feedback_log, feedback_record
from assistant.config import Settings
from assistant.models import Answer, Citation

QUOTE = "Exports of items subject to the EAR to a listed party require a licence — «toujours»."


def _answer() -> Answer:
    citation = Citation(
        n=1, chunk_id="c" * 32, doc_id="doc-1", quote=QUOTE, start=0, end=len(QUOTE),
        citation="15 CFR 744.11", title="Entity List",
    )  # fmt: skip
    return Answer(answer=f"{QUOTE} [1]", citations=[citation])


def _click(action_id: str) -> tuple[dict, dict]:
    body = {"user": {"id": "UHUMAN"}, "channel": {"id": "CGENERAL"},
            "message": {"text": "the posted answer"}}  # fmt: skip
    return body, {"action_id": action_id, "value": "key-1"}


def test_a_vote_on_a_remembered_answer_records_it_in_full(tmp_path: Path) -> None:
    body, action = _click("tpa_feedback_up")
    record = feedback_record(body, action, "Is Huawei listed?", _answer(), "slack:C:1")
    log = feedback_log(Settings(data_dir=tmp_path))
    log.append(record)
    log.append(feedback_record(*_click("tpa_feedback_down")))

    lines = (tmp_path / "feedback.jsonl").read_text(encoding="ascii").splitlines()
    assert [json.loads(line) for line in lines][0] == record
    assert record["vote"] == "up" and record["user"] == "UHUMAN"
    assert record["channel"] == "CGENERAL" and record["answer_key"] == "key-1"
    assert record["question"] == "Is Huawei listed?" and record["conversation_id"] == "slack:C:1"
    assert record["citations"][0]["quote"] == QUOTE and record["abstained"] is False
    forgotten = json.loads(lines[1])
    assert forgotten["vote"] == "down" and forgotten["answer"] == "the posted answer"
    assert forgotten["question"] is None and forgotten["citations"] == []


def test_the_feedback_file_is_rotated_never_truncated(tmp_path: Path) -> None:
    log = feedback_log(Settings(data_dir=tmp_path, audit_max_bytes=10_000, audit_backups=2))
    record = feedback_record(*_click("tpa_feedback_up"), "q", _answer(), "c")
    for _ in range(60):
        log.append(record)
    names = sorted(p.name for p in tmp_path.glob("feedback.jsonl*"))
    assert names == ["feedback.jsonl", "feedback.jsonl.1", "feedback.jsonl.2"]
    assert all(p.stat().st_size <= 10_000 for p in log.files())
    assert log.files()[-1] == tmp_path / "feedback.jsonl"
    assert not (tmp_path / "audit").exists()  # the audit trail is a file of its own
