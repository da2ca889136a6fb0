"""Pure pieces of the answer path: tokenising, references, follow-ups, abstention rules."""

from __future__ import annotations

import math
from dataclasses import replace

import pytest

from assistant.answering.abstention import Evidence, used_as_place
from assistant.answering.conversation import (
    MAX_QUESTION_CHARS,
    QuestionError,
    Turn,
    is_follow_up,
    rewrite_deterministic,
    validate_question,
)
from assistant.answering.extractive import unknown_names
from assistant.config import Settings
from assistant.index.tokenize import tokenize
from assistant.index.vocabulary import expand_query
from assistant.models import Filters
from assistant.retrieval.references import legal_references


def test_tokenize_meets_british_and_american_spelling() -> None:
    assert tokenize("Licence") == tokenize("license")
    assert tokenize("licences") == tokenize("licenses")
    assert "744.11" in tokenize("see § 744.11(a)") and "744" in tokenize("see § 744.11(a)")
    assert "5d992" in tokenize("ECCN 5D992.c")


def test_legal_references_are_normalised() -> None:
    assert legal_references("Does § 740.17(b)(3) apply?") == ["740.17(b)(3)"]
    assert legal_references("what does 744.11 say") == ["744.11"]
    assert legal_references("the rule at 84 FR 22961") == ["84 FR 22961"]
    assert legal_references("no reference here, 10.5 percent") == []
    # the EAR's own names for the general prohibitions of 736.2(b)
    assert legal_references("What is General Prohibition Ten about?") == ["736.2(b)(10)"]
    assert legal_references("general prohibition 4 and § 744.11") == ["744.11", "736.2(b)(4)"]
    assert legal_references("the general prohibitions in general") == []


def test_everyday_words_gain_regulatory_terms_on_the_lexical_side() -> None:
    expanded = expand_query("Can I take my laptop abroad?")
    assert "baggage" in expanded and expanded.startswith("Can I take my laptop abroad?")
    assert expand_query("What is ECCN 5D992?") == "What is ECCN 5D992?"
    # a program's bug fix is a software update, a machine's fix a repair
    patch = expand_query("Can we push them a bug-fix patch?")
    assert "software updates" in patch and "replacement parts" not in patch
    assert "replacement parts" in expand_query("We need to fix the machine")
    # TLS is encryption; a foreign national working with the technology here, a deemed export
    assert "encryption" in expand_query("Our app only uses TLS. What paperwork do we need?")
    assert "deemed export" in expand_query("Two Chinese PhD students will work in our lab.")
    assert "deemed export" in expand_query("Can we hire a foreign national?")
    assert "deemed export" not in expand_query("Can we sell to a Chinese distributor?")


def test_follow_ups_are_rewritten_from_the_previous_turn() -> None:
    history = [Turn("Is Huawei on the Entity List?", "Is Huawei on the Entity List?", "Yes.")]
    assert is_follow_up("and its affiliates?")
    assert is_follow_up("What about encryption source code?")
    assert not is_follow_up("Which destinations are in Country Group E:1 under the EAR rules?")
    rewritten = rewrite_deterministic("and its affiliates?", history)
    assert "Huawei" in rewritten and "affiliates" in rewritten
    standalone = "What licence exception covers gift parcels sent abroad?"
    assert rewrite_deterministic(standalone, history) == standalone
    assert rewrite_deterministic("and its affiliates?", []) == "and its affiliates?"


def test_a_rewritten_follow_up_never_outgrows_a_question() -> None:
    standalone = "Is Huawei on the Entity List?"
    follow = "and what about its affiliates abroad? " * 52  # 1,976 characters
    for _ in range(25):
        standalone = rewrite_deterministic(follow, [Turn(follow, standalone, "Yes.")])
        assert len(standalone) <= MAX_QUESTION_CHARS
        assert standalone.endswith(follow.strip())  # the follow-up is kept whole
        assert not standalone.startswith(" ")
    # Earlier context is kept from its latest words, cut at a word.
    history = [Turn("q", "alpha beta gamma delta", "a")]
    question = "and " + "x" * (MAX_QUESTION_CHARS - 16)
    assert rewrite_deterministic(question, history) == f"gamma delta {question}"
    assert rewrite_deterministic("and " + "y" * 1996, history) == "and " + "y" * 1996


