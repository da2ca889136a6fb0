"""The retrieval score on hand-made inputs: how cosine, BM25 and a cited legal reference add up,
which references a question names, and how closely a chunk's citation matches one."""

from __future__ import annotations

from typing import Any, cast

import numpy as np
import pytest

from assistant.index.snapshot import CorpusSnapshot
from assistant.index.store import Store
from assistant.retrieval.references import citation_match, legal_references
from assistant.retrieval.retriever import Retriever
from assistant.retrieval.scoring import (
    LEXICAL_WEIGHT,
    REFERENCE_BONUS,
    WEIGHTS,
    Features,
    Weights,
    normalise_bm25,
    rank,
    reference_bonus,
)
from assistant.retrieval.scoring import fused_scores as _fused
from tests.support.snapshots import PUBLIC, retrieve, snapshot, unit

ONLY_TEXT = Weights(heading=0.0, authority=0.0, definition=0.0, per_doc=0)


def _f32(*values: float) -> np.ndarray:
    return np.array(values, dtype=np.float32)


def _features(
    cos: np.ndarray, bm: np.ndarray, ref: np.ndarray | None = None, **extra: Any
) -> Features:
    zero = np.zeros(len(cos))
    fields: dict[str, Any] = {
        "heading": zero,
        "authority": zero,
        "definition": zero,
        "doc": [str(i) for i in range(len(cos))],
    }
    fields.update(extra)
    return Features(cosine=cos, bm25=bm, reference=zero if ref is None else ref, **fields)


def fused_scores(cos: np.ndarray, bm: np.ndarray, bonus: np.ndarray) -> np.ndarray:
    """The score of cosine, BM25 and an absolute reference bonus alone (the other features 0)."""
    return _fused(_features(cos, bm, bonus / REFERENCE_BONUS), ONLY_TEXT)


# ---- references -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("question", "refs"),
    [
        ("Does § 740.17(b)(3) apply?", ["740.17(b)(3)"]),
        ("see 740.17 (b) (3) first", ["740.17(b)(3)"]),
        ("what do 744.11 and 746.8(a) say", ["744.11", "746.8(a)"]),
        ("the rule at 84 FR 22961", ["84 FR 22961"]),
        ("the rule at 84FR22961", ["84 FR 22961"]),
        ("84 FR 22961 amended 744.11", ["744.11", "84 FR 22961"]),
        ("no reference here, 10.5 percent", []),
        ("part of a longer number: 1744.11 or 10.744.11", []),
        ("", []),
    ],
)
def test_a_question_names_its_references_in_the_form_chunks_cite_them(
    question: str, refs: list[str]
) -> None:
    assert legal_references(question) == refs


@pytest.mark.parametrize(
    ("citation", "ref", "match"),
    [
        ("15 CFR 744.11(a)", "744.11(a)", 1.0),  # the paragraph itself
        ("15 CFR 744.11(a)(1)", "744.11(a)", 1.0),  # a paragraph inside it
        ("15 CFR 744.11", "744.11", 1.0),
        ("15 CFR 744.11(a)", "744.11(a)(1)", 0.8),  # the paragraph that packs it
        ("15 CFR 744.11(b)", "744.11(a)", 0.4),  # elsewhere in the section
        ("15 CFR 744.11", "744.11(a)", 0.4),  # the section's heading chunk
        ("15 CFR 744.1(a)", "744.11", 0.0),  # another section with a prefix of its number
        ("15 CFR 744.11", "744.1", 0.0),
        ("15 CFR 1744.11", "744.11", 0.0),
        ("", "744.11", 0.0),
        ("84 FR 22961, May 21, 2019", "84 FR 22961", 1.0),
        ("84 FR 22962", "84 FR 22961", 0.0),
    ],
)
def test_how_closely_a_citation_matches_a_reference(citation: str, ref: str, match: float) -> None:
    assert citation_match(citation, ref) == match


