"""Text analyses stored with listings, so an index build does not analyse every text again.

Services analyse a listing's text when it is written and keep the result in the row's
``match_analysis`` column; an index build reads it back instead of segmenting and scanning the
text. Each stored analysis carries ``ANALYSIS_VERSION``: once the thesaurus, the user dictionary or
the stopwords change, older analyses no longer match and are analysed again.
"""

from __future__ import annotations

import sys
from collections.abc import Iterable, Mapping
from typing import Any

from .concepts import Analysis, analysis_version, default_analyzer, default_thesaurus
from .text import DOMAIN_WORDS

__all__ = ["ANALYSIS_VERSION", "analyse_for_storage", "analysis_from_json", "analysis_to_json", "listing_text"]

ANALYSIS_VERSION: str = analysis_version(
    default_thesaurus().digest, (*DOMAIN_WORDS, *default_thesaurus().dictionary_words())
)


def listing_text(title: str, description: str) -> str:
    """The text the engine analyses for a listing."""
    return f"{title}。{description}"


def analysis_to_json(analysis: Analysis) -> dict[str, Any]:
    """A compact JSON form: version, words, concepts, groups, the category distribution and the
    title's concepts.

    Word lists are stored space-separated (a quarter shorter, and about twice as fast to decode as
    a JSON array of strings); a list containing a word with a space is kept as an array."""
    return {
        "v": analysis.version or "",
        "w": _pack(analysis.words),
        "c": _pack(analysis.concepts),
        "g": _pack(sorted(analysis.groups)),
        "k": dict(analysis.categories),
        "t": _pack(analysis.primary),
    }


def _pack(items: Iterable[str]) -> str | list[str]:
    items = list(items)
    return items if any(not s or " " in s for s in items) else " ".join(items)


def _unpack(value: str | list[str]) -> list[str]:
    if isinstance(value, str):
        return value.split(" ") if value else []
    return list(value)


def analysis_from_json(data: Mapping[str, Any] | None, version: str = ANALYSIS_VERSION) -> Analysis | None:
    """The stored analysis, or None when there is none, it is malformed or of another version."""
    if not data or data.get("v") != version:
        return None
    try:
        return Analysis(
            # Interned: the same words recur across listings, so rows share one string object each.
            words=tuple(map(sys.intern, _unpack(data["w"]))),
            concepts=tuple(_unpack(data["c"])),
            groups=frozenset(_unpack(data["g"])),
            categories=dict(data["k"]),
            version=version,
            primary=tuple(_unpack(data.get("t", ""))),
        )
    except (KeyError, TypeError, ValueError, AttributeError):
        return None


def analyse_for_storage(title: str, description: str, *, cached: bool = True) -> dict[str, Any]:
    """Analyse a listing's text as the engine would, in the form stored in ``match_analysis``. A bulk load
    passes ``cached=False``: it would only evict what the queries use from the analyser's cache."""
    return analysis_to_json(default_analyzer().analyse_listing(title, description, cached=cached))
