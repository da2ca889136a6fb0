"""Questions about another regime than the EAR are refused, naming it; questions that name one
in passing while asking about the EAR are not."""

from __future__ import annotations

import pytest

from assistant.answering.extractive import compose_extractive
from assistant.answering.scope import outside_corpus, unaddressed_regime
from assistant.models import NOT_COVERED, SearchResult

ELSEWHERE = {
    # export finance, FDA's certificates, Singapore's and India's own controls (grade39)
    "Can we get EXIM Bank credit insurance for a sale of pumps to Kenya?": "Export-Import",
    # EAR99 among the facts, and EXIM's own test of U.S. content: its question still (grade39)
    "We're a small exporter of EAR99 irrigation equipment with a $1.2 million order from a "
    "Kenyan agribusiness. Can we get EXIM Bank export credit insurance for this deal, and does "
    "EXIM require a minimum share of US content?": "Export-Import",
    "A Brazilian distributor says ANVISA needs a Certificate to Foreign Government. How do we "
    "request one from FDA, and how long does it take?": "FDA",
    "Do we need a transhipment permit from Singapore Customs under the Strategic Goods "
    "(Control) Act for test sets routed through our Singapore hub?": "other",
    "Our Indian subsidiary makes flight controllers with no US content. Does it need a SCOMET "
    "licence from DGFT to export them to the UAE?": "other",
    # the country's own licensing authority and control list (grade42 Q4, Q40)
    "Does our Perth subsidiary need a permit from Australia's Defence Export Controls office "
    "under the Defence Trade Controls Act to send DSGL-listed sonar parts to Singapore?": "other",
    "Our Taiwan subsidiary wants to ship machine tools on Taiwan's Strategic High-Tech "
    "Commodities (SHTC) list to Vietnam. Does it need an export permit from Taiwan's Bureau of "
    "Foreign Trade, and does Taiwan's own entity list add anything?": "other",
    # OFAC's price cap; CBP's low-value entries, whose "de minimis" is not the EAR's (grade38)
    "A Greek owner wants us to insure Russian-origin crude bought at $58/bbl. Is that under "
    "the G7 price cap, and what attestations do we need?": "OFAC",
    "Can the drone parcels from Shenzhen still come in under the $800 Section 321 de minimis? "
    "Do we need a Type 86 entry?": "customs",
    # another agency's export rules, and Canada's own permits (grade38)
    "We sell pseudoephedrine (a List I chemical) to a distributor in Mexico. Do we need a DEA "
    "export permit or only a DEA Form 486 declaration?": "DEA",
    "Our Toronto subsidiary builds units in Canada with no US content. Does it need a Global "
    "Affairs Canada export permit under the Export Control List to ship them to Israel?": "other",
    # from an attack: a party the news article names, asked about beside export controls
    "What is Brad Smith's role at Microsoft and how much is he paid?": "personal",
    "What is Huawei's current share price and is it a good investment?": "personal",
    "Which USML category covers our night-vision goggles?": "ITAR",
    "Do we file a DSP-5 with DDTC for the prototype?": "ITAR",
    "Which OFAC general license covers wind-down payments to the bank?": "OFAC",
    "Is there a specific licence from OFAC for remittances to Cuba?": "OFAC",
    "Does OFAC's Syria General License 25 still cover the payments?": "OFAC",
    "What does Article 2 of Regulation 428/2009 say about brokering?": "EU",
    "Which entry of Switzerland's Export Control List covers it?": "countries",
    "Does Article 4 of Regulation (EU) 2021/821 apply to our Dutch subsidiary?": "EU",
    "Do we need an EU export authorisation for the Lyon shipment?": "EU",
    "Under Regulation (EU) 2021/821, does our Paris office need a licence for 5A002 items?": "EU",
    "Can we use the UK's open general export licence for this?": "UK",
    "How long does the Export Control Joint Unit take on a SIEL?": "UK",
    "Under Japan's Foreign Exchange and Foreign Trade Act, is a notification needed?": "countries",
    "Does China's Export Control Law reach our Shenzhen plant?": "countries",
    "Is a 5% stake by a Gulf fund a mandatory CFIUS declaration?": "CFIUS",
    "Which HTS code and Section 301 duty apply to our solar inverters?": "tariffs",
    "Which Schedule B number do we report for lithium cells?": "tariffs",
    "Is a $300 cash 'expediting fee' at the port a permitted facilitating payment under the "
    "FCPA?": "anti-bribery",
    "Under Article 12g of EU Regulation 833/2014, must our Dutch subsidiary put a 'no re-export "
    "to Russia' clause in its Kazakh contracts?": "EU's",
    # the EAR words are the message's facts; every question it asks is another regime's
    "Our Chinese subsidiary refused an order from a customer on the U.S. Entity List. What is "
    "our exposure under Chinese law, and can we apply to MOFCOM for an exemption?": "countries",
    "We refused an order from an Entity List customer. Could that get us put on China's "
    "Unreliable Entity List?": "countries",
    "A rejected applicant filed a charge with DOJ's Immigrant and Employee Rights Section over "
    "our 'U.S. citizens only due to export controls' ad. How long do we have to respond to "
    "IER?": "employment",
    "How do we set up an IC-DISC to cut federal income tax on our export sales?": "tax",
    # an ECCN names the goods taxed, not an EAR question
    "What is the VAT rate in Germany on 4A003 computers?": "tax",
    # "no US content" says the EAR does not reach it
    "Our German plant makes Annex I chips with no US content. Does it need a BAFA licence under "
    "EU Regulation 2021/821 to ship them to Switzerland?": "EU",
    # a customs claim on goods "re-exported": the EAR's word, the customs regime's question
    "Can we claim a customs duty drawback on re-exported parts?": "tariffs",
    "How do we file a drawback claim for goods we imported and then exported?": "tariffs",
    "Does a Part 810 authorization cover reactor software sent to Brazil?": "nuclear",
    "Does China’s Ministry of Commerce require a licence to export gallium?": "countries",
    "Do we need an OFAC license to pay an invoice to a Cuban supplier?": "OFAC",
    "What is on the UK Strategic Export Control List?": "UK",
    "Do I need a State Department licence to export a rifle scope?": "ITAR",
    "Which USML\u200b category covers the sight?": "ITAR",
    # buying or importing, nothing leaving the United States
    "A Russian supplier wants to sell us titanium sheet; can we buy it?": "importing",
    "Our Dallas subsidiary will purchase a machine tool from a Chinese supplier; is it allowed?": (
        "importing"
    ),
}