def test_the_reference_bonus_is_the_best_match_among_the_references() -> None:
    assert reference_bonus("15 CFR 744.11(b)", []) == 0.0
    assert reference_bonus("15 CFR 744.11(b)", ["740.9"]) == 0.0
    assert reference_bonus("15 CFR 744.11(b)", ["744.11(a)"]) == pytest.approx(
        0.4 * REFERENCE_BONUS
    )
    assert reference_bonus("15 CFR 744.11(b)", ["744.11(a)", "744.11(b)", "740.9"]) == (
        REFERENCE_BONUS
    )


# ---- the fused score --------------------------------------------------------------------------


def test_bm25_is_normalised_by_the_best_candidate() -> None:
    assert normalise_bm25(_f32(2.0, 8.0, 0.0)).tolist() == [0.25, 1.0, 0.0]


@pytest.mark.parametrize("raw", [_f32(0.0, 0.0, 0.0), _f32()])
def test_no_bm25_match_adds_nothing_and_divides_by_nothing(raw: np.ndarray) -> None:
    out = normalise_bm25(raw)
    assert out.tolist() == raw.tolist()
    assert not np.isnan(out).any()
    cos = np.linspace(0.1, 0.3, len(raw)).astype(np.float32)
    assert fused_scores(cos, raw, np.zeros(len(raw))).tolist() == pytest.approx(cos.tolist())


def test_the_fused_score_is_cosine_plus_weighted_bm25_plus_the_bonus() -> None:
    cos, bm, bonus = _f32(0.5, 0.6, 0.4), _f32(10.0, 5.0, 0.0), np.array([0.0, 0.0, 0.3])
    total = fused_scores(cos, bm, bonus)
    assert total.tolist() == pytest.approx(
        [0.5 + LEXICAL_WEIGHT, 0.6 + LEXICAL_WEIGHT / 2, 0.4 + 0.3], abs=1e-6
    )
    assert total.dtype == np.float64


def test_an_exact_term_match_can_outrank_a_closer_paraphrase() -> None:
    """A passage with the best BM25 score beats one up to LEXICAL_WEIGHT more similar."""
    cos, bm = _f32(0.70, 0.55), _f32(0.0, 12.0)
    order = np.argsort(-fused_scores(cos, bm, np.zeros(2)))
    assert order.tolist() == [1, 0]
    far = fused_scores(_f32(0.55 + LEXICAL_WEIGHT + 0.01, 0.55), bm, np.zeros(2))
    assert np.argsort(-far).tolist() == [0, 1], "BM25 adds at most LEXICAL_WEIGHT"


def test_bm25_scale_does_not_change_the_ranking() -> None:
    """Only BM25 relative to the best candidate counts: a longer query or a bigger corpus that
    multiplies every BM25 score changes no rank and no score."""
    cos, bm = _f32(0.50, 0.62, 0.41), _f32(3.0, 1.0, 2.5)
    one = fused_scores(cos, bm, np.zeros(3))
    ten = fused_scores(cos, bm * 10, np.zeros(3))
    assert np.argsort(-one).tolist() == np.argsort(-ten).tolist()
    assert one == pytest.approx(ten)


# ---- through the retriever, on a hand-made snapshot -------------------------------------------

DIM = 4


def _meta(cid: str, citation: str) -> dict[str, Any]:
    return {
        "doc_id": cid,
        "citation": citation,
        "title": "",
        "access": "public",
        "access_public": True,
        "start": 0,
        "end": 10,
    }


def _snapshot(d_citation: str = "15 CFR 744.11(b)") -> CorpusSnapshot:
    rows = [
        ("a", "Shipments of printed books need no licence.", "15 CFR 734.3", unit(1, 0, 0, 0)),
        ("b", "Tools of trade may stay abroad for one year.", "15 CFR 740.9(a)", unit(0, 1, 0, 0)),
        ("c", "The Entity List names foreign parties.", "15 CFR 744.11(a)", unit(0, 0, 1, 0)),
        ("d", "Review policy is a presumption of denial.", d_citation, unit(0, 0, 0, 1)),
        ("e", "Rules on Huawei affiliates.", "84 FR 43487", unit(0, 0, 1, 1)),
    ]
    return snapshot([(r[0], r[1], _meta(r[0], r[2]), r[3]) for r in rows])