def test_questions_are_validated() -> None:
    for bad in ("", "   ", "x" * 2001):
        try:
            validate_question(bad)
        except QuestionError as exc:
            assert str(exc).startswith("question:")
        else:
            raise AssertionError(f"accepted {bad[:10]!r}")
    assert validate_question("  ok?  ") == "ok?"


def _evidence(
    similarity: float,
    coverage: float = 0.0,
    names_section: bool = False,
    unknown: tuple[str, ...] = (),
) -> Evidence:
    return Evidence(similarity, coverage, names_section, unknown)


def test_abstention_rules() -> None:
    # The thresholds as configured by default (Settings is where they are defined).
    low, unknown_bar = (
        Settings.model_fields[name].default
        for name in ("min_relevance", "min_relevance_unknown_name")
    )
    known = {"huawei", "entity", "list", "bis", "ear"}.__contains__
    assert unknown_names("What fine did BIS impose on Seagate for Huawei?", known) == ["Seagate"]
    # where something is published is the medium, not what is asked about
    published = "If we publish our source code on GitHub for anyone, is it subject to the EAR?"
    assert unknown_names(published, known) == []
    assert unknown_names("Did GitHub get a licence from BIS for Huawei?", known) == ["GitHub"]
    # an abbreviation the vocabulary spells out is a term, not a party
    assert unknown_names("How long does a TDO renewal last?", known) == []
    assert unknown_names("Who issues TDOs?", known) == []
    # (a capitalised lay word the vocabulary maps is still a name: "DEMO" is no abbreviation)
    assert unknown_names("Can we ship to DEMO for Huawei?", known) == ["DEMO"]
    assert unknown_names("Did TDK get a licence from BIS for Huawei?", known) == ["TDK"]
    # a name used as a place once is a place everywhere in the question (grade39 Q17)
    oakland = (
        "Our truck for Huawei was on its way to the port of Oakland on the listing day. Was the "
        "Oakland shipment all right?"
    )
    assert unknown_names(oakland, known) == []
    assert "Oakland" in unknown_names("How much did Oakland Corp pay BIS for Huawei?", known)
    # a people's or a region's adjective is no party, whatever its ending (date-11 was refused
    # for "South African"); an invented name beside one still is
    known_too = {"huawei", "entity", "list", "bis", "south"}.__contains__  # ("South Korea")
    for people in ("South African", "Latin American", "Iraqi", "Afghan", "Yemeni", "Turkish"):
        question = f"When did BIS add the {people} companies to the Entity List?"
        assert unknown_names(question, known_too) == [], people
    zorblax = "When did BIS add Zorblax, a South African company, to the Entity List?"
    assert unknown_names(zorblax, known_too) == ["Zorblax"]
    # Far from everything and none of the question's words in the passages: silent.
    assert _evidence(low - 0.1, coverage=0.1).abstain(low, unknown_bar)
    assert not _evidence(low + 0.3).abstain(low, unknown_bar)
    # Not similar, but the passages hold the question's rare words: answered, marked partial.
    plain = _evidence(low - 0.05, coverage=0.8)
    assert not plain.abstain(low, unknown_bar) and plain.partial(low)
    # A section the question names, found: never refused, however far the embedding.
    assert not _evidence(0.1, names_section=True).abstain(low, unknown_bar)
    # Moderately similar, but about something the corpus never names: abstain.
    assert _evidence(unknown_bar - 0.01, 0.9, unknown=("Seagate",)).abstain(low, unknown_bar)
    assert not _evidence(unknown_bar + 0.01, 0.9, unknown=("Seagate",)).abstain(low, unknown_bar)
    # ... but a place the corpus never writes is no such sign: part 760 speaks of "boycotting
    # country Y", never "Israeli origin"
    israeli = replace(_evidence(unknown_bar - 0.01, 0.9, unknown=("Israeli",)), places=("Israeli",))
    assert not israeli.abstain(low, unknown_bar)
    both = replace(israeli, unknown_names=("Israeli", "Seagate"))
    assert both.abstain(low, unknown_bar)
    # ... as a place, not as a nationality naming an institution or a law
    assert used_as_place("Certify that the goods are not of Israeli origin?", "Israeli")
    assert used_as_place("Can we ship pumps to a customer in Lagos?", "Lagos")
    assert used_as_place("Are Israeli-made parts a problem?", "Israeli")
    assert not used_as_place("What does the Israeli data protection authority require?", "Israeli")
    assert not used_as_place("Is our London branch's data subject to Irish privacy rules?", "Irish")