ABOUT_THE_EAR = [
    # a country's own permit or list beside the EAR's licence or Entity List
    "Does our Taiwan subsidiary need an export permit from Taiwan's Bureau of Foreign Trade, "
    "and a US licence, to ship US-origin 3A001 chips to China?",
    "Is our Taiwan customer on the Entity List, or only on Taiwan's own entity list?",
    "Can we export 3A001 parts to Taiwan's largest chipmaker?",
    # EXIM beside an EAR question: the EAR's part is answered
    "Can we get EXIM insurance for the Kenya deal, and do we need an export licence for it?",
    "EXIM is financing the deal. Do we need a licence to ship 5A992 routers to Kenya?",
    "Our EXIM-backed buyer in Kenya wants the pumps. Is the US content above the de minimis "
    "level for reexport?",
    # a product's FDA clearance beside an export question
    "Our FDA-cleared infusion pumps are EAR99. Can we ship them to a hospital in Tehran?",
    # the same words beside the EAR's own question
    "Is paying a bribe to a customs officer an export violation under the EAR?",
    "Do the EAR's re-export rules reach our Dutch subsidiary's sales to Kazakhstan, beside "
    "Article 12g?",
    # another regime's word in a question that asks to ship or about a licence (an attack)
    "Under Chinese law our distributor can't give us end-use information, so can we ship "
    "without it?",
    "Our Suzhou customer was put on the Unreliable Entity List last week. Can we still ship "
    "them our 3A991 chips from Texas?",
    "Would rejecting the Iranian applicant be citizenship-status discrimination, or do we need "
    "a licence before she sees our 3E001 source code?",
    # another country's law asked about beside U.S. law or the EAR
    "Our customer is on the Entity List. What are our obligations under Chinese law and U.S. law?",
    "We got a MOFCOM export licence for Chinese-made parts with US content. Do we still need "
    "anything from BIS?",
    "Can our job ad say U.S. citizens only because of the EAR's deemed export rules, or is that "
    "citizenship-status discrimination?",
    # a regime named in passing, the question about the EAR
    "OFAC gave us a specific licence for the deal. Do we also need a BIS licence?",
    "Is an ITAR-controlled part in our radar also subject to the EAR?",
    "Our UK subsidiary resells US chips: does the de minimis rule apply?",
    "Does License Exception ENC cover encryption software sent to our EU customers?",
    # a country or agency named as a fact, not as the law asked about
    "Can our London branch take a company laptop to China?",
    "Is a Japanese bank a government end user for License Exception ENC?",
    "We sell tariff-planning software to a Chinese firm. Does it need a licence?",
    "Our German affiliate adds 20% US content to a machine for Iran: is that a problem?",
    "We hold a DDTC licence for the aircraft; how early must we tell Commerce about the parts?",
    "The satellite is under an ITAR licence; does the 5D002 ground software need more?",
    # found by an attack on the first version: each a class of wrong refusal
    "Does our UK subsidiary need a licence to re-export a US-origin controller to Turkey?",
    "Do we need an export licence for a 5A002 item going to a customer in the European Union?",
    "If OFAC grants a specific license for the Iran shipment, is an export licence still needed?",
    "Are ITAR-listed spacecraft parts counted when calculating US content of a foreign satellite?",
    "Does a license exception apply to ITAR-controlled parts in a foreign item?",
    "Does HTS code 8471.30 require a licence for export to Russia?",
    "Can we sell 3A090 chips to a customer on the Military End User List?",
    # importing as well as exporting: the export is asked about
    "We import parts from China and then ship assemblies to Iran; do we need a licence?",
    "A Russian supplier wants to sell us titanium; can we resell it to a firm in Turkey?",
    # found by an attack: bought first, then something the EAR governs
    "We purchased 3A001 chips from a distributor; can we transfer them to our affiliate in China?",
    "Our company purchased design software; can our Chinese employees in California access it?",
    "Can we transfer technology to our importer in India?",
    "When is an import certificate required for a licence application?",
    "What is the most important step before releasing technology to a foreign national?",
    "After repair in Germany the unit is re-imported; can we provide it to a customer in India?",
    "I purchased night vision goggles; can I travel with them to Mexico?",
    # the EAR's ordinary trade words still make the question the EAR's beside another regime
    "Does our UK subsidiary need a UK export licence to re-export a US-origin controller?",
    "Is a drawback claim affected if we need a licence to re-export the parts?",
    # someone buying what is ours is our sale
    "A university in Hefei wants to buy 300 of our rack servers (4A994). Anything special?",
    "can huawei buy our laptops?",
    # tax words beside the EAR's own licensing question
    "Do we need an export licence for 5A002 items, and what VAT applies in Germany?",
    "Our German plant makes machines with no US-origin parts but adds a US-made 3A001 board. "
    "Does the EAR reach it?",
    # the EAR's own support document, though MOFCOM issues it
    "Do we need a PRC End-User Statement, and can we apply before MOFCOM issues it?",
    "Can we invest in a Chinese chip start-up and send it our 3A090 designs?",
    "We pay our engineer's salary in China; can he access 3E001 technology?",
    "Do we need a DEA permit and an export licence for the 1C350 precursors to Mexico?",
    "Is the de minimis level for 3A001 content in a Malaysian-made board 25%?",
    # another regime only in a claim the asker checks, and a question about shipping
    "A smelter in India wants our crushed hull sections. Our broker says anything from the "
    "military is ITAR and needs a State Department licence. Is that right, and what might CBP "
    "ask us for at export?",
]