def _retrieve(
    query: str, vector: np.ndarray, snap: CorpusSnapshot | None = None
) -> dict[str, float]:
    return {r.chunk_id: r.score for r in retrieve(query, vector, snap or _snapshot())}


def test_the_cited_paragraph_gains_the_full_bonus_and_its_section_part_of_it() -> None:
    """Two snapshots that BM25 and the vectors cannot tell apart ("744.11(b)" and "744.11 (b)"
    are the same terms), but only the first cites paragraph (b) as a reference names it."""
    vector = unit(1, 0.2, 0, 0.3)
    query = "what does 744.11(b) require"
    exact = _retrieve(query, vector)
    spaced = _retrieve(query, vector, _snapshot("15 CFR 744.11 (b)"))
    assert exact["d"] - spaced["d"] == pytest.approx((1.0 - 0.4) * REFERENCE_BONUS, abs=1e-6)
    assert {cid: s for cid, s in exact.items() if cid != "d"} == {
        cid: s for cid, s in spaced.items() if cid != "d"
    }, "no other chunk's score moves"
    assert max(exact, key=exact.__getitem__) == "d"


def test_a_reference_pulls_in_a_chunk_neither_retriever_finds() -> None:
    vector = unit(1, 0.2, 0, 0)  # nowhere near "e"; "84fr43487" is no term of it either
    assert "e" not in _retrieve("printed books", vector)
    found = _retrieve("printed books under 84FR43487", vector)
    assert found["e"] == pytest.approx(REFERENCE_BONUS, abs=1e-6), "the bonus alone"
    assert found["a"] > found["e"], "the bonus ranks it, it does not pin it first"


def test_the_returned_score_is_the_fused_score_and_similarity_the_cosine() -> None:
    vector = unit(0.3, 1, 0, 0)
    retriever = Retriever(cast(Store, None))
    results = retriever.retrieve("tools of trade one year", 2, PUBLIC, vector, _snapshot())
    top = results[0]
    assert top.chunk_id == "b"
    cosine = float(_snapshot().vectors[1] @ vector)
    assert top.similarity == pytest.approx(cosine)
    assert top.score == pytest.approx(cosine + LEXICAL_WEIGHT), "the best BM25 match adds 0.6"
    assert [r.score for r in results] == sorted((r.score for r in results), reverse=True)


# ---- the features beyond text: authority, headings, definitions, one document's share ----------


def test_between_equal_passages_the_higher_authority_comes_first() -> None:
    from assistant.retrieval.features import authority_score

    cos, bm = _f32(0.6, 0.6, 0.6, 0.6), _f32(1.0, 1.0, 1.0, 1.0)
    types = ["article", "press_release", "federal_register", "regulation"]
    authority = np.array([authority_score({"doc_type": t}) for t in types])
    order, _ = rank(_features(cos, bm, authority=authority), 4)
    assert [types[i] for i in order] == [
        "regulation",
        "federal_register",
        "press_release",
        "article",
    ]
    assert authority_score({"doc_type": "something-new"}) == 0.0, "unknown sources rank as news"


def test_authority_does_not_beat_a_clearly_better_passage() -> None:
    from assistant.retrieval.features import authority_score

    cos, bm = _f32(0.80, 0.55), _f32(9.0, 2.0)
    authority = np.array([authority_score({"doc_type": "article"}), 1.0])
    order, _ = rank(_features(cos, bm, authority=authority), 2)
    assert order == [0, 1]


