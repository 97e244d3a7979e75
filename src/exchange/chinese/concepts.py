"""The domain thesaurus: concepts, their colloquial phrasings, target groups and categories.

The data lives in ``data/concepts.json`` so an operator can review and extend it without touching
code. A concept ties the formal words organisations write (助餐配送) to what residents say
(腿脚不好做饭难, 没人送饭); matching compares concepts, so both sides meet even with no word in common.
"""

from __future__ import annotations

import hashlib
import json
import re
import threading
import unicodedata
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from functools import lru_cache
from itertools import chain
from pathlib import Path
from typing import Any

from .text import STOPWORDS, WIDE_CHARS, Segmenter, SoundAlike, fold, is_han, to_simplified

__all__ = [
    "CATEGORY_CODES",
    "GROUP_CODES",
    "Analysis",
    "Analyzer",
    "Concept",
    "PhraseMatcher",
    "Thesaurus",
    "analysis_version",
    "default_analyzer",
    "default_thesaurus",
    "detect_concepts",
    "infer_category",
    "infer_target_groups",
]

DATA_PATH = Path(__file__).with_name("data") / "concepts.json"

CATEGORY_CODES: tuple[str, ...] = (
    "elderly_care", "children_youth", "disability", "health", "legal", "environment", "culture_sport",
    "community_building", "governance", "safety", "family", "employment", "hardship", "volunteering",
    "platform",
)
GROUP_CODES: tuple[str, ...] = (
    "elderly", "children", "youth", "women", "disabled", "hardship_families", "veterans", "riders",
    "drivers", "migrants", "white_collar", "residents",
)

# How many characters may separate two parts of a gapped phrase such as 做饭*难 ("做饭很困难").
PHRASE_GAP = 8
BACKGROUND_WEIGHT = 0.5
_CLAUSE_RE = re.compile(r"[。！？!?；;，,、\n]+")
_ASK_RE = re.compile(
    "想|希望|有没有|有莫得|有没得|能不能|能否|可不可以|可以吗|请问|求助|帮忙|帮帮|帮一把|需要|怎么办|咋办|咋个办|咋整"
    "|不知道|不晓得|去哪|去哪里|哪里有|找谁|找个|找人|谁能|有人能|有谁"
)
GROUP_LABEL_PREFIX = "g:"
DIALECT_LABEL_PREFIX = "v:"


@dataclass(frozen=True)
class Concept:
    """One community-service concept of the thesaurus."""

    id: str
    name: str
    category: str
    terms: tuple[str, ...]
    phrases: tuple[str, ...]
    groups: tuple[str, ...] = ()
    related: tuple[str, ...] = ()
    weight: float = 1.0


@dataclass(frozen=True)
class Analysis:
    """What the analyser read out of one text."""

    words: tuple[str, ...]
    concepts: tuple[str, ...]
    groups: frozenset[str]
    categories: Mapping[str, float] = field(default_factory=dict)
    # The version of the analyser that produced it (see ``analysis_version``); None when unknown.
    version: str | None = field(default=None, compare=False)
    # A listing's concepts named in its title: what the listing is *for* (empty for queries).
    primary: tuple[str, ...] = ()
    # A query's concepts heard only in the background of a long message (not where it asks for
    # something), with the reduced weight they carry; absent concepts weigh fully.
    background: Mapping[str, float] = field(default_factory=dict, compare=False)

    @property
    def category(self) -> str | None:
        """The most likely category, or None when no concept was recognised."""
        if not self.categories:
            return None
        return max(self.categories.items(), key=lambda kv: (kv[1], -CATEGORY_CODES.index(kv[0])))[0]


