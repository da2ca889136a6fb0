#!/usr/bin/env python3
"""Check an eval question file (default: practitioner.jsonl beside this script).

Per question: required fields and types, unique ``id``, valid ``kind``,
``answerable`` false exactly for ``abstain`` (then ``relevant`` and
``answer_contains`` are empty), a non-empty ``authority`` list for answerable
questions, lower-case ``answer_contains``.
Per ``relevant`` entry: the document exists under the corpus folder, the phrase
is 6-15 words, and norm(phrase) occurs inside ONE paragraph of the document
(paragraphs are separated by blank lines; .xml files are compared on the text
content of their elements), where norm() collapses whitespace runs to one
space, strips and lower-cases (the scoring rule of shared/eval/README.md).
Each answer_contains stem must also occur in a paragraph holding one of the
question's phrases. Prints the per-kind counts; exits 1 on any problem.

Usage: python3 check_questions.py [questions.jsonl] [corpus_dir]
"""

import collections
import json
import pathlib
import re
import sys
import xml.etree.ElementTree as ET

HERE = pathlib.Path(__file__).resolve().parent
QFILE = pathlib.Path(sys.argv[1]) if len(sys.argv) > 1 else HERE / "practitioner.jsonl"
CORPUS = pathlib.Path(sys.argv[2]) if len(sys.argv) > 2 else pathlib.Path("/work/shared/corpus")
KINDS = {"lookup", "definition", "paraphrase", "multi_hop", "numeric", "article", "abstain"}
FIELDS = {
    "id": str,
    "question": str,
    "kind": str,
    "answerable": bool,
    "relevant": list,
    "answer_contains": list,
    "notes": str,
}
_paras = {}


def norm(s):
    return re.sub(r"\s+", " ", s).strip().lower()


def paragraphs(doc):
    if doc not in _paras:
        path = CORPUS / doc
        text = path.read_text(encoding="utf-8")
        if path.suffix == ".xml":
            text = "\n\n".join(
                "".join(e.itertext())
                for e in ET.fromstring(text).iter()
                if e.text and e.text.strip()
            )
        _paras[doc] = [norm(p) for p in re.split(r"\n\s*\n", text)]
    return _paras[doc]


problems, seen, kinds, docs = [], set(), collections.Counter(), set()
for n, line in enumerate(QFILE.read_text(encoding="utf-8").splitlines(), 1):
    q = json.loads(line)
    qid = q.get("id", f"line {n}")
    bad = [f for f, t in FIELDS.items() if not isinstance(q.get(f), t)]
    if bad or qid in seen or q["kind"] not in KINDS:
        problems.append(f"{qid}: bad/missing fields {bad}, duplicate id or kind {q.get('kind')!r}")
        continue
    seen.add(qid)
    kinds[q["kind"]] += 1
    if q["answerable"] == (q["kind"] == "abstain"):
        problems.append(f"{qid}: answerable must be false exactly for abstain")
    if not q["answerable"] and (q["relevant"] or q["answer_contains"]):
        problems.append(f"{qid}: abstain question with relevant/answer_contains")
    if q["answerable"] and not (q["relevant"] and q["answer_contains"] and q.get("authority")):
        problems.append(f"{qid}: answerable needs relevant, answer_contains and authority")
    hit_paras = []
    for r in q["relevant"]:
        doc, phrase = r.get("doc", ""), norm(r.get("contains", ""))
        if not (CORPUS / doc).is_file():
            problems.append(f"{qid}: no such document {doc}")
            continue
        docs.add(doc)
        if not 6 <= len(phrase.split()) <= 15:
            problems.append(f"{qid}: phrase not 6-15 words: {phrase!r}")
        found = [p for p in paragraphs(doc) if phrase in p]
        if not found:
            where = (
                "crosses a paragraph break" if phrase in " ".join(paragraphs(doc)) else "not found"
            )
            problems.append(f"{qid}: phrase {where} in {doc}: {phrase!r}")
        hit_paras += found[:1]
    for stem in q["answer_contains"]:
        if stem != stem.lower() or (hit_paras and not any(stem in p for p in hit_paras)):
            problems.append(
                f"{qid}: answer_contains {stem!r} not lower-case or not in relevant passages"
            )

print(
    f"{sum(kinds.values())} questions, {len(docs)} distinct documents:",
    ", ".join(f"{k} {kinds[k]}" for k in sorted(kinds)),
)
print("\n".join(problems) or "OK: all checks pass")
sys.exit(1 if problems else 0)