@pytest.mark.parametrize(
    "question",
    [
        # five facts and two sub-questions: far from any one provision, but in the EAR's terms
        "Our Brazilian distributor plans $4k orders of a 3A002.a recorder every three weeks. "
        "Each is under $5k, so we can ship every one under LVS, right?",
        "HR says BAG covers personal laptops. Is that true for our Iranian engineer's laptop?",
        "Is EAR99 freight to a Dubai consignee with a Tehran phone number our problem?",
        "Can we put all 9 gimbal parts in one CCATS request?",
        # "doesn't matter, does it?" asks whether a rule applies
        "A man named in a BIS denial order wants to buy a used EAR99 lathe in Ohio. It's a "
        "domestic sale, so his denial order doesn't matter, does it?",
        # "subject to the EAR" asks what the rules reach
        "(a) a brochure on our 6A001 sonar for a Dubai show; (b) a published handbook for "
        "Wuhan. Are any of these subject to the EAR?",
    ],
)
def test_a_question_in_the_ears_own_terms_is_answered_partial_not_refused(question: str) -> None:
    low, unknown_bar = (
        Settings.model_fields[name].default
        for name in ("min_relevance", "min_relevance_unknown_name")
    )
    e = Evidence.of(question, [], low - 0.05, lambda _t: False, None)
    assert e.ear_terms
    assert not e.abstain(low, unknown_bar) and e.partial(low)
    # the same similarity and coverage without those terms: refused as before
    plain = Evidence(e.similarity, e.coverage, e.names_section, e.unknown_names)
    assert plain.abstain(low, unknown_bar)


@pytest.mark.parametrize(
    "question",
    [
        # EAR terms, but a market fact, not what the rules require
        "Which shipping line has the cheapest rates for EAR99 containers to Rotterdam?",
        "Who is the CEO of the company that makes most 3A090 chips?",
    ],
)
def test_ear_terms_in_a_question_about_no_rule_do_not_keep_it_from_refusal(question: str) -> None:
    low, unknown_bar = (
        Settings.model_fields[name].default
        for name in ("min_relevance", "min_relevance_unknown_name")
    )
    e = Evidence.of(question, [], low - 0.05, lambda _t: True, None)
    assert not e.ear_terms and e.abstain(low, unknown_bar)


@pytest.mark.parametrize(
    "question",
    [
        "How many 3A090 chips did Nvidia ship to China in 2024?",
        "What did Commerce Secretary Lutnick say about 3A090 exports in March 2026?",
        "What was the total penalty in BIS's 2025 settlement with Zorblax over 3A090 sales?",
    ],
)
def test_an_event_the_corpus_does_not_record_is_refused_whatever_ear_terms_it_uses(
    question: str,
) -> None:
    low, unknown_bar = (
        Settings.model_fields[name].default
        for name in ("min_relevance", "min_relevance_unknown_name")
    )
    known = {"chips", "china", "exports", "commerce", "secretary", "march"}.__contains__
    e = Evidence.of(question, [], 0.7, known, lambda _t: 10.0)
    assert e.unknown_subject is not None
    assert e.abstain(low, unknown_bar)


