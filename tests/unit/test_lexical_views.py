"""Per-group lexical statistics on a hand-built index: what a caller limited to some groups gets
(BM25 scores, ranks, term statistics) depends on the chunks they may read and nothing else."""

from __future__ import annotations

import json
from typing import Any, cast

import numpy as np

from assistant.access import readable
from assistant.index.snapshot import CorpusSnapshot
from assistant.index.store import Store
from assistant.index.term_stats import term_stats
from assistant.models import Filters
from assistant.retrieval.retriever import Retriever

PUBLIC_TEXTS = {
    "p-1": "A license is required to export encryption items to parties on the Entity List.",
    "p-2": "Temporary exports of tools of trade return within one year under License Exception.",
    "p-3": "Shipments of encryption source code published in a book are not subject to the EAR.",
    "p-4": "The Entity List names foreign parties; a license is required for every shipment.",
}
SECRET_BEFORE = "Counsel advises that Falconridge modules need no further review."
SECRET_AFTER = (
    "Counsel advises that every Falconridge license shipment of encryption to Entity List "
    "parties needs a license; license, license, license, encryption, shipment."
)
QUERIES = ["license required Entity List", "encryption shipment", "tools of trade one year"]
DIM = 4


def _meta(cid: str, groups: list[str]) -> dict[str, Any]:
    meta: dict[str, Any] = {
        "doc_id": cid.split("-")[0],
        "citation": "",
        "title": f"Document {cid}",
        "access": ",".join(groups),
        "start": 0,
        "end": 10,
    }
    meta.update({f"access_{g}": True for g in groups})
    return meta


def _vector(seed: int) -> np.ndarray:
    v = np.random.default_rng(seed).normal(size=DIM).astype(np.float32)
    return v / np.linalg.norm(v)


def _index(secret: str | None, secret_first: bool = False) -> CorpusSnapshot:
    """Four public chunks and (unless None) one legal-only chunk; `secret_first` puts it at row 0
    so every public row moves."""
    rows = [
        (cid, text, _meta(cid, ["public"]), n) for n, (cid, text) in enumerate(PUBLIC_TEXTS.items())
    ]
    if secret is not None:
        legal = ("s-1", secret, _meta("s-1", ["legal"]), 99)
        rows = [legal, *rows] if secret_first else [*rows, legal]
    return CorpusSnapshot(
        [r[0] for r in rows],
        [r[1] for r in rows],
        [r[2] for r in rows],
        "v1",
        np.stack([_vector(r[3]) for r in rows]),
    )


def _public_results(index: CorpusSnapshot, groups: list[str]) -> str:
    retriever = Retriever(cast(Store, None))  # `index` is given: the store is never read
    out = []
    for n, query in enumerate(QUERIES):
        results = retriever.retrieve(query, 3, Filters(groups=groups), _vector(1000 + n), index)
        out.append([(r.chunk_id, repr(r.score), repr(r.similarity)) for r in results])
    return json.dumps(out)


def test_public_scores_do_not_move_when_only_a_legal_chunk_changes() -> None:
    before, after = _index(SECRET_BEFORE), _index(SECRET_AFTER, secret_first=True)
    without = _index(None)
    public = _public_results(before, ["public"])
    assert public == _public_results(after, ["public"])
    assert public == _public_results(without, ["public"]), "as if the legal chunk did not exist"
    for query in QUERIES:
        assert before.view(["public"]).scores(query).tobytes() == (
            after.view(["public"]).scores(query).tobytes()
        )
    # The edit is one the statistics would see: the legal caller's results and the whole
    # index's scores do move (so the comparisons above can fail).
    assert _public_results(before, ["public", "legal"]) != _public_results(
        after, ["public", "legal"]
    )
    assert not np.array_equal(before.scores(QUERIES[0])[:4], after.scores(QUERIES[0])[1:5]), (
        "the whole index's BM25 depends on the legal chunk"
    )


def test_a_view_holds_exactly_the_readable_chunks_in_id_order() -> None:
    index = _index(SECRET_BEFORE, secret_first=True)
    public = index.view(["public"])
    assert public.ids == sorted(PUBLIC_TEXTS)
    assert public.vectors.shape == (4, DIM)
    assert np.array_equal(public.vectors[0], index.vectors[index.position["p-1"]])
    assert index.view(("public",)) is public, "built once per group set"
    assert index.view(None) is index
    assert index.view([]).ids == [], "no groups read nothing"
    assert index.view(["legal"]).ids == ["s-1"]
    assert index.view(["public", "legal"]).ids == sorted([*PUBLIC_TEXTS, "s-1"])


def test_a_chunk_is_readable_only_when_both_its_flags_and_its_access_list_say_so() -> None:
    groups = frozenset({"public"})
    assert readable(_meta("x", ["public"]), groups)
    assert not readable(_meta("x", ["legal"]), groups)
    flagged_only = {**_meta("x", ["legal"]), "access_public": True}  # access says legal
    assert not readable(flagged_only, groups)
    listed_only = {"access": "public"}  # no flag: Chroma's filter would not return it
    assert not readable(listed_only, groups)
    assert not readable({**_meta("x", ["public"]), "access_public": "yes"}, groups)


def test_term_statistics_of_a_group_set_ignore_what_it_cannot_read() -> None:
    before, after = _index(SECRET_BEFORE), _index(SECRET_AFTER)
    pub_before, pub_after = term_stats(before, ("public",)), term_stats(after, ("public",))
    for token in ("license", "encryption", "shipment", "falconridge", "counsel"):
        assert pub_before.idf(token) == pub_after.idf(token)
        assert pub_before.knows(token) == pub_after.knows(token)
    assert not pub_before.knows("falconridge")
    assert term_stats(before, ("legal", "public")).knows("falconridge")
    assert term_stats(before, ("public", "legal")) is term_stats(before, ["legal", "public"])
    # which documents hold a term: only those the groups may read
    assert pub_before.documents("falconridge") == frozenset()
    assert term_stats(before, ("legal", "public")).documents("falconridge") == {"s"}
    assert pub_after.documents("encryption") == {"p"}  # not the legal chunk that has it too
    assert term_stats(after, ("legal",)).documents("encryption") == {"s"}
    assert pub_before.documents("document") == {"p"}  # a word of the titles only
    assert pub_before.documents("nosuchterm") == frozenset()


def test_a_view_of_chunks_without_a_single_term_scores_nothing() -> None:
    index = CorpusSnapshot(
        ["a", "b"],
        ["the of and", "License required."],
        [{**_meta("a", ["public"]), "title": ""}, _meta("b", ["legal"])],
        "v1",
    )
    assert index.view(["public"]).scores("license").tolist() == [0.0]
    assert index.view(["legal"]).scores("license")[0] > 0
