"""Words of a listing's text for ``q``, and the terms a query must find.

A listing is indexed under the matching engine's words *and* under every Chinese character and
pair of adjacent characters of its text, after folding traditional characters to simplified ones
(OpenCC ``t2s``). A query word is found when each of its character pairs is (a single character:
that character), so a word is found wherever it stands — across the segmenter's word boundaries
(楼道灯 in 楼道/灯坏了) and in either script (養老 finds 养老).
"""

from __future__ import annotations

import re
import threading

import opencc

from exchange.chinese.text import STOPWORDS, default_segmenter, normalize

_WORDISH = re.compile(r"[0-9a-z\u3400-\u9fff]")
_HAN_RUN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+")
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
    out: dict[str, None] = {}
    for run in _HAN_RUN.findall(text):
        for i, ch in enumerate(run):
            out[ch] = None
            if i + 1 < len(run):
                out[run[i:i + 2]] = None
    return list(out)


def terms(*texts: str | None) -> list[str]:
    """The distinct index terms of ``texts``: segmented words (居家, 养老, 居家养老) and character n-grams."""
    out: dict[str, None] = {}
    for text in texts:
        if text:
            prepared = _prepared(text)
            out.update(dict.fromkeys(_words(prepared)))
            out.update(dict.fromkeys(_grams(prepared)))
    return list(out)


def _required(word: str) -> list[str]:
    """What a listing must hold to contain ``word``: its character pairs, or the word itself."""
    runs = _HAN_RUN.findall(word)
    if not runs or "".join(runs) != word:
        return [word]
    return [g for g in _grams(word) if len(g) == 2] or [word]


def query_terms(q: str) -> list[str]:
    """The terms a listing must all hold to match ``q``: for each content word (boilerplate such as
    服务 dropped, unless that is all there is) its character pairs; at most sixteen."""
    words = _words(_prepared(q))
    content = [w for w in words if w not in STOPWORDS] or words
    out: dict[str, None] = {}
    for word in content:
        out.update(dict.fromkeys(_required(word)))
    return list(out)[:MAX_QUERY_TERMS]