def test_one_document_takes_at_most_its_share_of_the_top_places() -> None:
    cos = _f32(0.9, 0.89, 0.88, 0.87, 0.86, 0.5, 0.4)
    docs = ["a", "a", "a", "a", "a", "b", "c"]
    f = _features(cos, np.zeros(7, np.float32), doc=docs)
    order, _ = rank(f, 5, Weights(per_doc=3))
    assert [docs[i] for i in order] == ["a", "a", "a", "b", "c"]
    order, _ = rank(f, 7, Weights(per_doc=3))
    assert len(order) == 7, "the limit reorders, it never leaves a place empty"
    only_a = _features(cos[:5], np.zeros(5, np.float32), doc=docs[:5])
    assert rank(only_a, 5, Weights(per_doc=3))[0] == [0, 1, 2, 3, 4]


@pytest.mark.parametrize(
    ("question", "terms"),
    [
        ("What exactly is a 'License Exception'?", ["License Exception"]),
        ("What counts as a deemed export?", ["deemed export"]),
        ('What does "knowledge" mean under the EAR?', ["knowledge"]),
        ("Is our London branch a 'U.S. person'? And a French engineer?", ["U.S. person"]),
        ("What is 15 CFR 744.11?", []),
        ("What is 84 FR 22961 about?", []),
        ("Can we ship to Canada?", []),
        ("Huawei's affiliates", []),
        # "who is a ...": a category, as "what is a ..." (the full stops of initials kept)
        ("Who is a U.S. person under the EAR?", ["U.S. person"]),
        ("What is a U.S. person?", ["U.S. person"]),
        ("Who counts as an exporter?", ["exporter"]),
        ("Who qualifies as a military end user?", ["military end user"]),
        # a person asked after, or what someone may do: no term
        ("Who is Huawei?", []),
        ("Who is the CEO of Huawei?", []),
        ("Who are the members of the Wassenaar Arrangement?", []),
        ("Who is allowed to be the applicant?", []),
        # a question after the term's full stop is not the term
        ("What is Country Group D. Is China in it?", ["Country Group D"]),
    ],
)
def test_the_terms_a_question_asks_the_meaning_of(question: str, terms: list[str]) -> None:
    from assistant.retrieval.features import defined_terms

    assert defined_terms(question) == terms


@pytest.mark.parametrize(
    ("term", "text", "defines"),
    [
        ("License Exception", "( a ) Scope. A “License Exception” is an authorization", True),
        ("accessory", "*Accessories.* These are associated items", True),
        ("U.S. person", "*U.S. person.* (1) Any individual who is a citizen", True),
        ("deemed export", "a deemed export means any release of technology", True),
        ("deemed export", "a DEEMED-EXPORT means any release of technology", True),
        ("end-to-end encryption", "End-to-end encryptions means the protection", True),
        ("License Exception", "You may use a License Exception TSU for software.", False),
        ("knowledge", "without knowledge of the violation the exporter", False),
        # a term qualified before its "means", a heading with a colon or a closing quote, a
        # term defined "for the purpose of this section", a paragraph headed "Definition of"
        (
            "major component",
            "*Major Component:* A major component of a plant located outside the United "
            "States means “equipment” that is essential",
            True,
        ),
        ("major component", "A major component of a plant located abroad means equipment", True),
        ("servicing", "“Servicing” as used in this section means inspection, testing", True),
        ("end-to-end encryption", "For this section, *End-to-end encryption* means (i) the", True),
        ("footnote 4", "The footnote 4 designation means that “items subject to the EAR”", True),
        ("government end user", "*Government end user” (as applied to encryption items*)", True),
        (
            "Government end user",
            "( 4 ) 'Government end user,' for the purpose of this section, is a national",
            True,
        ),
        ("controlled in fact", "(c) *Definition of “Controlled in Fact”.* (1) This part", True),
        ("controlled in fact", "A is presumed to be controlled in fact by B.", False),
        (
            "major component",
            "produced by any plant or 'major component' of a plant that itself is a direct product",
            False,
        ),
        ("technology", "the technology by means of which the item is produced", False),
        ("technology", "technology provided through such means as demonstration", False),
        ("encryption", "*Financial Institution.* As applied to encryption goods, means", False),
        ("software", "For software, 'form' means the design of the program", False),
        ("rule", "This rule also adds ECCN 3A901 to Note 1, which means that", False),
        ("technology", 'the scope of the definition of "technology" (see § 772.1)', False),
    ],
)
def test_a_definition_is_found_in_the_corpus_s_own_forms(
    term: str, text: str, defines: bool
) -> None:
    """Alone and among other terms: the anchor word that rules passages out before the
    question's pattern runs never rules out a definition its term's own pattern finds."""
    from assistant.retrieval.features import definition_pattern, definitions_pattern

    assert bool(definition_pattern(term).search(text)) is defines
    matcher = definitions_pattern(["item", term, "Major component"])
    assert matcher is not None
    assert matcher.search(text) is defines
    assert matcher.search(text) is bool(matcher.full.search(text))
    assert definitions_pattern(["?!"]) is None