def test_a_question_about_what_happened_to_a_name_the_corpus_never_mentions_is_refused() -> None:
    from assistant.models import SearchResult

    known = {"bis", "add", "entity", "list", "when", "did", "drone", "maker", "code"}
    rules = SearchResult(
        "c", "d", "p", "15 CFR 744.11", "", "Entities are added to the Entity List.", 0, 38, 0.9, {}
    )

    def evidence(question: str) -> Evidence:
        return Evidence.of(question, [rules], 0.75, known.__contains__, None)

    # Close passages (0.75) about the Entity List, but none can say when DJI was added.
    dji = evidence("When did BIS add the drone maker DJI to the Entity List?")
    assert dji.abstain(0.48, 0.5) and dji.reason() == "No document in it mentions DJI."
    assert evidence("How much did Zorblax pay BIS?").abstain(0.48, 0.5)
    # The same name in a question about the rules, or a known name, is answered.
    assert not evidence("Can we sell drones to DJI without a licence?").abstain(0.48, 0.5)
    assert not evidence("When did BIS add the drone maker to the Entity List?").abstain(0.48, 0.5)
    # About what the rules require of a party, whatever its name: answered from the rules.
    assert not evidence("Did we need a licence to ship drones to Zorblax?").abstain(0.48, 0.5)
    assert not evidence("When did Zorblax need a licence for drones?").abstain(0.48, 0.5)
    assert not evidence("Was our sale to Zorblax legal?").abstain(0.48, 0.5)
    # What the rules provide for a named party, not what happened to it: answered.
    assert not evidence("How much could Zorblax be fined for a drone export?").abstain(0.48, 0.5)
    assert not evidence("What fine applies if Zorblax exports drones?").abstain(0.48, 0.5)
    # Asked anywhere in the question, about the name in that clause only.
    assert evidence("So what year did BIS add Zorblax to the Entity List?").abstain(0.48, 0.5)
    assert not evidence(
        "When did BIS add the drone maker to the Entity List, and is Zorblax a drone maker?"
    ).abstain(0.48, 0.5)
    # Typed in capitals: no telling names.
    assert not evidence("WHEN DID BIS ADD THE DRONE MAKER, ROUGHLY?").abstain(0.48, 0.5)
    # Two capitals are a term as often as a name ("HS codes"): left to the thresholds.
    assert not evidence("How many HS codes did BIS add to the Entity List?").abstain(0.48, 0.5)
    # Where a case stands: the corpus cannot know an application it never mentions ...
    status = evidence("What is the current status of our licence application D1234567?")
    assert status.abstain(0.48, 0.5) and status.reason() == "No document in it mentions D1234567."
    # ... or what BIS did with it, asked as a yes/no question
    approved = evidence("Has BIS approved our licence application Z1234567 yet?")
    assert (
        approved.abstain(0.48, 0.5) and approved.reason() == "No document in it mentions Z1234567."
    )
    # ... while the status of a rule it holds is answered, whatever names it carries
    assert not evidence("What is the status of the Entity List drone rule?").abstain(0.48, 0.5)
    assert not evidence("What is the status of the Zorblax drone rule?").abstain(0.48, 0.5)


def test_evidence_reads_coverage_and_named_sections_from_the_passages() -> None:
    from assistant.models import SearchResult

    def passage(citation: str, text: str) -> SearchResult:
        return SearchResult("c", "d", "p", citation, "", text, 0, len(text), 0.3, {})

    tools = passage("15 CFR 740.9(a)(2)", "Tools of trade and baggage may be taken abroad.")
    e = Evidence.of("Can I take tools of trade abroad?", [tools], 0.3, None, None)
    assert e.coverage > 0.6 and not e.names_section
    named = Evidence.of("What is 15 CFR 740.9?", [tools], 0.2, None, None)
    assert named.names_section
    other = Evidence.of("What is 15 CFR 744.11?", [tools], 0.2, None, None)
    assert not other.names_section


def test_filters_admit_by_type_date_and_group() -> None:
    from datetime import date

    meta = {"doc_type": "regulation", "date": "2024-03-01", "access_public": True}
    assert Filters().admits(meta)
    assert Filters(doc_types=["regulation"]).admits(meta)
    assert not Filters(doc_types=["article"]).admits(meta)
    assert Filters(date_to=date(2024, 12, 31)).admits(meta)
    assert not Filters(date_to=date(2023, 12, 31)).admits(meta)
    assert not Filters(groups=["legal"]).admits(meta)
    assert Filters(groups=["legal", "public"]).admits(meta)