class PhraseMatcher:
    """Finds labelled phrases ('A|B*C') in normalised text.

    Triggers (the first part of each phrase) are found in one pass: with rjieba, by a dictionary made
    only of the triggers and its ``cut_all`` (every dictionary word at every position, in Rust);
    otherwise by a Python scan keyed on two-character prefixes. Gapped parts are then checked with a
    small regular expression that may not cross a clause boundary (punctuation or whitespace).
    """

    def __init__(self, phrases: Iterable[tuple[str, str]]) -> None:
        self.unusable: list[str] = []  # phrases with no part of two characters or more to look for
        self._direct: dict[str, set[str]] = {}
        self._gapped: dict[str, list[tuple[str, re.Pattern[str], tuple[frozenset[str], ...]]]] = {}
        self._cues: set[str] = set()
        for label, phrase in phrases:
            self._add(label, phrase)
        # Per trigger, every cue any of its gapped phrases needs: when none is present (the usual
        # case for boilerplate triggers such as 服务 or 工作) all its phrases are skipped at once.
        self._any_cue = {
            t: frozenset().union(*(c for _, _, req in entries for c in req))
            for t, entries in self._gapped.items()
            if all(req for _, _, req in entries)
        }
        self._direct_keys, self._gapped_keys = frozenset(self._direct), frozenset(self._gapped)
        self._supers = _containing_triggers(self._direct)
        self._shadowable = frozenset(self._supers)
        triggers = set(self._direct) | set(self._gapped) | self._cues
        odd = sorted((t for t in triggers if not is_han(t)), key=len, reverse=True)
        # Non-Han triggers (AED, 12345, 3A …) are not found by the dictionary scan: one regex pass.
        self._odd = re.compile("|".join(map(re.escape, odd))) if odd else None
        self._finder = _make_trigger_finder(sorted(t for t in triggers if is_han(t)))

    def _add(self, label: str, phrase: str) -> None:
        parts = [[fold(a.strip()) for a in part.split("|") if a.strip()] for part in phrase.split("*")]
        parts = [part for part in parts if part]
        if not parts:
            return
        if len(parts) == 1:
            usable = [a for a in parts[0] if len(a) >= 2]
            for trigger in usable:
                self._direct.setdefault(trigger, set()).add(label)
            if not usable:
                self.unusable.append(phrase)
            return
        # Any part can be the trigger; the whole phrase is then checked by the regex. The anchor is
        # the first part whose alternatives all have two characters or more (陪*看病 anchors on 看病).
        anchor = max(
            range(len(parts)),
            key=lambda i: (all(len(a) >= 2 for a in parts[i]), sum(len(a) >= 2 for a in parts[i]), -i),
        )
        gap = rf"[^\W_]{{0,{PHRASE_GAP}}}?"
        regex = re.compile(gap.join("(?:" + "|".join(map(re.escape, alts)) + ")" for alts in parts))
        # The other parts made only of 2+ character words are found by the same scan as triggers,
        # so most regex runs are skipped by a set test (做饭 without any of 难/困难/… cannot match).
        required = tuple(
            frozenset(alts) for i, alts in enumerate(parts) if i != anchor and all(len(a) >= 2 for a in alts)
        )
        for cues in required:
            self._cues.update(cues)
        triggers = [a for a in parts[anchor] if len(a) >= 2]
        for trigger in triggers:
            self._gapped.setdefault(trigger, []).append((label, regex, required))
        if not triggers:
            self.unusable.append(phrase)

    def find(self, text: str) -> dict[str, int]:
        """Labels of the phrases occurring in ``text`` (folded, see ``text.fold``), each with the
        number of distinct phrases that matched it (more evidence, more weight)."""
        found = self._finder(text)
        odd = self._odd.findall(text) if self._odd is not None else None
        if odd:
            found = found.union(odd)
        # Direct phrases are counted with C-level set and Counter operations; only gapped phrases
        # whose trigger is present (and not ruled out by their cues) reach Python code.
        hits = found & self._direct_keys
        labels = Counter(chain.from_iterable(map(self._direct.__getitem__, hits - self._shadowable)))
        for trigger in hits & self._shadowable:
            self._count_unless_shadowed(text, trigger, found, labels)
        for trigger in found & self._gapped_keys:
            if found.isdisjoint(self._any_cue.get(trigger, found)):
                continue
            for label, pattern, required in self._gapped[trigger]:
                if _all_present(found, required) and pattern.search(text):
                    labels[label] += 1
        return labels


    def _count_unless_shadowed(self, text: str, trigger: str, found: frozenset[str], labels: Counter) -> None:
        """Count a phrase's concepts unless every occurrence sits inside a longer phrase that was
        found too: 孤独 inside 孤独症, 跳蚤 inside 跳蚤市场. Group labels always count."""
        inside = sum(text.count(sup) * sup.count(trigger) for sup in self._supers[trigger] if sup in found)
        shadowed = inside >= text.count(trigger)
        labels.update(lbl for lbl in self._direct[trigger] if not shadowed or ":" in lbl)


