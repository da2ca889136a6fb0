"""Finding the passages for a question: dense and BM25 candidates, one fused score each.

Why each step:
- Dense retrieval finds paraphrases; BM25 finds exact terms (ECCNs, defined terms, "licence"
  and "license" alike). The candidates are the union of the 50 nearest chunks (exact, over the
  snapshot's vectors; from Chroma's index above TPA_DENSE_EXACT_MAX_CHUNKS) and the 50 best
  BM25 chunks.
- A legal reference in the question ("744.11", "§ 740.17(b)(3)", "84 FR 22961") is an explicit
  request: every chunk whose citation matches it joins the candidates and gains a bonus.
- Each candidate gets one score (`assistant.retrieval.scoring`: cosine + weighted, normalised
  BM25 + reference bonus) and the top k by that score are returned, as they rank: nothing
  limits how many come from one document.
Filters (doc_type, date range, access groups) apply inside both retrievers, so nothing outside
them is ever scored, let alone returned. A caller limited to some groups goes further: every
statistic behind their scores (BM25 term rarity and average length, the candidate cuts, the
nearest neighbours) comes from the chunks they may read alone (`CorpusSnapshot.view`), so a
document outside their groups cannot move their scores, ranks or abstention either.
"""

from __future__ import annotations

import logging
import math
import os
import re
import threading
import time
from collections.abc import Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import replace
from typing import Any

import numpy as np

from assistant.index.embeddings import embed_query
from assistant.index.snapshot import CorpusSnapshot, corpus_version, load_or_build
from assistant.index.store import Store, StoreUnavailable
from assistant.index.term_stats import term_stats
from assistant.index.tokenize import tokenize
from assistant.index.vocabulary import expand_query
from assistant.models import Filters, SearchResult, is_federal_register
from assistant.retrieval.features import (
    asked_dates,
    asks_legal_status,
    asks_when_done,
    authority_score,
    dated_match,
    defined_terms,
    defines,
    definitions_pattern,
    heading_matches,
    heading_terms,
)
from assistant.retrieval.references import asks_about_whole, citation_match, legal_references
from assistant.retrieval.scoring import WEIGHTS, Features, Weights, rank, reference_match
from assistant.retrieval.stay_subject import ASKS_STATUS, StayTexts, stay_subject

log = logging.getLogger(__name__)

CANDIDATES = 50  # chunks each retriever contributes before fusion
_STAY_PLACE = 5  # the place a provision of a stay asked about takes, at the latest
_DEFINITION_PLACE = 3  # ... and a passage defining the term a question asks about
# ... and the date the rule asked about took effect, second: after the passage saying what the
# rule did (it names the rule), before everything else (the date is what was asked)
_EFFECTIVE_PLACE = 2
SECTION_LIMIT = 40  # chunks `Retriever.section` reads of one section at most
OPENING_GAIN = 0.5  # share of the reference bonus a named section's opening chunk adds
# A section asked about as a whole: its first chunk gains this (times the reference weight,
# so 1.2 at 0.3: more than the cosines of its chunks differ by for a question with no words to
# match), each later one this share of the one before, so they come in the section's order.
_ORDER_GAIN = 4.0
_ORDER_DECAY = 0.8
_RELOAD_CHECK_S = 5.0
# The ledger is compared at least this often even when the change mark stands still: a run
# killed between its ledger write and its mark (or a hand edit of the store) moves none.
_FULL_CHECK_S = 60.0
# Large corpora, dense candidates from Chroma without a `where` (see `Retriever._dense`): ask
# for this many times the neighbours the caller's share of the corpus needs, at most so many,
# and only when that share is at least this (a narrower view gets the `where` query).
_DENSE_OVERFETCH = 1.5
_DENSE_FETCH_MAX = 400
_DENSE_UNFILTERED_MIN_SHARE = 0.25
_DENSE_THREADS = 16  # at least; more when more requests may run at once