def test_the_heading_path_carries_the_part_name() -> None:
    from assistant.retrieval.features import heading_match, heading_terms

    meta = {"citation": "15 CFR 740.1(a)", "title": "§ 740.1 Introduction."}
    terms = heading_terms(meta)
    assert {"exception", "introduction"} <= terms
    assert heading_match(["license", "exception"], terms, lambda t: 1.0) == 1.0
    assert heading_match(["entity", "exception"], terms, lambda t: 1.0) == 0.5
    assert heading_match([], terms, lambda t: 1.0) == 0.0


@pytest.mark.parametrize(
    ("question", "whole"),
    [
        ("What is 15 CFR 744.11?", True),
        ("Explain § 746.8 to me", True),
        ("What does section 740.9 cover?", True),
        ("Summarize 734.3 for me.", True),
        ("What does section 740.17(b)(1) allow?", False),  # a paragraph: asked for itself
        ("What does 744.22 say about Russia?", False),  # something inside it
        ("Is 744.11 stayed?", False),
        ("What is 84 FR 22961?", False),  # a rule, not a section
        ("Summarize part 744", False),  # no section
    ],
)
def test_a_question_about_a_whole_section_is_told_apart(question: str, whole: bool) -> None:
    from assistant.retrieval.references import asks_about_whole

    assert asks_about_whole(question) is whole


def _at(cosine: float) -> np.ndarray:
    """A unit vector at this cosine to the question's (`unit(1, 0, 0, 0)`)."""
    return unit(cosine, (1 - cosine**2) ** 0.5, 0, 0)


def _section_snapshot() -> CorpusSnapshot:
    """One section in five chunks, and a section that cites it. The vectors favour the late
    chunks (a deep paragraph, the source note) by as much as a bare question's embedding
    does on the mirror (about 0.2)."""
    rows = [
        ("s0", "§ 744.11 License requirements that apply to entities.", 0, _at(0.5)),
        ("s1", "License requirements will be imposed by adding an entity.", 60, _at(0.5)),
        ("s2", "BIS may remove an entity from the Entity List.", 200, _at(0.5)),
        ("s3", "( v ) Footnote 5 entities under 744.11.", 900, _at(0.7)),
        ("s4", "[ 87 FR 61973 , Oct. 13, 2022 ] see § 744.11.", 1500, _at(0.7)),
        ("x", "Section 744.11 imposes license requirements on listed entities.", 0, _at(0.6)),
    ]
    metas = []
    for cid, _text, start, _v in rows:
        meta = _meta(cid, "15 CFR 744.1(a)(1)" if cid == "x" else "15 CFR 744.11")
        meta.update(doc_id="d744.1" if cid == "x" else "d744.11", start=start)
        metas.append(meta)
    return CorpusSnapshot(
        [r[0] for r in rows], [r[1] for r in rows], metas, "v1", np.stack([r[3] for r in rows])
    )