def _containing_triggers(direct: Mapping[str, set[str]]) -> dict[str, tuple[str, ...]]:
    """For each phrase with concept labels, the longer phrases that contain it and carry other
    concepts (found by enumerating substrings, not by comparing all pairs)."""
    supers: dict[str, list[str]] = {}
    for longer, long_labels in direct.items():
        for size in range(2, len(longer)):
            for start in range(len(longer) - size + 1):
                short = longer[start : start + size]
                own = {lbl for lbl in direct.get(short, ()) if ":" not in lbl}
                if own and not own <= long_labels:
                    supers.setdefault(short, []).append(longer)
    return {short: tuple(dict.fromkeys(longs)) for short, longs in supers.items()}


def _all_present(found: frozenset[str], required: tuple[frozenset[str], ...]) -> bool:
    for cues in required:
        if found.isdisjoint(cues):
            return False
    return True


def _make_trigger_finder(triggers: list[str]) -> Any:
    """Return a function text -> set of triggers present, using rjieba when it is installed."""
    try:
        import rjieba
    except ImportError:  # pragma: no cover - depends on the platform's wheels
        return _python_trigger_finder(triggers)
    finder = rjieba.Jieba.empty()
    for trigger in triggers:
        finder.add_word(trigger, 1, None)
    wanted = frozenset(triggers)
    return lambda text: wanted.intersection(finder.cut_all(text))


def _python_trigger_finder(triggers: list[str]) -> Any:
    by_prefix: dict[str, list[str]] = {}
    for trigger in triggers:
        by_prefix.setdefault(trigger[:2], []).append(trigger)

    def find(text: str) -> frozenset[str]:
        found: set[str] = set()
        for i in range(len(text) - 1):
            for trigger in by_prefix.get(text[i : i + 2], ()):
                if text.startswith(trigger, i):
                    found.add(trigger)
        return frozenset(found)

    return find


