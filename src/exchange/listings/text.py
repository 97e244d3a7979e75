"""Words of a listing's text for ``q``: the matching engine's segmentation, one word per index row."""

from __future__ import annotations

import re

from exchange.chinese.text import STOPWORDS, default_segmenter, normalize

_WORDISH = re.compile(r"[0-9a-z\u3400-\u9fff]")
MAX_TERM = 64
MAX_QUERY_TERMS = 8


def _words(text: str) -> list[str]:
    out: dict[str, None] = {}
    for word in default_segmenter().cut(normalize(text)):
        if len(word) <= MAX_TERM and _WORDISH.search(word):
            out[word] = None
    return list(out)


def terms(*texts: str | None) -> list[str]:
    """The distinct index words of ``texts`` (search mode: 居家养老 → 居家, 养老, 居家养老)."""
    out: dict[str, None] = {}
    for text in texts:
        if text:
            out.update(dict.fromkeys(_words(text)))
    return list(out)


def query_terms(q: str) -> list[str]:
    """The words a listing must all hold to match ``q``: its content words (boilerplate such as 服务
    dropped, unless that is all there is), at most eight."""
    words = _words(q)
    content = [w for w in words if w not in STOPWORDS]
    return (content or words)[:MAX_QUERY_TERMS]