def test_a_what_happened_question_naming_a_year_no_close_passage_mentions_is_refused() -> None:
    from assistant.models import SearchResult

    known = {"how", "much", "did", "microsoft", "pay", "bis", "settlement", "when", "huawei"}
    news = SearchResult(
        "c",
        "d",
        "p",
        "CPI Financial, 24 November 2019",
        "",
        "Microsoft received a licence in November 2019 to sell software to Huawei.",
        0,
        70,
        0.8,
        {"date": "2019-11-24"},
    )

    def evidence(question: str) -> Evidence:
        return Evidence.of(question, [news], 0.7, known.__contains__, None)

    settled = evidence("How much did Microsoft pay BIS in its 2023 settlement?")
    assert settled.abstain(0.48, 0.5)
    assert settled.reason() == "None of the closest documents speaks of 2023."
    # the year the passages speak of, or no year at all: answered as before
    assert not evidence("When did Microsoft get its Huawei licence in 2019?").abstain(0.48, 0.5)
    assert not evidence("How much did Microsoft pay BIS?").abstain(0.48, 0.5)
    # a year in a question about what the rules require is not an event
    assert not evidence("Do we need a licence for Huawei under the 2023 rules?").abstain(0.48, 0.5)


def test_a_yes_no_question_about_a_specific_party_no_close_passage_mentions_is_refused() -> None:
    """ "Has BIS revoked the licences of Intel?": the corpus names Intel once, in a list, and
    the closest passages are about another company's licence; quoting them would answer a
    different question. A name much of the corpus carries (BIS) or a destination is left alone."""
    from assistant.models import SearchResult

    known = {"bis", "commerce", "huawei", "intel", "microsoft", "licence", "nicaragua", "change"}
    share = {"bis": 0.3, "commerce": 0.07, "huawei": 0.005, "intel": 0.001, "nicaragua": 0.009}
    news = SearchResult(
        "c",
        "d",
        "p",
        "CPI Financial",
        "",
        "BIS granted Microsoft a licence for Huawei.",
        0,
        42,
        0.8,
        {},
    )

    def evidence(question: str) -> Evidence:
        def idf(t: str) -> float:
            return math.log(1 / share.get(t, 0.0005))

        return Evidence.of(question, [news], 0.7, known.__contains__, idf)

    revoked = evidence("Has BIS revoked the licences that let Intel sell chips to Huawei?")
    assert revoked.abstain(0.48, 0.5)
    assert revoked.reason() == "None of the closest documents speaks of Intel."
    # the party the passages do speak of, or only a name much of the corpus carries: answered
    assert not evidence("Has BIS revoked the licence that let Microsoft sell to Huawei?").abstain(
        0.48, 0.5
    )
    assert not evidence("Did BIS revoke that licence?").abstain(0.48, 0.5)
    # a name much of the corpus carries is implied by passages that do not write it
    assert not evidence("Has Commerce revoked the licence of Microsoft?").abstain(0.48, 0.5)
    # a destination's rule need not write its name; an indefinite or first-person subject asks
    # about the rules, not about what a party did
    assert not evidence("Was Nicaragua moved to another country group?").abstain(0.48, 0.5)
    assert not evidence("We ship to Managua. Did something change for Intel?").abstain(0.48, 0.5)
    assert not evidence("Was our sale to Intel legal?").abstain(0.48, 0.5)
    # the same name in a question about what the rules require: answered from the rules
    assert not evidence("Do we need a licence to sell chips to Intel?").abstain(0.48, 0.5)
    # a party of ours, however named, is a question about the rules
    assert not evidence("Was Intel, our subsidiary, in breach when it resold chips?").abstain(
        0.48, 0.5
    )
    # a name the closest passages' documents carry elsewhere (a rule's list of companies)
    in_list = Evidence.of(
        "Has BIS named Intel as an approved designer?",
        [news],
        0.7,
        known.__contains__,
        lambda t: math.log(1 / share.get(t, 0.0005)),
        lambda t: {"d"} if t == "intel" else set(),
    )
    assert not in_list.abstain(0.48, 0.5)