def _dense_pool(concurrency: int = 0) -> ThreadPoolExecutor:
    """The threads Chroma's nearest neighbours are asked on while BM25 scores the view (a
    million chunks: ~15 ms waiting on the server beside ~25 ms of scoring here); one per
    answer in flight (`concurrency`: the requests the server runs at once; the Slack bot
    and the eval run fewer than the 16 kept at least), so none waits for a thread. Made per
    process: a forked child would inherit a pool whose threads it does not have."""
    global _pool, _pool_pid
    size = max(_DENSE_THREADS, 2 * concurrency)
    with _pool_lock:
        if _pool is None or _pool_pid != os.getpid() or _pool._max_workers < size:
            if _pool is not None and _pool_pid == os.getpid():
                _pool.shutdown(wait=False)  # (its queries in flight finish on their threads)
            _pool = ThreadPoolExecutor(size, thread_name_prefix="tpa-dense")
            _pool_pid = os.getpid()
        return _pool


_pool: ThreadPoolExecutor | None = None
_pool_pid = 0
_pool_lock = threading.Lock()
_DOC_TYPE_SHARE = 0.25  # assumed share of a document-type filter (unknown to the snapshot)


class Retriever:
    """Hybrid retrieval over one store; reloads its corpus snapshot when the corpus changes.

    The in-memory snapshot (texts, metadata, vectors, BM25) is what results are made of, so a
    request sees one consistent corpus. Every few seconds one request checks the ledger's
    version; if it changed, that request rebuilds the snapshot while the others keep being
    served from the previous one."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self._lexical: CorpusSnapshot | None = None
        self._checked = 0.0
        self._mark: str | None = None  # the change mark read before the last full check
        self._full_checked = 0.0
        self._building = threading.Lock()
        self._dense_warned = False

    def lexical(self) -> CorpusSnapshot:
        """The snapshot to serve from. The first is loaded or built before anything is served;
        after that, at most every `_RELOAD_CHECK_S`, the ledger is compared with it on a
        background thread (`refresh`) while every request goes on with the snapshot in hand:
        a check that finds the change mark moved reads the ledger (the records written since
        the last look, `assistant.index.ledger_follow`; now and then the whole ledger, seconds
        at a million chunks), which the one request that found the check due used to wait for.
        A zero interval checks on the request itself, the ledger every time (tests that must
        see every write), unless a check is under way."""
        current = self._lexical
        if current is not None and time.monotonic() - self._checked <= _RELOAD_CHECK_S:
            return current
        if current is None:
            # the first build, waited for by every request (one builds, the others then find
            # it made and fresh)
            with self._building:
                return self._check(force=False)
        if not self._building.acquire(blocking=False):
            return current  # a check is under way: the snapshot in hand meanwhile
        if _RELOAD_CHECK_S <= 0:
            try:
                return self._check(force=True)
            finally:
                self._building.release()
        try:
            threading.Thread(
                target=self._refresh_in_background, name="snapshot-refresh", daemon=True
            ).start()
        except Exception:  # no thread to spare: serve what is in hand, check on a later request
            self._building.release()
            log.exception("could not start the snapshot check; serving the snapshot in hand")
        return current

    def refresh(self) -> CorpusSnapshot:
        """Compare the ledger with the snapshot in hand now, and load or build a new one if the
        store moved on (waits for a check under way on another thread)."""
        with self._building:
            return self._check(force=True)

    def _refresh_in_background(self) -> None:
        try:
            self._check(force=False)
        except StoreUnavailable as exc:
            # (not again before the next interval: a store that is down would otherwise get a
            # check, and the log a line, for every request)
            self._checked = time.monotonic()
            log.warning("snapshot check: %s; serving the snapshot in hand", exc)
        except Exception:
            log.exception("snapshot check failed; serving the snapshot in hand")
        finally:
            self._building.release()

    def _check(self, force: bool) -> CorpusSnapshot:
        """The body of a check, under `_building`: only one runs at a time. A snapshot in hand
        that the check cannot replace (the store failed mid-build) is kept.

        A periodic check first reads the store's change mark: unchanged since the last full
        check, and that check less than `_FULL_CHECK_S` ago, nothing was written (a complete
        snapshot stays). Otherwise, and always when forced, the ledger is compared."""
        current = self._lexical
        if current is None or force or time.monotonic() - self._checked > _RELOAD_CHECK_S:
            try:
                mark = self._ledger_mark()
                if (
                    not force
                    and current is not None
                    and current.complete
                    and mark is not None
                    and mark == self._mark
                    and time.monotonic() - self._full_checked <= _FULL_CHECK_S
                ):
                    self._checked = time.monotonic()
                    return current
                version = corpus_version(self.store)
                if (
                    current is None
                    or version != current.version
                    or (not current.complete and self.store.count() != current.chunks_seen)
                ):
                    current = self._lexical = load_or_build(self.store, version, current)
                # (only once the check succeeded: a failed rebuild is tried again next time)
                self._mark, self._full_checked = mark, time.monotonic()
            except StoreUnavailable:
                raise
            except Exception:
                if current is None:
                    raise
                # The snapshot in hand is consistent: serve it, and try again next check.
                log.exception("rebuilding the lexical index failed; serving the previous one")
            self._checked = time.monotonic()
        assert current is not None
        return current

    def _ledger_mark(self) -> str | None:
        """The store's change mark, or None (the ledger is then read whole) when reading it
        failed with anything but the store being down."""
        try:
            return self.store.ledger_mark()
        except StoreUnavailable:
            raise
        except Exception:
            log.exception("reading the ledger's change mark failed; reading the whole ledger")
            return None

    def _dense(
        self, vector: Sequence[float] | np.ndarray, filters: Filters, share: float
    ) -> list[tuple[str, float]]:
        """Chroma's nearest chunks, (chunk_id, cosine), for large corpora (the snapshot holds no
        vectors). The index is asked without a `where`, for enough neighbours that about
        CANDIDATES of them fall in the caller's view (`share` of the chunks): Chroma evaluates a
        metadata filter over every matching record before its search (over 100 ms at 10k
        chunks here, growing with the corpus), while the search alone takes a few. Ids outside
        the view are dropped by the caller, and no text comes from Chroma, so nothing
        unreadable is ever a candidate. A narrow view (under a quarter of the corpus, a
        document-type filter counted as a quarter) gets the `where` query."""
        try:
            if share < _DENSE_UNFILTERED_MIN_SHARE:
                return self.store.nearest(vector, CANDIDATES, where=filters.where())
            wanted = math.ceil(CANDIDATES * _DENSE_OVERFETCH / share)
            return self.store.nearest(vector, min(_DENSE_FETCH_MAX, wanted))
        except StoreUnavailable:
            raise
        except Exception as exc:
            if self.store.settings.chroma_host:
                raise
            # An embedded Chroma keeps its vector index per process: after another process
            # (`tpa ingest`) replaced chunks, this one's can point at deleted records ("Error
            # finding id"). BM25 and reference candidates still answer, their cosines read by id.
            if not self._dense_warned:
                self._dense_warned = True
                log.warning("embedded Chroma query failed (%s); no dense candidates", exc)
            return []

    def _cosines(
        self,
        lexical: CorpusSnapshot,
        idx: np.ndarray,
        q: np.ndarray,
        dense: list[tuple[str, float]],
    ) -> np.ndarray:
        """Candidates' cosine similarity when the snapshot holds no vectors: Chroma's for its own
        hits, and the stored vectors of the others (BM25 and reference candidates) read by id
        in one request. Chunk ids name their text, so a stored vector is the snapshot's own; a
        chunk deleted since the snapshot was taken (its document re-ingested) scores 0."""
        known = dict(dense)
        ids = [lexical.ids[int(i)] for i in idx]
        missing = [cid for cid in ids if cid not in known]
        if missing:
            for cid, vec in self.store.embeddings_of(missing).items():
                if vec.shape == q.shape:
                    known[cid] = float(vec @ q)
        return np.array([known.get(cid, 0.0) for cid in ids], dtype=np.float32)

    def retrieve(
        self,
        query: str,
        k: int = 10,
        filters: Filters | None = None,
        vector: Sequence[float] | np.ndarray | None = None,
        index: CorpusSnapshot | None = None,
        weights: Weights = WEIGHTS,
        implied: Sequence[str] = (),
    ) -> list[SearchResult]:
        """Top-k passages; `index` pins the snapshot (one answer uses one corpus version);
        `implied` adds sections the question implies without naming them (see `candidates`)."""
        return ranked(self.candidates(query, filters, vector, index, implied), k, weights)

    def section(
        self,
        section: str,
        filters: Filters | None = None,
        index: CorpusSnapshot | None = None,
        limit: int = SECTION_LIMIT,
    ) -> list[SearchResult]:
        """The chunks of one regulation section ("746.2") the caller may read, in the
        section's own order, at most `limit`. Not a ranking: a rule that quotes what a section
        says in its paragraph on licence exceptions or review policy needs that paragraph
        whatever a query would rank first (the limit on places per document keeps most of a
        section out of any top k)."""
        filters = filters or Filters()
        view = (index or self.lexical()).view(filters.groups)
        rows = [
            i
            for i in view.citing([section])
            if citation_match(str(view.metas[i].get("citation", "")), section) == 1.0
            and view.metas[i].get("doc_type") == "regulation"
            and filters.admits(view.metas[i])
        ]
        rows.sort(
            key=lambda i: (str(view.metas[i].get("doc_id", "")), int(view.metas[i].get("start", 0)))
        )
        return [_result(view.ids[i], 0.0, view.texts[i], view.metas[i], 0.0) for i in rows[:limit]]

    def document(
        self,
        citation: str,
        filters: Filters | None = None,
        index: CorpusSnapshot | None = None,
    ) -> list[SearchResult]:
        """The chunks of the document cited as `citation` ("FR Doc. 2025-19508") the caller may
        read, in the document's order: what a rule says after the sentence that adds a party
        may sit in the next chunk, which no query for the party's name ranks."""
        filters = filters or Filters()
        view = (index or self.lexical()).view(filters.groups)
        rows = [
            i
            for i in view.citing([citation])
            if view.metas[i].get("citation") == citation and filters.admits(view.metas[i])
        ]
        rows.sort(key=lambda i: int(view.metas[i].get("start", 0)))
        return [_result(view.ids[i], 0.0, view.texts[i], view.metas[i], 0.0) for i in rows]

    def matching(
        self,
        words: str,
        k: int,
        filters: Filters | None = None,
        index: CorpusSnapshot | None = None,
    ) -> list[SearchResult]:
        """The k chunks the caller may read that best match `words` by BM25 alone. For a name
        the question gives ("Supra Tech Sdn Bhd"): ranked among all the question's words, the
        one chunk that names it may fall below the top k."""
        filters = filters or Filters()
        view = (index or self.lexical()).view(filters.groups)
        scores = view.scores(words)
        rows = [i for i in view.top(scores, 4 * k) if filters.admits(view.metas[i])][:k]
        return [
            _result(view.ids[i], float(scores[i]), view.texts[i], view.metas[i], 0.0) for i in rows
        ]

    def candidates(
        self,
        query: str,
        filters: Filters | None = None,
        vector: Sequence[float] | np.ndarray | None = None,
        index: CorpusSnapshot | None = None,
        implied: Sequence[str] = (),
    ) -> Found | None:
        """The view searched, the candidates' rows in it and their features (None: no
        candidate). Separate from ranking so the weights can be evaluated without re-searching.

        References: those the question names ("744.11"), then the sections the caller says it
        implies (`implied`: 744.11 for a party the corpus says was added to the Entity List).
        Both earn the reference bonus."""
        filters = filters or Filters()
        if vector is None:
            vector = embed_query(query)
        q = np.asarray(vector, dtype=np.float32)
        whole = index or self.lexical()
        lexical = whole.view(filters.groups)
        exact = lexical.has_vectors and lexical.vectors.shape[1:] == q.shape
        # Small corpora (the snapshot holds every vector): the exact neighbours over the view
        # (below), which hold Chroma's approximate ones, so Chroma is not asked (it cost an
        # answer 3 ms for candidates the exact scan had already; the eval's rankings are the
        # same without it). Large corpora (no vectors held): Chroma's index for every caller,
        # over-fetched and cut to the caller's view (a narrow view asks with its `where`; see
        # `_dense`), so nothing unreadable is ever a candidate.
        pending: Future[list[tuple[str, float]]] | None = None
        if not exact:
            share = len(lexical.ids) / max(1, len(whole.ids))
            if filters.doc_types:
                share *= _DOC_TYPE_SHARE
            pool = _dense_pool(self.store.settings.max_concurrency)
            pending = pool.submit(self._dense, vector, filters, share)
        # Every row of the caller's view is readable by its groups: only the other filters
        # (type, dates, as-of) need a pass over the rows (at a million chunks, a costly one).
        allowed = (
            {i for i, m in enumerate(lexical.metas) if filters.admits(m)}
            if replace(filters, groups=None) != Filters()
            else None
        )
        lexical_query = expand_query(query)
        bm_all = lexical.scores(lexical_query)  # one BM25 pass serves both uses below
        sparse = lexical.top(bm_all, CANDIDATES, allowed)
        cos_all = lexical.vectors @ q if exact else None
        # Small corpora: the exact nearest neighbours over the view (cheap at this size; an
        # embedded Chroma opened by this process would not even see vectors another process,
        # `tpa ingest`, added since, while the snapshot, rebuilt from the ledger, does).
        nearest = lexical.top(cos_all, CANDIDATES, allowed) if cos_all is not None else []
        # (Chroma's answer, asked meanwhile; its StoreUnavailable is raised here)
        dense = pending.result() if pending is not None else []

        # Candidates from both retrievers and from legal references.
        candidates: set[int] = set()
        for cid, _score in dense:  # nearest first; at most CANDIDATES the caller may have
            pos = lexical.position.get(cid)
            if pos is not None and filters.admits(lexical.metas[pos]):
                candidates.add(pos)
                if len(candidates) >= CANDIDATES:
                    break
        candidates.update(sparse)
        candidates.update(nearest)
        # A question about legal status: the chunks a recorded stay affects (see features)
        stayed = _stays_asked(query, lexical, allowed)
        candidates.update(stayed)
        # "What is X?": the chunks of definitions sections and paragraphs that define X
        pattern = definitions_pattern(defined_terms(query))
        if pattern is not None:
            candidates.update(
                i
                for i in lexical.definitional()
                if (allowed is None or i in allowed) and pattern.search(lexical.texts[i])
            )
        # "When was X added?": the effective-date chunks of the rules among the candidates
        dates: set[int] = set()
        if asks_when_done(query):
            docs = {str(lexical.metas[i].get("doc_id", "")) for i in candidates}
            dates = {
                i
                for i in lexical.effective_dates()
                if str(lexical.metas[i].get("doc_id", "")) in docs
                and (allowed is None or i in allowed)
            }
            candidates.update(dates)
        ref_match: dict[int, float] = {}
        refs = legal_references(query)
        # (not over a paragraph of the same section the question names: "744.11(a)(2)" stays
        # the one asked for)
        named = {r.split("(", 1)[0] for r in refs}
        refs += [r for r in dict.fromkeys(implied) if r not in named]
        whole_section = any("(" not in r and " FR " not in r for r in refs)
        # "What is 15 CFR 744.11?" asks for nothing inside the section: its chunks come in the
        # section's own order (heading, then what it imposes and on whom), ahead of whatever
        # paragraph the few words left happen to match.
        in_order = asks_about_whole(query)
        if refs:
            for i in lexical.citing(refs):
                meta = lexical.metas[i]
                if allowed is not None and i not in allowed:
                    continue
                gain = reference_match(str(meta.get("citation", "")), refs)
                if gain:
                    candidates.add(i)
                    # A section named without a paragraph is asked about as a whole: its opening
                    # chunk (heading, scope) stands for it before any paragraph deep inside.
                    # (Asked about as nothing else, every chunk of it is ordered below.)
                    opening = gain == 1.0 and int(meta.get("start", -1)) == 0
                    if opening and whole_section and not in_order:
                        gain += OPENING_GAIN
                    ref_match[i] = gain
            if in_order:
                by_start = sorted(ref_match, key=lambda i: int(lexical.metas[i].get("start", 0)))
                for place, i in enumerate(by_start):
                    ref_match[i] += _ORDER_GAIN * _ORDER_DECAY**place
                # Its only terms are the reference's, which `reference` scores already: within
                # the section BM25 would favour the chunks that repeat the number (source notes,
                # cross-references). Elsewhere it still finds the sections that cite it.
                bm_all = bm_all.copy()
                bm_all[by_start] = 0.0
        if not candidates:
            return None
        idx = np.fromiter(sorted(candidates), dtype=np.int64)
        cosines = cos_all[idx] if cos_all is not None else self._cosines(lexical, idx, q, dense)
        metas = [lexical.metas[int(i)] for i in idx]
        stats = term_stats(lexical, None)
        query_terms = tokenize(lexical_query)
        asked = asked_dates(query)
        features = Features(
            cosine=cosines,
            bm25=bm_all[idx],
            reference=np.array([ref_match.get(int(i), 0.0) for i in idx]),
            heading=np.array(
                heading_matches(query_terms, [heading_terms(m) for m in metas], stats.idf)
            ),
            authority=np.array([authority_score(m) for m in metas]),
            definition=np.array([defines(lexical.texts[int(i)], pattern) for i in idx]),
            defining=(
                np.array([pattern.defining_weight(lexical.texts[int(i)]) for i in idx])
                if pattern is not None
                else None
            ),
            doc=[str(m.get("doc_id", "")) for m in metas],
            off_regime=off_regime(
                query,
                [str(m.get("citation", "")) for m in metas],
                [str(m.get("title", "")) for m in metas],
            ),
            dated=np.array([dated_match(m, asked) for m in metas]) if asked else None,
            stayed=np.array([float(int(i) in stayed) for i in idx]) if stayed else None,
            effective=(
                np.array(
                    [
                        1.0 if int(i) in dates else 0.5 if is_federal_register(m) else 0.0
                        for i, m in zip(idx, metas, strict=True)
                    ]
                )
                if dates
                else None
            ),
        )
        return lexical, idx, features