def test_a_whole_section_comes_in_its_own_order_and_its_citers_still_count() -> None:
    vector = unit(1, 0, 0, 0)
    retriever = Retriever(cast(Store, None))
    snap = _section_snapshot()
    asked = [
        r.chunk_id for r in retriever.retrieve("What is 15 CFR 744.11?", 6, PUBLIC, vector, snap)
    ]
    assert asked[:2] == ["s0", "s1"], "heading, then what it imposes"
    assert asked.index("s2") < asked.index("s4"), "its opening before its source note"
    assert "x" in asked, "the section that cites it is still found (BM25 outside the section)"
    inside = [
        r.chunk_id
        for r in retriever.retrieve(
            "What does 744.11 say about footnote 5?", 3, PUBLIC, vector, snap
        )
    ]
    assert inside[0] == "s3", "a question about something inside it is not reordered"


def test_antiboycott_passages_step_back_for_a_question_not_about_boycotts() -> None:
    """Part 760's worked examples share words with any question ("A imports computers ...");
    asked about a laptop, they lose `off_regime`; asked about a boycott, nothing changes."""
    import dataclasses

    import numpy as np

    from assistant.retrieval.retriever import off_regime
    from assistant.retrieval.scoring import Features, fused_scores

    citations = ["15 CFR 760.3(d)", "15 CFR 740.9(a)"]
    laptop = off_regime("Can I take my company laptop to China?", citations)
    assert laptop.tolist() == [1.0, 0.0]
    assert off_regime("Can we answer a boycott questionnaire from Kuwait?", citations).tolist() == [
        0.0,
        0.0,
    ]
    assert off_regime("What does 15 CFR 760.2 prohibit?", citations).tolist() == [0.0, 0.0]
    # a section of another part whose heading is about boycotts is antiboycott too
    vsd = ["15 CFR 764.8(b)", "15 CFR 764.5(c)"]
    titles = ["§ 764.8 Voluntary self-disclosures for boycott violations.", "§ 764.5 Voluntary"]
    assert off_regime(
        "Does a voluntary self-disclosure cut the penalty?", vsd, titles
    ).tolist() == [
        1.0,
        0.0,
    ]
    f = Features(
        cosine=np.array([0.7, 0.6]),
        bm25=np.array([1.0, 1.0]),
        reference=np.zeros(2),
        heading=np.zeros(2),
        authority=np.ones(2),
        definition=np.zeros(2),
        doc=["760", "740"],
        off_regime=laptop,
    )
    scores = fused_scores(f)
    assert scores[1] > scores[0]
    unmarked = fused_scores(dataclasses.replace(f, off_regime=None))
    assert unmarked[0] > unmarked[1]  # without the mark the example would have ranked first


# ---- dates a question names ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("question", "dates"),
    [
        ("What did BIS correct in April 2022 about Huawei?", [(2022, 4)]),
        ("the Aug. 19, 2019 release", [(2019, 8)]),
        ("By late November 2019, how many requests?", [(2019, 11)]),
        ("In BIS's 2021 encryption guidance, which controls", [(2021, None)]),
        ("How did the rule change over 2024, and in Sept. 2025?", [(2024, None), (2025, 9)]),
        # document numbers, other regulations' numbers and ISO dates are not dates asked about
        ("What does FR Doc. 2024-15810 change?", []),
        ("Under Regulation (EU) 2021/821, do we need an authorisation?", []),
        ("We may ship 500 units.", []),
    ],
)
def test_the_dates_a_question_names(question: str, dates: list[tuple[int, int | None]]) -> None:
    from assistant.retrieval.features import asked_dates

    assert asked_dates(question) == dates


def test_a_document_issued_when_the_question_says_matches() -> None:
    from assistant.retrieval.features import dated_match

    release = {"doc_type": "press_release", "date": "2020-08-17"}
    assert dated_match(release, [(2020, 8)]) == 1.0
    assert dated_match(release, [(2020, 9)]) == 0.5, "an effective date can cross a month's end"
    assert dated_match(release, [(2019, 8)]) == 0.0, "the same month of another year"
    assert dated_match(release, [(2020, None)]) == 1.0, "only the year asked"
    assert dated_match(release, []) == 0.0
    assert dated_match({"doc_type": "press_release"}, [(2020, 8)]) == 0.0, "undated"
    # a regulation's date is its text's version, not when a rule was made
    assert dated_match({"doc_type": "regulation", "date": "2020-08-17"}, [(2020, 8)]) == 0.0