def test_a_question_demanding_a_dollar_figure_no_close_passage_states_is_refused() -> None:
    from assistant.models import SearchResult

    def passage(text: str) -> SearchResult:
        return SearchResult("c", "d", "p", "15 CFR 764.3(a)", "", text, 0, len(text), 0.8, {})

    pointer = passage(
        "A civil penalty not to exceed the amount set forth in the EAA may be imposed."
    )
    figure = passage("A civil penalty of up to $300,000 per violation may be imposed.")
    question = "What is the maximum civil penalty per violation, in dollars?"
    refused = Evidence.of(question, [pointer], 0.8, None, None)
    assert refused.abstain(0.48, 0.5)
    assert refused.reason() == "None of the closest documents states a dollar amount."
    assert not Evidence.of(question, [figure], 0.8, None, None).abstain(0.48, 0.5)
    # without asking for the figure, the rule on penalties answers it
    asked = "How much could we be fined per violation?"
    assert not Evidence.of(asked, [pointer], 0.8, None, None).abstain(0.48, 0.5)
    # a count is not an amount: "30 billion transistors"
    count = passage("The threshold is 30 billion transistors per integrated circuit.")
    asked_dollars = "What is the dollar value threshold for foundry due diligence?"
    assert Evidence.of(asked_dollars, [count], 0.8, None, None).unstated_figure
    stated = "Do we need a licence for a shipment with a dollar value of $900?"
    assert not Evidence.of(stated, [pointer], 0.8, None, None).unstated_figure


def test_a_how_long_question_is_led_by_the_sentence_giving_the_period() -> None:
    """The sentence sharing most of the question's words ("renewing the temporary denial
    order") is not the answer to "how long"; the one giving the period is."""
    from assistant.answering.extractive import score_sentences
    from assistant.models import SearchResult

    text = (
        "The Assistant Secretary may issue the order renewing the temporary denial order without "
        "a hearing. The temporary denial order will be issued for a period not exceeding 180 days."
    )
    tdo = SearchResult("c", "d", "p", "15 CFR 766.24(b)", "", text, 0, len(text), 0.8, {})
    ask = "How long does a temporary denial order last before renewing?"
    best = max(score_sentences(ask, [tdo]), key=lambda s: s.score)
    assert "180 days" in best.text
    # not asked how long: the words decide, as before
    best = max(
        score_sentences("Who issues an order renewing a denial order?", [tdo]),
        key=lambda s: s.score,
    )
    assert "renewing" in best.text


def test_a_question_naming_a_month_is_led_by_the_document_issued_then() -> None:
    """Two releases on one subject differ in little but their date: the one issued in the month
    the question names leads, though the other shares as many of its words and ranks first."""
    from assistant.answering.extractive import score_sentences
    from assistant.models import SearchResult

    def release(cid: str, text: str, day: str) -> SearchResult:
        meta = {"doc_type": "press_release", "date": day}
        return SearchResult(cid, cid, "p", "press", "", text, 0, len(text), 0.8, meta)

    older = release("r2019", "BIS extended the temporary general license for Huawei.", "2019-05-20")
    later = release("r2020", "BIS extended the temporary general license by 90 days.", "2019-08-19")
    ask = "What did BIS do with the Huawei temporary general license in August 2019?"
    best = max(score_sentences(ask, [older, later]), key=lambda s: s.score)
    assert "90 days" in best.text
    # without a month, the words (and the rank) decide, as before
    plain = "How did BIS extend the Huawei temporary general license?"
    best = max(score_sentences(plain, [older, later]), key=lambda s: s.score)
    assert "Huawei" in best.text