Found = tuple[CorpusSnapshot, np.ndarray, Features]  # what `Retriever.candidates` returns

# A question about the antiboycott rules says so: boycotts, Israel, the Arab League, part 760.
_ASKS_BOYCOTT = re.compile(
    r"\bboycott\w*|\banti-?boycott\w*|\bisrael\w*|\barab\s+league\b|\bpart\s+760\b|\b760\.\d",
    re.I,
)


def off_regime(
    query: str, citations: Sequence[str], titles: Sequence[str] | None = None
) -> np.ndarray:
    """1 for each antiboycott passage when the question is not about boycotts: part 760, and a
    section elsewhere whose heading says it is about boycotts ("§ 764.8 Voluntary
    self-disclosures for boycott violations", beside 764.5's for export violations)."""
    if _ASKS_BOYCOTT.search(query):
        return np.zeros(len(citations))
    heads = titles if titles is not None else [""] * len(citations)
    return np.array(
        [
            1.0
            if c.startswith("15 CFR 760.") or (c.startswith("15 CFR") and "boycott" in t.lower())
            else 0.0
            for c, t in zip(citations, heads, strict=True)
        ]
    )


def _stays_asked(query: str, lexical: CorpusSnapshot, allowed: set[int] | None) -> set[int]:
    """The rows a recorded stay affects that a question about legal status asks about: all of
    them when it asks about "the stay" itself, else those of the stay its subject names
    (`assistant.retrieval.stay_subject`), read from the chunks the caller's groups may read,
    once per snapshot view."""
    if asks_legal_status(query):
        return {i for i in lexical.stayed() if allowed is None or i in allowed}
    if not ASKS_STATUS.search(query) or not stay_subject(query):
        return set()
    return {i for i in stay_texts(lexical).rows_asked(query) if allowed is None or i in allowed}