class Thesaurus:
    """Concepts, target-group words and category relations, loaded from JSON."""

    def __init__(self, data: Mapping[str, Any]) -> None:
        # A digest of the whole content: analyses made with another thesaurus are not reused.
        canonical = json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
        self.digest = hashlib.sha256(canonical.encode()).hexdigest()
        self.concepts: dict[str, Concept] = {}
        for raw in data["concepts"]:
            concept = _concept_from(raw)
            if concept.id in self.concepts:
                raise ValueError(f"duplicate concept id {concept.id!r}")
            self.concepts[concept.id] = concept
        self.category_labels: dict[str, str] = dict(data.get("categories", {}))
        self.group_words: dict[str, tuple[str, ...]] = {
            code: tuple(spec.get("words", ())) for code, spec in data.get("groups", {}).items()
        }
        self.group_labels: dict[str, str] = {
            code: spec.get("zh", code) for code, spec in data.get("groups", {}).items()
        }
        self.related_categories: frozenset[frozenset[str]] = frozenset(
            frozenset(pair) for pair in data.get("related_categories", ())
        )
        variants = data.get("variants", {})
        pairs = variants.get("traditional", "")
        self.traditional: dict[str, str] = {pairs[i]: pairs[i + 1] for i in range(0, len(pairs) - 1, 2)}
        self.dialect: dict[str, str] = {fold(k): fold(v) for k, v in variants.get("dialect", {}).items()}
        self._validate()

    @classmethod
    def load(cls, path: str | Path | None = None) -> Thesaurus:
        """Read a thesaurus file (the packaged ``data/concepts.json`` by default)."""
        with open(path or DATA_PATH, encoding="utf-8") as fh:
            return cls(json.load(fh))

    def _validate(self) -> None:
        for concept in self.concepts.values():
            if concept.category not in CATEGORY_CODES:
                raise ValueError(f"concept {concept.id!r}: unknown category {concept.category!r}")
            unknown = set(concept.groups) - set(GROUP_CODES)
            missing = set(concept.related) - set(self.concepts)
            if unknown or missing:
                raise ValueError(f"concept {concept.id!r}: unknown groups {unknown} or related {missing}")
        unknown_groups = set(self.group_words) - set(GROUP_CODES)
        if unknown_groups:
            raise ValueError(f"unknown target groups {unknown_groups}")

    def labelled_phrases(self) -> list[tuple[str, str]]:
        """(label, phrase) pairs for the phrase matcher: concept ids, 'g:<group>' and 'v:<dialect word>'."""
        pairs = [(c.id, p) for c in self.concepts.values() for p in (*c.terms, *c.phrases)]
        pairs += [(GROUP_LABEL_PREFIX + g, w) for g, words in self.group_words.items() for w in words]
        pairs += [(DIALECT_LABEL_PREFIX + w, w) for w in self.dialect]
        return pairs

    def dictionary_words(self) -> list[str]:
        """Formal multi-character terms worth keeping whole in segmentation."""
        return [t for c in self.concepts.values() for t in c.terms if len(t) >= 2 and "*" not in t]

    def categories_of(
        self, concept_ids: Iterable[str], evidence: Mapping[str, int] | None = None,
        background: Mapping[str, float] | None = None,
    ) -> dict[str, float]:
        """Category distribution implied by concepts, weighted by each concept's weight and by how
        many of its phrases were seen (capped at three, so one verbose concept cannot swamp), less
        for concepts heard only in a message's background."""
        totals: dict[str, float] = {}
        for cid in concept_ids:
            concept = self.concepts[cid]
            seen = min((evidence or {}).get(cid, 1), 3) * (background or {}).get(cid, 1.0)
            totals[concept.category] = totals.get(concept.category, 0.0) + concept.weight * seen
        mass = sum(totals.values())
        return {k: v / mass for k, v in totals.items()} if mass else {}

    def categories_related(self, a: str, b: str) -> bool:
        """Whether two categories are neighbours (e.g. elderly_care and health)."""
        return frozenset((a, b)) in self.related_categories


def _concept_from(raw: Mapping[str, Any]) -> Concept:
    return Concept(
        id=raw["id"],
        name=raw.get("name", raw["id"]),
        category=raw["category"],
        terms=tuple(raw.get("terms", ())),
        phrases=tuple(raw.get("phrases", ())),
        groups=tuple(raw.get("groups", ())),
        related=tuple(raw.get("related", ())),
        weight=float(raw.get("weight", 1.0)),
    )