def test_a_question_about_a_stay_is_led_by_what_the_stay_affects() -> None:
    """ "When does the stay end, and which Federal Register notice stayed it?": the sentence a
    recorded stay affects (here the eCFR's own note) leads, shown with its status, though
    another shares more of the question's words ("Federal Register", "notice")."""
    from assistant.answering.extractive import compose_extractive
    from assistant.models import SearchResult
    from assistant.status import StatusNote, dump_notes

    note_text = "At 90 FR 50857, in 744.11, paragraph (a)(1) was stayed until Nov. 9, 2026."
    other = "BIS may inform you by a notice in the Federal Register that a rule applies to you."
    note = StatusNote("stay", note_text, 0, len(note_text), "15 CFR 744.11")
    meta = {"doc_type": "regulation", "status_notes": dump_notes([note])}
    # the passage with the other sentence is the closer one
    closer = SearchResult("o", "o", "o", "15 CFR 744.21(b)", "", other, 0, len(other), 0.6, {}, 0.6)
    p = SearchResult(
        "c", "d", "p", "15 CFR 744.11", "", note_text, 0, len(note_text), 0.3, meta, 0.3
    )

    def notes_of(_p: SearchResult, a: int, b: int) -> list[str]:
        said = "Stay ended: 90 FR 50857 stayed (a)(1) until Nov. 9, 2026."
        return [said] if _p is p and note.touches(a, b) else []

    def lead(question: str) -> str:
        answer = compose_extractive(
            question,
            [closer, p],
            min_relevance=0.0,
            min_relevance_unknown_name=0.0,
            notes_of=notes_of,
        )
        return answer.lead

    assert "50857" in lead(
        "When does the stay on the rule end, and which Federal Register notice stayed it?"
    )
    assert "inform" in lead("Which Federal Register notice tells you that a rule applies to you?")


def test_a_question_demanding_a_percentage_or_a_fee_none_states_is_refused() -> None:
    from assistant.models import SearchResult

    def passage(text: str) -> SearchResult:
        return SearchResult("c", "d", "p", "15 CFR 748.3(a)", "", text, 0, len(text), 0.8, {})

    procedure = passage("BIS assigns each of its commodity classifications a CCATS number.")
    fee = Evidence.of(
        "How much does BIS charge for a classification request?", [procedure], 0.8, None, None
    )
    assert fee.abstain(0.48, 0.5)
    assert fee.reason() == "None of the closest documents states a fee."
    share = "What percentage of U.S. chip exports went to China in 2022?"
    assert Evidence.of(share, [procedure], 0.8, None, None).reason() == (
        "None of the closest documents states a percentage."
    )
    # a passage stating one of that kind answers it; a question stating its own asks else
    de_minimis = passage("The de minimis level is 25 percent of the foreign item's value.")
    asked = "What percentage of U.S. content makes a foreign item subject to the EAR?"
    assert not Evidence.of(asked, [de_minimis], 0.8, None, None).abstain(0.48, 0.5)
    own = "Is 20% U.S. content too much? What percentage is the limit?"
    assert not Evidence.of(own, [procedure], 0.8, None, None).unstated_figure


def test_a_figure_is_looked_for_in_the_closest_paragraphs_not_their_whole_sections() -> None:
    """Found by an attack: the EEI threshold ($2,500, 758.1(b)(5)) sits in another chunk than
    the 758.1(b) that ranked first; 764.3's criminal fines are no answer about its civil
    penalty; "the charges in a charging letter" asks for no price; the question's own word
    "fee" is not a fee."""
    from assistant.models import SearchResult

    def chunk(n: int, citation: str, text: str) -> SearchResult:
        meta = {"doc_type": "regulation"}
        return SearchResult(f"c{n}", "d", "p", citation, "", text, 0, len(text), 0.8, meta)

    opening = chunk(1, "15 CFR 758.1(b)", "(b) EEI must be filed in the following situations:")
    item = chunk(2, "15 CFR 758.1(b)(5)", "(5) For exports valued over $2,500 per Schedule B.")
    civil = chunk(3, "15 CFR 764.3(a)(1)", "A civil penalty not to exceed the amount in the EAA.")
    criminal = chunk(4, "15 CFR 764.3(b)", "A fine of not more than $1,000,000 may be imposed.")
    sections = {"758.1": [opening, item], "764.3": [civil, criminal]}

    def lookup(query: str) -> list[SearchResult]:
        return next((v for k, v in sections.items() if k in query), [])

    def refused(question: str, top: SearchResult) -> bool:
        return Evidence.of(question, [top], 0.8, None, None, lookup=lookup).abstain(0.48, 0.5)

    assert not refused("Above what dollar value threshold must EEI be filed?", opening)
    assert refused("What is the civil penalty per violation, in dollars?", civil)
    assert not refused("What are the charges in a charging letter?", civil)
    assert refused("What is the fee for a commodity classification request?", civil)


