"""How text becomes BM25 terms: lower-cased tokens, British and American spellings as one,
a light stemmer, and section numbers also indexed by their parts ("744.11" -> "744")."""

from __future__ import annotations

import functools
import re

_TOKEN = re.compile(r"[a-z0-9]+(?:[.:][a-z0-9]+)*")
# British and American spellings meet in one form so "licence" finds "license".
_SPELLING = {
    "licence": "license",
    "licences": "licenses",
    "licenced": "licensed",
    "licencing": "licensing",
    "authorisation": "authorization",
    "authorised": "authorized",
    "authorise": "authorize",
    "organisation": "organization",
    "organisations": "organizations",
    "defence": "defense",
    "programme": "program",
    "centre": "center",
    "favour": "favor",
    "behaviour": "behavior",
    "colour": "color",
    "utilise": "utilize",
    "recognise": "recognize",
    "analyse": "analyze",
    "cheque": "check",
    # a few irregular forms that matter in trade questions
    "sale": "sell",
    "sales": "sell",
    "sold": "sell",
    "selling": "sell",
    "sells": "sell",
    "bought": "buy",
    "shipped": "ship",
    "shipping": "ship",
    "shipments": "shipment",
}
_STOPWORDS = frozenset(
    """a an and are as at be but by can do does for from has have how i if in into is it its
    of on or our so such that the their them then there these they this to was we were what when
    which who will with would you your any all may must not no""".split()
)


def _stem(token: str) -> str:
    """A deliberately light stemmer: plurals and a few endings; legal terms stay readable."""
    if token[0].isdigit() or len(token) <= 3:
        return token
    for suffix, repl in (("ies", "y"), ("sses", "ss"), ("ing", ""), ("ed", ""), ("s", "")):
        if token.endswith(suffix) and len(token) - len(suffix) >= 3:
            if suffix == "s" and token.endswith(("ss", "us", "is")):
                return token
            return token[: -len(suffix)] + repl
    return token


@functools.lru_cache(maxsize=1 << 16)
def _forms(raw: str) -> tuple[str, ...]:
    """The index terms of one raw token. Cached: a corpus repeats a few thousand words, so
    tokenizing it (once per snapshot and per access-group view) is mostly lookups, and equal
    terms are one string in memory."""
    tok = _SPELLING.get(raw, raw)
    if tok in _STOPWORDS:
        return ()
    out = [_stem(tok)]
    if "." in tok or ":" in tok:
        # "744.11" should also match a bare "744" part reference and vice versa.
        out.extend(p for p in re.split(r"[.:]", tok) if p and p not in _STOPWORDS)
    return tuple(out)


def tokenize(text: str) -> list[str]:
    if len(text) <= _CACHED_MAX:
        return list(_tokenize_short(text))
    return _tokenize(text)


def tokenize_once(text: str) -> list[str]:
    """`tokenize` without the cache, for a chunk's text, which a snapshot build or refresh
    tokenizes once: through the cache, a corpus's chunks would push out the questions and
    sentences that answers tokenize again and again, and hold a token tuple per chunk."""
    return _tokenize(text)


_CACHED_MAX = 2000  # questions and sentences, not whole chunks (tokenized once per snapshot)


@functools.lru_cache(maxsize=1 << 14)
def _tokenize_short(text: str) -> tuple[str, ...]:
    """Cached: an answer scores the sentences of passages the last answers scored too."""
    return tuple(_tokenize(text))


def _tokenize(text: str) -> list[str]:
    out: list[str] = []
    for raw in _TOKEN.findall(text.lower()):
        out.extend(_forms(raw))
    return out