@pytest.mark.parametrize("question", list(ELSEWHERE))
def test_a_question_about_another_regime_names_it(question: str) -> None:
    regime = unaddressed_regime(question)
    assert regime is not None, question
    assert ELSEWHERE[question] in regime.name or ELSEWHERE[question] in regime.name.split()[0:3]


@pytest.mark.parametrize("question", ABOUT_THE_EAR)
def test_a_question_about_the_ear_is_not_refused_for_naming_another(question: str) -> None:
    assert unaddressed_regime(question) is None


def test_the_refusal_says_which_regime_and_what_the_corpus_holds() -> None:
    passage = SearchResult(
        chunk_id="c1",
        doc_id="15-cfr-734.3",
        source_path="regulation/ecfr/15-CFR-734.3.txt",
        citation="15 CFR 734.3(b)(1)",
        title="Items subject to the EAR",
        text="(1) Items that are exclusively controlled for export by the Department of State "
        "under the International Traffic in Arms Regulations.",
        start=0,
        end=120,
        score=1.0,
        metadata={"doc_type": "regulation"},
        similarity=0.9,
    )
    answer = compose_extractive(
        "Which USML category covers our thermal weapon sight?",
        [passage],
        min_relevance=0.48,
        min_relevance_unknown_name=0.5,
    )
    assert answer.abstained and answer.citations == []
    assert answer.answer.startswith(NOT_COVERED)
    assert "the ITAR" in answer.answer and "EAR (15 CFR parts 730-774)" in answer.answer
    regime = unaddressed_regime("Which USML category covers our thermal weapon sight?")
    assert regime is not None and outside_corpus(regime) in answer.answer


@pytest.mark.parametrize(
    "question",
    [
        # the claim is all it asks about
        "Our broker says this is ITAR and needs a State Department licence. Is that right?",
        # the regime is asked about in the asker's own words
        "Do we need a State Department licence to export night vision goggles to Brazil?",
    ],
)
def test_a_regime_asked_about_in_a_claim_alone_or_in_own_words_is_still_named(
    question: str,
) -> None:
    regime = unaddressed_regime(question)
    assert regime is not None and "ITAR" in regime.name


def test_a_boycott_certificate_over_bought_parts_is_not_an_import_question() -> None:
    """Grade39 Q16 was refused as a question about importing: 'US-made breakers bought from
    time to time' beside a boycott certification is part 760's."""
    question = (
        "Our German subsidiary bids on a tender in a country that enforces the Arab League "
        "boycott and must certify that no components come from blacklisted companies. It builds "
        "from US-made breakers bought from time to time. Does the antiboycott rule reach it?"
    )
    assert unaddressed_regime(question) is None