def test_a_specific_name_the_closest_passages_mention_keeps_a_far_question_from_refusal() -> None:
    """A message of many facts embeds far from the rule that listed its party: the party's rare
    name in one of the closest passages says the corpus speaks of it."""
    from assistant.models import SearchResult

    low, unknown_bar = (
        Settings.model_fields[name].default
        for name in ("min_relevance", "min_relevance_unknown_name")
    )
    rule = SearchResult(
        "c", "d", "p", "FR Doc. 2024-31468", "",
        "The ERC determined to add Peng Cheng Laboratory, under the destination of China.",
        0, 80, 0.44, {},
    )  # fmt: skip
    rare = {"peng": 9.0, "cheng": 9.0}
    question = (
        "We co-write a paper with Peng Cheng Laboratory and share code on our GitHub repo. "
        "Someone said they are on a list now. What changes?"
    )
    seen = Evidence.of(question, [rule], low - 0.05, lambda _t: False, lambda t: rare.get(t, 1.0))
    assert seen.seen_name == "Peng" and not seen.abstain(low, unknown_bar)
    # a name the passages do not mention, or a common one, keeps the old refusal
    other = question.replace("Peng Cheng Laboratory", "Zorblax Institute")
    assert Evidence.of(
        other, [rule], low - 0.05, lambda _t: False, lambda t: rare.get(t, 1.0)
    ).abstain(low, unknown_bar)
    common = Evidence.of(question, [rule], low - 0.05, lambda _t: False, lambda _t: 1.0)
    assert not common.seen_name and common.abstain(low, unknown_bar)


def test_an_abbreviation_counts_as_the_words_the_passages_use_for_it() -> None:
    """ "How long do TDOs last?": the passages write "temporary denial order", never "TDO", so
    counting the abbreviation itself left the rarest word of the question unfound and refused
    a question the corpus answers (766.24(b)(4): "not exceeding 180 days")."""
    from assistant.models import SearchResult

    text = "(4) The temporary denial order will be issued for a period not exceeding 180 days."
    passage = SearchResult("c", "d", "p", "15 CFR 766.24(b)", "", text, 0, len(text), 0.3, {})
    # (as in the mirror: the abbreviation never occurs, so it weighs most)
    idf = {"tdo": 9.0, "uvl": 9.0, "temporary": 2.5, "denial": 2.5, "order": 2.5}.get
    e = Evidence.of(
        "How long do TDOs last?", [passage], 0.3, lambda _t: True, lambda t: idf(t) or 4.0
    )
    assert e.coverage >= 0.3 and not e.abstain(0.48, 0.5)
    # the same question about a word the passages lack is still not covered
    e = Evidence.of(
        "How long do UVLs last?", [passage], 0.3, lambda _t: True, lambda t: idf(t) or 4.0
    )
    assert e.coverage < 0.3 and e.abstain(0.48, 0.5)


def test_spell_out_writes_the_question_in_the_regulations_words() -> None:
    from assistant.index.vocabulary import spell_out

    assert spell_out("How long do TDOs last?") == "How long do temporary denial orders last?"
    assert (
        spell_out("Is a TDO like the DPL?")
        == "Is a temporary denial order like the Denied Persons List?"
    )
    assert spell_out("a tdo, TDOX and STDO") == "a tdo, TDOX and STDO"