def stay_texts(lexical: CorpusSnapshot) -> StayTexts:
    """`StayTexts` of this view (its stayed chunks and every chunk of their documents), read
    once per snapshot view."""
    texts = lexical.derived(("stay texts",), lambda: _stay_texts(lexical))
    assert isinstance(texts, StayTexts)
    return texts


def _stay_texts(lexical: CorpusSnapshot) -> StayTexts:
    rows = lexical.stayed()
    docs = {str(lexical.metas[i].get("doc_id", "")) for i in rows}
    sections = {str(lexical.metas[i].get("citation", "")).split("(", 1)[0] for i in rows}
    same = [i for i in lexical.citing(sections) if str(lexical.metas[i].get("doc_id", "")) in docs]
    return StayTexts.of(
        [(i, lexical.texts[i], lexical.metas[i]) for i in rows],
        [(i, lexical.texts[i], lexical.metas[i]) for i in same],
    )


def ranked(found: Found | None, k: int, weights: Weights = WEIGHTS) -> list[SearchResult]:
    """The top k of searched candidates as results, best first (kept apart from the search so
    `bench/retrieval_folds.py` ranks one search under many weights)."""
    if found is None:
        return []
    view, idx, features = found
    order, total = rank(features, k, weights)
    # "What is X?" asks for where X is defined: a glossary chunk defines a dozen terms and
    # shares few words with the question as a whole, so passages that only use X outrank it;
    # its best definition takes the third place when none is in the top three.
    order = _placed(order, features.defining, total, _DEFINITION_PLACE, k)
    # A question about a stay the corpus records (`_stays_asked`): its best provision takes
    # the fifth place when none is in the top five, since the question's own words
    # ("suspended", "in effect") are not the provision's; the answer's status lead reads the
    # top passages. (Placed last, so a definition placed above never pushes it out.)
    order = _placed(order, features.stayed, total, _STAY_PLACE, k)
    # "When was X added?": the effective date of the best-ranked rule that states one, when
    # that rule is among the first five (the question's words are the rule's, not its date's)
    order = _placed(order, _effective_of_best(order, features), total, _EFFECTIVE_PLACE, k)
    return [
        _result(
            view.ids[int(idx[o])],
            float(total[o]),
            view.texts[int(idx[o])],
            view.metas[int(idx[o])],
            float(features.cosine[o]),
        )
        for o in order
    ]