class Analyzer:
    """Turns a text into words, concepts, target groups and a category guess (results cached).

    Before anything else, traditional characters are folded to simplified ones and regional words
    (屋头, 莫得, 冇人 …) to standard Mandarin, so every later step sees one written form."""

    def __init__(self, thesaurus: Thesaurus, segmenter: Segmenter | None = None, cache_size: int = 8192) -> None:
        self.thesaurus = thesaurus
        self.segmenter = segmenter or Segmenter()
        self.segmenter.add_words(thesaurus.dictionary_words())
        self.version = analysis_version(thesaurus.digest, self.segmenter.user_words)
        self.matcher = PhraseMatcher(thesaurus.labelled_phrases())
        self.analyse = lru_cache(maxsize=cache_size)(self._analyse)
        self.analyse_query = lru_cache(maxsize=cache_size)(self._analyse_query)
        self._sound_alike: SoundAlike | None = None  # built on the first query (~0.5 s), not at start-up
        self._sound_lock = threading.Lock()
        self._traditional = str.maketrans(thesaurus.traditional)
        self._special = re.compile("[" + WIDE_CHARS + "".join(map(re.escape, thesaurus.traditional)) + "]")
        self._dialect_labels = frozenset(DIALECT_LABEL_PREFIX + w for w in thesaurus.dialect)
        words = sorted(thesaurus.dialect, key=len, reverse=True)
        self._dialect_re = re.compile("|".join(map(re.escape, words))) if words else None

    @property
    def sound_alike(self) -> SoundAlike:
        """The sound-alike scan over the thesaurus' terms (built once, on first use)."""
        with self._sound_lock:
            if self._sound_alike is None:
                self._sound_alike = SoundAlike(_sound_terms(self.thesaurus), self.segmenter.cut_precise)
            return self._sound_alike

    def fold(self, text: str) -> str:
        """Lower-case; full-width forms and traditional characters folded (cheap when there are none)."""
        text = text or ""
        if self._special.search(text):
            text = unicodedata.normalize("NFKC", text).translate(self._traditional)
        return to_simplified(text).lower()

    def analyse_uncached(self, text: str) -> Analysis:
        """``analyse`` without the cache: for bulk loads, which would only evict what queries use."""
        return self._analyse(text)

    def analyse_listing(self, title: str, description: str, *, cached: bool = True) -> Analysis:
        """A listing's analysis: its whole text, plus the concepts its title names (``primary``)."""
        from .analysis import listing_text

        analyse = self.analyse if cached else self._analyse
        whole = analyse(listing_text(title, description))
        named = self.matcher.find(self.fold(title))
        primary = tuple(c for c in whole.concepts if c in named)
        return replace(whole, primary=primary) if primary else whole

    def _analyse_query(self, text: str) -> Analysis:
        """A query's analysis, tolerant of typing: spans that sound like a thesaurus term but are
        written otherwise (陪珍, 住餐) count as that term, and the term joins the words."""
        return self._analyse(text, tolerant=True)

    def _analyse(self, text: str, tolerant: bool = False) -> Analysis:
        folded = self.fold(text)
        labels = self.matcher.find(folded)
        if self._dialect_re is not None and not self._dialect_labels.isdisjoint(labels):
            # Rare: the phrase scan saw a dialect word. Rewrite it and read the text again.
            folded = self._dialect_re.sub(lambda m: self.thesaurus.dialect[m.group()], folded)
            labels = self.matcher.find(folded)
        corrected: list[str] = []
        if tolerant:
            for _span, term, label in self.sound_alike.find(folded):
                labels[label] += 1
                corrected.append(term)
        concepts = tuple(sorted(lbl for lbl in labels if ":" not in lbl))
        groups = {lbl[len(GROUP_LABEL_PREFIX) :] for lbl in labels if lbl.startswith(GROUP_LABEL_PREFIX)}
        if not groups:
            # Groups implied by concepts only when the text names nobody: in "外卖小哥送餐" the
            # meal concept must not turn the riders into old people.
            groups = {g for cid in concepts for g in self.thesaurus.concepts[cid].groups}
        words = self.segmenter.words(folded)
        if corrected:
            words = tuple(dict.fromkeys((*words, *corrected)))
        background = self._background(folded, concepts) if tolerant else {}
        categories = self.thesaurus.categories_of(concepts, labels, background)
        return Analysis(words, concepts, frozenset(groups), categories, self.version, background=background)

    def _background(self, folded: str, concepts: tuple[str, ...]) -> dict[str, float]:
        """In a message of several clauses, the concepts heard only in clauses that ask for nothing.

        Residents tell a story before they ask (我老公去年生病走了……想给他买辆自行车上学，实在拿不出钱):
        the clauses that ask (想, 希望, 有没有, 能不能, 怎么办 …) carry the need; concepts found only
        elsewhere keep ``BACKGROUND_WEIGHT`` of their weight. Short messages are left alone."""
        if len(concepts) < 2:
            return {}
        clauses = [c for c in _CLAUSE_RE.split(folded) if c.strip()]
        if len(clauses) < 3:
            return {}
        # An asking clause, the clause that goes on from it (想给他买辆自行车，实在拿不出钱) and the last one.
        marks = [bool(_ASK_RE.search(c)) for c in clauses]
        if not any(marks):
            return {}
        marks = [m or (i > 0 and marks[i - 1]) or i == len(clauses) - 1 for i, m in enumerate(marks)]
        asking = [c for c, m in zip(clauses, marks, strict=True) if m]
        if len(asking) == len(clauses):
            return {}
        heard = set()
        for clause in asking:
            heard.update(lbl for lbl in self.matcher.find(clause) if ":" not in lbl)
        if not heard & set(concepts):
            return {}
        return {c: BACKGROUND_WEIGHT for c in concepts if c not in heard}