def test_of_two_like_worded_releases_the_one_issued_when_asked_comes_first() -> None:
    """The 2019 and the 2020 Huawei affiliate additions read alike; "in August 2020" picks the
    2020 release, and without a date the closer text still wins."""
    texts = {
        "r2019": "BIS added 46 more Huawei affiliates to the Entity List.",
        "r2020": "BIS added 38 more Huawei affiliates to the Entity List.",
    }
    dates = {"r2019": "2019-08-19", "r2020": "2020-08-17"}
    metas = [
        {**_meta(cid, f"press release {cid}"), "doc_type": "press_release", "date": dates[cid]}
        for cid in texts
    ]
    snap = CorpusSnapshot(
        list(texts), list(texts.values()), metas, "v1", np.stack([unit(1, 0, 0, 0)] * 2)
    )
    closer_to_2019 = unit(1, 0.1, 0, 0)  # a vector nearer neither; BM25 ties on these words
    asked_2020 = _retrieve(
        "How many Huawei affiliates were added in August 2020?", closer_to_2019, snap
    )
    assert max(asked_2020, key=asked_2020.__getitem__) == "r2020"
    assert asked_2020["r2020"] - asked_2020["r2019"] == pytest.approx(WEIGHTS.dated, abs=1e-6)
    undated = _retrieve("How many Huawei affiliates were added?", closer_to_2019, snap)
    assert undated["r2020"] == pytest.approx(undated["r2019"], abs=1e-6)


@pytest.mark.parametrize(
    ("question", "asks"),
    [
        ("when exactly does the stay on the BIS affiliates rule end?", True),
        ("Is the 50% affiliates rule in force?", False),  # the status lead answers it
        ("Is the Unverified List requirement still in effect?", False),
        ("Has BIS suspended the rule?", False),  # whether, not the recorded stay
        ("Is the Unverified List requirement stayed?", False),
        ("Does the stay of the rule still apply today?", True),
        # the verb, not a stay
        ("How long can our demo equipment stay abroad under TMP?", False),
        ("Can our engineers stay in Shenzhen for a month?", False),
        ("Do we need a licence to ship routers to Belarus?", False),
    ],
)
def test_a_question_about_legal_status_is_told_apart(question: str, asks: bool) -> None:
    from assistant.retrieval.features import asks_legal_status

    assert asks_legal_status(question) is asks


def test_asked_about_legal_status_the_chunks_a_stay_affects_come_in() -> None:
    """The stayed paragraph shares no word with "is it stayed?" and sits far from it in the
    vector space: asked about legal status, the chunks a recorded stay affects are candidates
    and gain `stayed`; asked anything else, nothing changes."""
    from assistant.status import StatusNote, dump_notes

    note = StatusNote("stay", "At 90 FR 50857 paragraph (a)(1) was stayed.", 0, 10, "15 CFR 744.11")
    texts = {
        "s": "Entity List entries extend to foreign affiliates owned 50 percent or more.",
        "t": "Tools of trade may remain abroad for one year.",
    }
    metas = [
        {**_meta("s", "15 CFR 744.11(a)(1)"), "status_notes": dump_notes([note])},
        _meta("t", "15 CFR 740.9(a)"),
    ]
    snap = CorpusSnapshot(
        list(texts),
        list(texts.values()),
        metas,
        "v1",
        np.stack([unit(0, 0, 0, 1), unit(1, 0, 0, 0)]),
    )
    assert snap.stayed() == [0]
    vector = unit(1, 0, 0, 0)
    asked = _retrieve("When does the stay on the ownership rule end?", vector, snap)
    # the same words, no stay asked about
    plain = _retrieve("When does the ownership rule end, stay on?", vector, snap)
    assert asked["s"] - plain["s"] == pytest.approx(WEIGHTS.stayed, abs=1e-6)
    assert asked["t"] == pytest.approx(plain["t"], abs=1e-6)