def _effective_of_best(order: list[int], features: Features) -> np.ndarray | None:
    """1 for the effective-date chunks of the best-ranked Federal Register rule in the top five
    (`Features.effective`), else None: that rule is the one asked about. Ranked by its chunks
    that say what it did: a date line ranks by "effective" and "rule" alone, so "What is the
    effective date of the rule that put Yaguang Electronics on the Entity List?" ranked another
    rule's DATES line first; a rule whose only chunk in the top five is its date line is the
    one asked about only when no other rule's chunk is there. Never another rule's date: when
    the rule asked about states none among the candidates (an excerpt without its DATES line),
    nothing is placed."""
    flags = features.effective
    if flags is None:
        return None
    top = order[:5]
    doc = next((features.doc[o] for o in top if flags[o] == 0.5), None) or next(
        (features.doc[o] for o in top if flags[o] > 0), None
    )
    chosen = np.array(
        [float(flags[i] == 1.0 and features.doc[i] == doc) for i in range(len(flags))]
    )
    return chosen if chosen.any() else None


def _placed(
    order: list[int], flags: np.ndarray | None, total: np.ndarray, place: int, k: int
) -> list[int]:
    """`order` with the best-scored candidate of the highest flag at `place` (1-based, at most
    k) when none flagged as high is at or above it already; as it was when none is flagged.
    (A flag may be graded: a definition that holds throughout the regulations, 1, is placed
    though one limited to its part, 0.5, is above it.)"""
    if not order or flags is None or not flags.any():
        return order
    at = min(k, place) - 1
    top = float(flags.max())
    if any(flags[o] >= top for o in order[: at + 1]):
        return order
    best = max((i for i in range(len(total)) if flags[i] >= top), key=lambda i: total[i])
    rest = [o for o in order[at:] if o != best]
    return [*order[:at], best, *rest][:k]


def _result(
    cid: str, score: float, text: str, meta: dict[str, Any], similarity: float | None = None
) -> SearchResult:
    return SearchResult(
        chunk_id=cid,
        doc_id=str(meta.get("doc_id", "")),
        source_path=str(meta.get("source_path", "")),
        citation=str(meta.get("citation", "")),
        title=str(meta.get("title", "")),
        text=text,
        start=int(meta.get("start", 0)),
        end=int(meta.get("end", 0)),
        score=score,
        metadata=meta,
        similarity=score if similarity is None else similarity,
    )


def dense_search(
    store: Store, query: str, k: int = 5, filters: Filters | None = None
) -> list[SearchResult]:
    """Dense-only top-k (what `tpa search --dense` shows, and a baseline for evaluation)."""
    filters = filters or Filters()
    hits = store.query(embed_query(query), k, where=filters.where())
    return [
        _result(cid, score, text, meta) for cid, text, meta, score in hits if filters.admits(meta)
    ]