# Bumped when the analysis itself changes (what is stored, how text is folded).
ANALYSIS_FORMAT = "2: primary concepts, OpenCC folding"


def _sound_terms(thesaurus: Thesaurus) -> list[tuple[str, str]]:
    """(label, term) pairs the sound-alike scan looks for: every target-group word, concept term and
    ungapped phrase."""
    out = [(GROUP_LABEL_PREFIX + g, fold(w)) for g, words in thesaurus.group_words.items() for w in words]
    for concept in thesaurus.concepts.values():
        for phrase in (*concept.terms, *concept.phrases):
            if "*" not in phrase:
                out += [(concept.id, fold(alt.strip())) for alt in phrase.split("|") if len(alt.strip()) >= 2]
    return out


def analysis_version(thesaurus_digest: str, dictionary: Iterable[str]) -> str:
    """A short hash of everything an analysis depends on: the thesaurus, the segmenter's user
    dictionary, the stopwords and the analysis format. Stored analyses of another version are analysed again."""
    h = hashlib.sha256((ANALYSIS_FORMAT + thesaurus_digest).encode())
    for part in (sorted({w for w in dictionary if len(w) >= 2}), sorted(STOPWORDS)):
        h.update(b"\x00" + "\n".join(part).encode())
    return h.hexdigest()[:12]


_lock = threading.Lock()


@lru_cache(maxsize=1)
def default_thesaurus() -> Thesaurus:
    """The packaged thesaurus (loaded once)."""
    return Thesaurus.load()


def default_analyzer() -> Analyzer:
    """The process-wide analyser over the packaged thesaurus (built once, ~0.2 s)."""
    with _lock:
        return _default_analyzer()


@lru_cache(maxsize=1)
def _default_analyzer() -> Analyzer:
    return Analyzer(default_thesaurus())


def detect_concepts(text: str) -> list[str]:
    """Concept ids recognised in ``text``."""
    return list(default_analyzer().analyse(text).concepts)


def infer_category(text: str) -> str | None:
    """The category a text is most likely about (a need's category is often missing)."""
    return default_analyzer().analyse(text).category


def infer_target_groups(text: str) -> list[str]:
    """Target-group codes implied by a text (奶奶 → elderly, 外卖小哥 → riders, …), in vocabulary order."""
    groups = default_analyzer().analyse(text).groups
    return [g for g in GROUP_CODES if g in groups]
