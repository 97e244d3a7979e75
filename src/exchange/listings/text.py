"""Terms of a listing's text for ``q``, and the terms a query must find.

A listing is indexed under every Chinese character and pair of adjacent characters of its text, and
every run of Latin letters and digits, after folding traditional characters to simplified ones (OpenCC
``t2s``), full-width forms and case. A query is segmented into words (so that boilerplate such as 服务
can be dropped); a Chinese word is found when each of its character pairs is (a single character: that
character), so a word is found wherever it stands — across the segmenter's word boundaries (楼道灯 in
楼道/灯坏了) and in either script (養老 finds 养老). The listing side needs no segmenter: the words it
would give are made of the pairs and runs already indexed.

Every term is one token to SQLite's FTS5 ``unicode61`` tokenizer (a Chinese run, or a run of ``[0-9a-z]``),
which is what lets the same terms live in a full-text index there (:mod:`exchange.listings.index`).
"""

from __future__ import annotations

import re
import threading
from typing import Any

import opencc

from exchange.chinese.analysis import analyse_for_storage
from exchange.chinese.text import STOPWORDS, default_segmenter, normalize

_WORDISH = re.compile(r"[0-9a-z\u3400-\u9fff]")
_IDEOGRAPH = "[\u3400-\u4db5\u4e00-\u9fcc\uf900-\ufaff]"  # those of Unicode 6.1, which FTS5's tokenizer knows
_HAN = re.compile(_IDEOGRAPH)
_HAN_PAIR = re.compile(f"(?=({_IDEOGRAPH}{{2}}))")
_HAN_RUN = re.compile(f"{_IDEOGRAPH}+")
_ALNUM_RUN = re.compile(r"[0-9a-z]+")
MAX_TERM = 64
MAX_QUERY_TERMS = 16
_local = threading.local()


def simplified(text: str) -> str:
    """``text`` with traditional characters folded to simplified ones."""
    converter = getattr(_local, "t2s", None)
    if converter is None:
        converter = _local.t2s = opencc.OpenCC("t2s")
    return converter.convert(text)


def _prepared(text: str) -> str:
    return normalize(simplified(text))


def _words(text: str) -> list[str]:
    out: dict[str, None] = {}
    for word in default_segmenter().cut(text):
        if len(word) <= MAX_TERM and _WORDISH.search(word):
            out[word] = None
    return list(out)


def _grams(text: str) -> list[str]:
    """Every character and every pair of adjacent characters of each run of Chinese text."""
    return list(dict.fromkeys(_HAN.findall(text) + _HAN_PAIR.findall(text)))


def _runs(text: str) -> list[str]:
    """The runs of Latin letters and digits (``wifi6``, ``2024``), at most ``MAX_TERM`` long."""
    return [run[:MAX_TERM] for run in _ALNUM_RUN.findall(text)]


def terms(*texts: str | None) -> list[str]:
    """The distinct index terms of ``texts``: Chinese characters and character pairs, and Latin/digit runs."""
    return indexed(*texts)[0]


def indexed(*texts: str | None) -> tuple[list[str], str]:
    """(the distinct index terms of ``texts``, the texts as the search reads them: folded, one per line)."""
    out: dict[str, None] = {}
    prepared = [_prepared(text) for text in texts if text]
    for text in prepared:
        out.update(dict.fromkeys(_grams(text)))
        out.update(dict.fromkeys(_runs(text)))
    return list(out), "\n".join(prepared)


# What a listing's text gives its row: (the stored match analysis, the index terms, the search text).
Prepared = tuple[dict[str, Any], list[str], str]


def prepare(texts: list[tuple[str, str]]) -> list[Prepared]:
    """The analysis and index terms of many listings' ``(title, description)``: pure, so that an import can
    have them worked out in a helper process (:mod:`exchange.kit.offload`)."""
    return [(analyse_for_storage(title, description, cached=False), *indexed(title, description))
            for title, description in texts]


def _required(word: str) -> list[str]:
    """What a listing must hold to contain ``word``: the character pairs of its Chinese runs (a lone
    character: itself) and its Latin/digit runs."""
    out: list[str] = []
    for run in _HAN_RUN.findall(word):
        out += [g for g in _grams(run) if len(g) == 2] or [run]
    return out + _runs(word)


def query_terms(q: str) -> list[str]:
    """The terms a listing must all hold to match ``q``: for each content word (boilerplate such as
    服务 dropped, unless that is all there is) its character pairs; at most sixteen."""
    words = _words(_prepared(q))
    content = [w for w in words if w not in STOPWORDS] or words
    out: dict[str, None] = {}
    for word in content:
        out.update(dict.fromkeys(_required(word)))
    return list(out)[:MAX_QUERY_TERMS]
