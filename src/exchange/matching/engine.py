"""In-memory matching engine: an index of offers, opportunities and needs, and their scoring.

Pipeline of one search: the query text is analysed (words, concepts, groups, category); the place
rule picks the rows in play from per-region postings; an inverted index over words and concept ids
scores them in one ``bincount``; the other hard rules (eligibility, suspension) and the soft rules
are numpy vectors over those rows; the best hundred or so are rescored with rapidfuzz, and the top
``limit`` are explained rule by rule. Nothing here knows about the database or HTTP: callers build
``Listing`` objects and keep the index fresh with ``upsert``/``remove``/``update_org``.
"""

from __future__ import annotations

import hashlib
import math
import threading
from array import array
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import replace
from itertools import repeat
from pathlib import Path

import numpy as np
from rapidfuzz import fuzz, process

from exchange.chinese.analysis import ANALYSIS_VERSION, analysis_from_json, analysis_to_json
from exchange.chinese.concepts import CATEGORY_CODES, GROUP_CODES, Analysis, Analyzer, default_analyzer
from exchange.kit.memory import gc_paused

from .explain import Explainer
from .feedback import CONCEPT_SCALE, FeedbackModel, query_features
from .frozen import FrozenStore, freeze
from .records import Listing, Match, OrgFacts, Query, Reason, query_from_listing
from .regions import LEVELS, RegionTree

__all__ = [
    "ANALYSIS_VERSION",
    "MATCHABLE_STATUSES",
    "RULE_WEIGHTS",
    "Listing",
    "Match",
    "MatchIndex",
    "OrgFacts",
    "Query",
    "Reason",
    "RegionTree",
    "analysis_from_json",
    "analysis_to_json",
    "query_from_listing",
]

MATCHABLE_STATUSES: dict[str, frozenset[str]] = {
    "offer": frozenset({"published"}),
    "opportunity": frozenset({"published", "open"}),
    "need": frozenset({"open"}),
}

# Soft-rule weights; a rule that does not apply to a query (no place, no budget…) drops out and the
# others are renormalised, so a score always spans 0–100.
RULE_WEIGHTS: dict[str, float] = {
    "text": 0.55,
    "category": 0.17,
    "target_groups": 0.08,
    "place": 0.08,
    "budget": 0.05,
    "org_record": 0.05,
    "capacity": 0.02,
    "feedback": 0.25,
}

_COMMUNITY = LEVELS.index("community")
# Place proximity by how many levels the covering area sits above the place (capped at community):
# same community 1.0 > covering subdistrict > covering district > anything wider.
_PROXIMITY = (1.0, 0.75, 0.5, 0.3)
_PRICING = {"free": 1.0, "low_cost": 0.85, "market": 0.4}
_MISSING_PRICE_SCORE = 0.6
_UNRATED_ORG_SCORE = 0.3
_UNKNOWN_CATEGORY_SCORE = 0.3
_RELATED_CATEGORY_SCORE = 0.35
_GENERAL_AUDIENCE_SCORE = 0.5
_UNKNOWN_WORD_SHARE = 0.3  # weight of query words no listing uses (colloquial filler) in coverage
_RELATED_CONCEPT_SHARE = 0.5
# A listing meets a query concept fully when the concept is what the listing is *for* (named in its
# title, or of its own category); a concept met only in passing (食品安全 in a meal service's
# description) earns this share.
_INCIDENTAL_SHARE = 0.4
_MIN_CANDIDATES, _MAX_CANDIDATES = 100, 1000  # shortlist rescored with rapidfuzz
_FUZZY_WORDS = 24  # words of a listing kept for the fuzzy comparison


# --------------------------------------------------------------------------------------------- storage


class _Columns:
    """Growable numpy columns, one value per row."""

    SPEC = {
        "alive": np.bool_, "cat": np.int16, "groups": np.uint16, "price": np.float64, "pricing": np.float32,
        "budget": np.float64, "org_score": np.float32, "cap_score": np.float32, "a_level": np.int8,
        "registered": np.bool_, "suspended": np.bool_, "min_a": np.int8, "reg_required": np.bool_,
        "id_key": np.int64, "org_idx": np.int32,
    }

    def __init__(self) -> None:
        self.cap = 0
        self.arrays: dict[str, np.ndarray] = {k: np.zeros(0, dtype=t) for k, t in self.SPEC.items()}

    def ensure(self, size: int) -> None:
        if size <= self.cap:
            return
        new_cap = max(size, self.cap * 2, 1024)
        for key, arr in self.arrays.items():
            grown = np.zeros(new_cap, dtype=arr.dtype)
            grown[: self.cap] = arr[: self.cap]
            self.arrays[key] = grown
        self.cap = new_cap

    def __getattr__(self, key: str) -> np.ndarray:
        try:
            return self.__dict__["arrays"][key]
        except KeyError as exc:
            raise AttributeError(key) from exc


class _Store:
    """Rows of one kind: listings, their analysed text, postings and numeric columns."""

    def __init__(self, kind: str, org_ids: dict[str, int] | None = None) -> None:
        self.kind = kind
        self.org_ids: dict[str, int] = org_ids if org_ids is not None else {}  # shared with the index
        self.n = 0
        self.live = 0
        self.cols = _Columns()
        self.listings: list[Listing | None] = []
        self.joined: list[str] = []
        self.concepts: list[tuple[str, ...]] = []
        self.primary: list[tuple[str, ...]] = []
        self.row_of: dict[str, int] = {}
        self.org_rows: dict[str, set[int]] = {}
        self.vocab: dict[str, int] = {}
        self.postings: list[array] = []
        self.region_rows: dict[str, array] = {}
        self.pending: list[tuple] = []  # (row, *column values) not yet written to the numpy columns
        self.pending_terms = array("i")  # term id, row: postings not yet appended
        self.pending_term_rows = array("i")

    def term_id(self, term: str) -> int:
        tid = self.vocab.get(term)
        if tid is None:
            tid = self.vocab[term] = len(self.postings)
            self.postings.append(array("i"))
        return tid

    def rows(self, postings: array) -> np.ndarray:
        # Copy out of the array buffer: a live numpy view would forbid the array from growing.
        return np.frombuffer(postings, dtype=np.int32).copy() if len(postings) else _EMPTY_ROWS

    # The read interface a search uses, shared with the memory-mapped ``FrozenStore``.

    def df(self, term: str) -> int:
        tid = self.vocab.get(term)
        return len(self.postings[tid]) if tid is not None else 0

    def term_rows(self, term: str) -> np.ndarray:
        tid = self.vocab.get(term)
        return self.rows(self.postings[tid]) if tid is not None else _EMPTY_ROWS

    def region_rows_of(self, code: str) -> np.ndarray:
        postings = self.region_rows.get(code)
        return self.rows(postings) if postings else _EMPTY_ROWS

    @property
    def indexed_regions(self) -> Mapping[str, object]:
        return self.region_rows

    def alive_mask(self) -> np.ndarray:
        return self.cols.arrays["alive"][: self.n]

    def gather(self, name: str, rows: np.ndarray) -> np.ndarray:
        return self.cols.arrays[name][rows]

    def value(self, name: str, row: int) -> object:
        return self.cols.arrays[name][row]

    def joined_text(self, row: int) -> str:
        return self.joined[row]

    def listing(self, row: int) -> Listing | None:
        return self.listings[row]

    def concepts_of(self, row: int) -> tuple[str, ...]:
        return self.concepts[row]

    def primary_of(self, row: int) -> tuple[str, ...]:
        return self.primary[row]


_EMPTY_ROWS = np.zeros(0, dtype=np.int32)
_POPCOUNT = np.array([bin(i).count("1") for i in range(1 << 16)], dtype=np.uint8)


def _concept_term(cid: str) -> str:
    return "c:" + cid  # ':' never survives normalisation, so concept terms cannot clash with words


def _primary_term(cid: str) -> str:
    return "p:" + cid


def _id_key(listing_id: str) -> int:
    """A stable 63-bit key of a listing id: the last tie-break, the same in every process."""
    return int.from_bytes(hashlib.blake2b(listing_id.encode(), digest_size=8).digest(), "big") >> 1


# --------------------------------------------------------------------------------------------- the index


class MatchIndex:
    """The matching index over listings of the given kinds (thread-safe)."""

    def __init__(
        self, regions: RegionTree, kinds: Sequence[str] = ("offer",), *, analyzer: Analyzer | None = None
    ) -> None:
        unknown = set(kinds) - set(MATCHABLE_STATUSES)
        if unknown:
            raise ValueError(f"unknown listing kinds: {sorted(unknown)}")
        self.regions = regions
        self.analyzer = analyzer or default_analyzer()
        self._org_ids: dict[str, int] = {}  # organization id -> small int, for the feedback table
        self._stores = {kind: _Store(kind, self._org_ids) for kind in kinds}
        self._base: FrozenStore | None = None  # the memory-mapped offers every process shares, if attached
        self._lock = threading.RLock()
        # Category ids start at 1: 0 is "unknown", so lookups never need negative indices.
        self._cat_ids: dict[str, int] = {code: i + 1 for i, code in enumerate(CATEGORY_CODES)}
        self._group_bits: dict[str, int] = {code: 1 << i for i, code in enumerate(GROUP_CODES)}
        self._org_memo: dict[int, tuple[OrgFacts, tuple[float, int, bool, bool]]] = {}
        self.feedback = FeedbackModel()

    # ------------------------------------------------------------------ maintenance

    def __len__(self) -> int:
        with self._lock:
            return sum(store.live for store in self._stores.values()) + (self._base.live if self._base else 0)

    # ------------------------------------------------------------------ the shared base

    def attach_base(self, base: FrozenStore, orgs: Mapping[str, OrgFacts]) -> None:
        """Serve the offers of a memory-mapped snapshot, beneath this index's own rows (which must be
        empty): upserts and removals of its listings then hide its rows in this process only."""
        with self._lock:
            if "offer" not in self._stores or self._stores["offer"].n:
                raise ValueError("a base is attached to an empty offers index")
            base.bind(self._cat_ids, self._group_bits, orgs)
            self._base = base

    @property
    def base(self) -> FrozenStore | None:
        return self._base

    def own_rows(self, kind: str) -> int:
        """Rows of ``kind`` this index holds itself (not in its base), dead ones included."""
        with self._lock:
            return self._stores[kind].n

    def freeze_offers(self, directory: Path, extra: Mapping[str, object] | None = None) -> Path:
        """Write this index's offers (it must have no base) as a snapshot other processes can open."""
        with self._lock:
            if self._base is not None:
                raise ValueError("an index with a base cannot be frozen again")
            store = self._stores["offer"]
            _flush(store)
            return freeze(store, directory, cat_codes=self._cat_ids, group_bits=self._group_bits, extra=extra)

    def _hide_in_base(self, listing_id: str) -> None:
        if self._base is not None:
            self._base.hide(listing_id)

    def upsert(self, listing: Listing) -> None:
        """Add or replace a listing by id; a listing whose status is not matchable is removed."""
        with self._lock:
            try:
                self._upsert(listing)
                self._flush_all()
            finally:
                self._org_memo.clear()

    def upsert_many(self, listings: Iterable[Listing]) -> None:
        """Add or replace many listings (one lock; postings and numeric columns written in one go)."""
        with self._lock, gc_paused():
            try:
                for listing in listings:
                    self._upsert(listing, self.analyzer.analyse_uncached)
                self._flush_all()
            finally:
                self._org_memo.clear()  # valid within one call only: callers may mutate their OrgFacts

    def remove(self, listing_id: str) -> None:
        """Drop a listing from every kind's candidates (unknown ids are ignored)."""
        with self._lock:
            for kind in list(self._stores):
                self._remove_row(self._stores[kind], listing_id)
            self._hide_in_base(listing_id)

    def update_org(self, org: OrgFacts) -> None:
        """Refresh an organization's facts (rating, suspension…) on every listing it has indexed."""
        with self._lock:
            for store in self._stores.values():
                values = _org_values(org)
                if store.kind == "offer" and self._base is not None:
                    self._base.update_org(org)
                for row in store.org_rows.get(org.id, ()):
                    listing = store.listings[row]
                    if listing is not None:
                        # A copy, so the caller's Listing objects are never mutated behind its back.
                        store.listings[row] = replace(listing, org=org)
                        for key, value in zip(_ORG_COLUMNS, values, strict=True):
                            store.cols.arrays[key][row] = value

    def _upsert(self, listing: Listing, analyse: Callable[[str], Analysis] | None = None) -> None:
        if listing.kind not in self._stores:
            raise ValueError(f"this index holds {sorted(self._stores)}, not {listing.kind!r}")
        self._remove_row(self._stores[listing.kind], listing.id)
        if listing.kind == "offer":
            self._hide_in_base(listing.id)
        if listing.status not in MATCHABLE_STATUSES[listing.kind]:
            return
        analysis = self._analysis_of(listing, analyse)
        # Looked up again: removing a row may have compacted the store into a new object.
        self._add_row(self._stores[listing.kind], listing, analysis)

    def _analysis_of(self, listing: Listing, analyse: Callable[[str], Analysis] | None = None) -> Analysis:
        """The listing's stored analysis when it is current, else a fresh one."""
        stored = listing.analysis
        if stored is not None and stored.version == self.analyzer.version:
            return stored
        if analyse is not None:
            return self.analyzer.analyse_listing(listing.title, listing.description, cached=False)
        return self.analyzer.analyse_listing(listing.title, listing.description)

    def _add_row(self, store: _Store, listing: Listing, analysis: Analysis) -> None:
        row = store.n
        store.n += 1
        store.live += 1
        store.row_of[listing.id] = row
        if listing.analysis is not None:
            # Indexed now: its words live on in the postings and joined text. Keeping the analysis
            # would hold ~1 KB a listing for nothing (a rare compaction analyses afresh instead).
            listing = replace(listing, analysis=None)
        store.listings.append(listing)
        primary = self._primary(listing, analysis)
        store.concepts.append(analysis.concepts)
        store.primary.append(primary)
        store.joined.append(_joined(analysis, self.analyzer, _FUZZY_WORDS))
        terms = (*analysis.words, *map(_concept_term, analysis.concepts), *map(_primary_term, primary))
        term_ids = list(map(store.vocab.get, terms))
        if None in term_ids:
            term_ids = [store.term_id(term) for term in terms]
        # Postings are appended in bulk at the flush (sorted by term), not one array at a time.
        store.pending_terms.extend(term_ids)
        store.pending_term_rows.extend(repeat(row, len(term_ids)))
        for code in dict.fromkeys(listing.region_codes):
            store.region_rows.setdefault(code, array("i")).append(row)
        if listing.org is not None:
            store.org_rows.setdefault(listing.org.id, set()).add(row)
        store.pending.append((row, *self._row_values(listing, analysis)))

    def _primary(self, listing: Listing, analysis: Analysis) -> tuple[str, ...]:
        """The concepts a listing is for: named in its title or of its category (all, when none is)."""
        concepts = self.analyzer.thesaurus.concepts
        category = listing.category or analysis.category
        main = tuple(c for c in analysis.concepts if c in analysis.primary or concepts[c].category == category)
        return main or analysis.concepts

    def _row_values(self, listing: Listing, analysis: Analysis) -> tuple:
        """Numeric column values of a row, in ``_COLUMNS`` order."""
        elig = listing.eligibility or {}
        return (
            self._category_id(listing.category or analysis.category),
            self._group_mask((*listing.target_groups, *analysis.groups)),
            np.nan if listing.price_fen is None else listing.price_fen,
            _PRICING.get(listing.pricing or "", _MISSING_PRICE_SCORE),
            np.nan if listing.budget_fen is None else listing.budget_fen,
            _capacity_score(listing.capacity_per_month),
            _id_key(listing.id),
            self._org_index(listing.org),
            int(elig.get("min_a_level") or 0),
            bool(elig.get("registration_required")),
            *self._org_values_of(listing.org),
        )

    def _org_index(self, org: OrgFacts | None) -> int:
        if org is None:
            return -1
        idx = self._org_ids.get(org.id)
        if idx is None:
            idx = self._org_ids[org.id] = len(self._org_ids)
        return idx

    def learn(self, query: Query, listing_id: str, good: bool, *, kind: str = "offer") -> bool:
        """Record a manager's verdict on ``listing_id`` suggested for ``query``; False when the
        listing is not indexed (withdrawn since), in which case nothing is learnt."""
        analysis = self.analyzer.analyse_query(query.text or "")
        with self._lock:
            store: _Store | FrozenStore | None = self._stores.get(kind)
            row = store.row_of.get(listing_id) if store is not None else None
            if row is None and kind == "offer" and self._base is not None:
                store, row = self._base, self._base.row_of_id(listing_id)
            if store is None or row is None:
                return False
            listing = store.listing(row)
            org_id = listing.org.id if listing is not None and listing.org is not None else None
            self.feedback.add(query_features(analysis.concepts, analysis.words), store.primary_of(row), org_id, good)
            return True

    def _org_values_of(self, org: OrgFacts | None) -> tuple[float, int, bool, bool]:
        """``_org_values``, memoised per OrgFacts object during a bulk load (offers share orgs)."""
        if org is None:
            return _org_values(None)
        hit = self._org_memo.get(id(org))
        if hit is None or hit[0] is not org:
            hit = self._org_memo[id(org)] = (org, _org_values(org))
        return hit[1]

    def _flush_all(self) -> None:
        for store in self._stores.values():
            _flush(store)

    def _remove_row(self, store: _Store, listing_id: str) -> None:
        row = store.row_of.pop(listing_id, None)
        if row is None:
            return
        _flush(store)  # a pending row must get its columns before being marked dead
        listing = store.listings[row]
        if listing is not None and listing.org is not None:
            store.org_rows.get(listing.org.id, set()).discard(row)
        store.cols.alive[row] = False
        store.listings[row] = None
        store.joined[row] = ""
        store.primary[row] = ()
        store.live -= 1
        # Postings keep dead rows (the alive mask hides them); rebuild once they are the majority.
        if store.n > 1000 and store.live < store.n // 2:
            self._compact(store)

    def _compact(self, store: _Store) -> None:
        live = [listing for listing in store.listings if listing is not None]
        self._stores[store.kind] = fresh = _Store(store.kind, self._org_ids)
        for listing in live:
            self._add_row(fresh, listing, self._analysis_of(listing, self.analyzer.analyse_uncached))
        _flush(fresh)

    def _category_id(self, code: str | None) -> int:
        if not code:
            return 0
        if code not in self._cat_ids:  # an admin may add category codes
            self._cat_ids[code] = len(self._cat_ids) + 1
        return self._cat_ids[code]

    def _group_mask(self, groups: Iterable[str]) -> int:
        mask = 0
        for group in groups:
            bit = self._group_bits.get(group)
            if bit is None and len(self._group_bits) < 16:  # room for four admin-added groups
                bit = self._group_bits[group] = 1 << len(self._group_bits)
            mask |= bit or 0
        return mask

    # ------------------------------------------------------------------ search

    def search(
        self, query: Query, *, kind: str = "offer", limit: int = 10, include_ineligible: bool = False
    ) -> list[Match]:
        """Rank listings of ``kind`` for ``query``, best first.

        Without ``include_ineligible`` only eligible listings come back. With it, the ``limit`` best
        listings of all are returned, eligible ones first, each ineligible one with a reason naming
        the hard rule it fails.
        """
        if kind not in self._stores:
            raise ValueError(f"this index holds {sorted(self._stores)}, not {kind!r}")
        if limit <= 0:
            return []
        with self._lock:
            parts: list[_Store | FrozenStore] = [self._stores[kind]]
            if kind == "offer" and self._base is not None:
                parts.insert(0, self._base)
            parts = [part for part in parts if part.live]
            if not parts:
                return []
            if len(parts) == 1:
                return _Search(self, parts[0], query, limit, include_ineligible).run()
            # The snapshot and this process's own rows are ranked with one set of document
            # frequencies, so their scores compare; then merged as one ranking would order them.
            stats = _Stats(parts)
            found = [m for part in parts for m in _Search(self, part, query, limit, include_ineligible, stats).run()]
            found.sort(key=lambda m: (-m.score, _id_key(m.listing.id)))
            found = found[:limit]
            found.sort(key=lambda m: not m.eligible)
            return found


class _Stats:
    """Document frequencies over several parts of one index (idf must not depend on which part)."""

    def __init__(self, parts: Sequence[_Store | FrozenStore]) -> None:
        self.parts = parts
        self.live = sum(part.live for part in parts)

    def df(self, term: str) -> int:
        return sum(part.df(term) for part in self.parts)


def _joined(analysis: Analysis, analyzer: Analyzer, max_words: int | None = None) -> str:
    """Words plus concept names, space-joined for rapidfuzz's token-set comparison.

    A listing keeps only its first ``max_words`` words (the title comes first): the fuzzy score is a
    tie-breaker on top of full-text coverage, and its cost grows with string length."""
    names = (analyzer.thesaurus.concepts[c].name for c in analysis.concepts)
    return " ".join((*analysis.words[:max_words], *names))


_COLUMNS = (
    "cat", "groups", "price", "pricing", "budget", "cap_score", "id_key", "org_idx", "min_a", "reg_required",
    "org_score", "a_level", "registered", "suspended",
)
_ORG_COLUMNS = _COLUMNS[-4:]


def _flush(store: _Store) -> None:
    """Write pending rows into the postings and the numpy columns (vectorised, one pass each)."""
    if not store.pending:
        return
    _flush_postings(store)
    store.cols.ensure(store.n)
    rows, *columns = zip(*store.pending, strict=True)
    index = np.fromiter(rows, dtype=np.int64, count=len(rows))
    for key, values in zip(_COLUMNS, columns, strict=True):
        store.cols.arrays[key][index] = values
    store.cols.arrays["alive"][index] = True
    store.pending.clear()


def _flush_postings(store: _Store) -> None:
    term_ids = np.array(store.pending_terms, dtype=np.int32)
    rows = np.array(store.pending_term_rows, dtype=np.int32)
    store.pending_terms, store.pending_term_rows = array("i"), array("i")
    if term_ids.size == 0:  # listings whose text yields no term (e.g. "0") add no postings
        return
    order = np.argsort(term_ids, kind="stable")  # stable: rows stay ascending within a term
    term_ids, rows = term_ids[order], rows[order]
    bounds = np.flatnonzero(np.diff(term_ids)) + 1
    starts, ends = np.r_[0, bounds].tolist(), np.r_[bounds, term_ids.size].tolist()
    for start, end in zip(starts, ends, strict=True):
        store.postings[int(term_ids[start])].frombytes(rows[start:end].tobytes())


def _org_values(org: OrgFacts | None) -> tuple[float, int, bool, bool]:
    """Values of the organization columns, in ``_ORG_COLUMNS`` order."""
    if org is None:
        return _UNRATED_ORG_SCORE, 0, False, False
    return _org_score(org), int(org.a_level or 0), org.registration == "registered", bool(org.suspended)


def _capacity_score(capacity: int | None) -> float:
    if capacity is None:
        return 0.5
    return 0.0 if capacity <= 0 else min(1.0, math.log1p(capacity) / math.log1p(30))


def _org_score(org: OrgFacts | None) -> float:
    """Record of an organization: mean of stars/5, evaluation/100 and A-level/5 where known."""
    if org is None:
        return _UNRATED_ORG_SCORE
    parts = []
    if org.stars:
        parts.append(min(max(org.stars, 0), 5) / 5)
    if org.evaluation_avg is not None:
        parts.append(min(max(org.evaluation_avg, 0.0), 100.0) / 100)
    if org.a_level:
        parts.append(min(max(org.a_level, 0), 5) / 5)
    return sum(parts) / len(parts) if parts else _UNRATED_ORG_SCORE


# --------------------------------------------------------------------------------------------- one search


class _Search:
    """One search. Rule vectors are aligned with ``self.rows``, the rows still in play: every live row,
    or only those the place rule lets through when ineligible rows are not wanted (most queries have
    a place, and that cuts the numpy work several-fold)."""

    def __init__(
        self, index: MatchIndex, store: _Store | FrozenStore, query: Query, limit: int, include_ineligible: bool,
        stats: _Stats | _Store | FrozenStore | None = None,
    ) -> None:
        self.index, self.store, self.query, self.limit = index, store, query, limit
        self.stats = stats or store
        self.include_ineligible = include_ineligible
        self.kind = store.kind
        self.analysis = index.analyzer.analyse_query(query.text or "")
        self.soft: dict[str, np.ndarray] = {}
        self.hard: dict[str, np.ndarray] = {}
        self.place_mode = ""

    def run(self) -> list[Match]:
        """Score the rows in play, shortlist, rescore the shortlist, explain the top."""
        self.rows = self._rows_in_play()
        relevant = self._text_vectors()
        relevant |= self._category_vector()
        relevant |= self._group_vector(category_known="category" in self.soft)
        self._money_vectors()
        self._feedback_vector()
        self._hard_vectors()
        eligible = np.ones(self.rows.size, dtype=bool)
        for mask in self.hard.values():
            eligible &= mask
        pool = relevant if self.include_ineligible else relevant & eligible
        picked = self._shortlist(np.flatnonzero(pool))
        if picked.size == 0:
            return []
        self._rescore_text(picked)
        scores = np.round(100.0 * self._weighted(self.final), 2)
        return self._matches(picked, scores, eligible[picked])

    def _rows_in_play(self) -> np.ndarray:
        n = self.store.n
        alive = self.store.alive_mask()
        prox = self._place_vector(n)
        if prox is None:
            return np.flatnonzero(alive)
        rows = np.flatnonzero(alive) if self.include_ineligible else np.flatnonzero(alive & (prox > 0))
        self.soft["place"] = prox[rows]
        self.hard["reach"] = self.soft["place"] > 0
        return rows

    def _col(self, name: str) -> np.ndarray:
        return self.store.gather(name, self.rows)

    # ------------------------------------------------------------------ text

    def _text_vectors(self) -> np.ndarray:
        """Word and concept coverage; returns the mask of rows sharing some text with the query."""
        words, concepts = self.analysis.words, self.analysis.concepts
        has_topic = bool(words or concepts or self.query.category or self.query.target_groups)
        if not (words or concepts):
            return np.full(self.rows.size, not has_topic)
        self.lex = self._coverage([(w, w, 1.0, True) for w in words], unknown_share=_UNKNOWN_WORD_SHARE)
        self.con = self._coverage(self._concept_terms(), unknown_share=1.0)
        self.soft["text"] = 0.6 * self.con + 0.4 * self.lex if concepts else self.lex
        return self.soft["text"] > 0

    def _concept_terms(self) -> list[tuple[str, str, float, bool]]:
        """(posting term, idf term, share, raises the bar) of the query's concepts: each met in
        passing (``c:``) or as what a listing is for (``p:``); related concepts add credit only."""
        direct = list(self.analysis.concepts)
        thesaurus = self.index.analyzer.thesaurus
        related = {r for c in direct for r in thesaurus.concepts[c].related} - set(direct)
        terms = []
        background = self.analysis.background
        for cid, share, in_bar in [(c, thesaurus.concepts[c].weight * background.get(c, 1.0), True) for c in direct] + [
            (c, _RELATED_CONCEPT_SHARE, False) for c in sorted(related)
        ]:
            terms.append((_concept_term(cid), _concept_term(cid), share * _INCIDENTAL_SHARE, in_bar))
            terms.append((_primary_term(cid), _concept_term(cid), share * (1 - _INCIDENTAL_SHARE), in_bar))
        return terms

    def _coverage(self, terms: list[tuple[str, str, float, bool]], unknown_share: float) -> np.ndarray:
        """Share of the query's idf-weighted terms each row contains, 0–1. Each term is (posting
        term, term whose document frequency sets its idf, share, whether it raises the bar: terms
        that do not add credit without making full marks harder)."""
        store, stats = self.store, self.stats
        total = max(stats.live, 1)
        idx, wts, denom = [], [], 0.0
        for term, idf_term, share, in_bar in terms:
            df = stats.df(idf_term)
            weight = math.log(1 + (total - min(df, total) + 0.5) / (df + 0.5)) * share
            denom += weight * (1.0 if df else unknown_share) if in_bar else 0.0
            rows = store.term_rows(term) if df else _EMPTY_ROWS
            if rows.size:
                idx.append(rows)
                wts.append(np.full(rows.size, weight, dtype=np.float32))
        if not idx or denom <= 0:
            return np.zeros(self.rows.size, dtype=np.float32)
        raw = np.bincount(np.concatenate(idx), weights=np.concatenate(wts), minlength=self.store.n)
        return np.minimum(raw[self.rows] / denom, 1.0).astype(np.float32)

    def _rescore_text(self, picked: np.ndarray) -> None:
        """Blend rapidfuzz token-set similarity into the text score of the shortlisted rows."""
        self.final = {rule: vec[picked] for rule, vec in self.soft.items()}
        if "text" not in self.soft:
            return
        query_joined = _joined(self.analysis, self.index.analyzer)
        choices = [self.store.joined_text(r) for r in self.rows[picked].tolist()]
        fz = process.cdist([query_joined], choices, scorer=fuzz.token_set_ratio, dtype=np.uint8, workers=1)[0]
        fz = fz.astype(np.float32) / 100.0
        con, lex = self.con[picked], self.lex[picked]
        blend = 0.5 * con + 0.3 * lex + 0.2 * fz if self.analysis.concepts else 0.65 * lex + 0.35 * fz
        self.final["text"] = blend

    # ------------------------------------------------------------------ other soft rules

    def _category_vector(self) -> np.ndarray:
        """Category agreement (explicit, else inferred from concepts); returns the 'same topic' mask."""
        if self.query.category:
            dist, self.category_inferred = {self.query.category: 1.0}, False
        else:
            dist, self.category_inferred = dict(self.analysis.categories), True
        if not dist:
            return np.zeros(self.rows.size, dtype=bool)
        thesaurus, top = self.index.analyzer.thesaurus, max(dist.values())
        table = np.zeros(len(self.index._cat_ids) + 1, dtype=np.float32)
        for code, cid in self.index._cat_ids.items():
            related = max((dist[c] for c in dist if thesaurus.categories_related(c, code)), default=0.0)
            table[cid] = max(dist.get(code, 0.0) / top, _RELATED_CATEGORY_SCORE * related / top)
        table[0] = _UNKNOWN_CATEGORY_SCORE
        cats = self._col("cat")
        self.soft["category"] = table.take(cats)
        return (self.soft["category"] > 0) & (cats > 0)

    def _group_vector(self, category_known: bool) -> np.ndarray:
        """Target-group agreement; a group match counts as 'same topic' only when no category does."""
        bits = self.index._group_bits
        qmask = self.index._group_mask((*self.query.target_groups, *self.analysis.groups)) & ~bits["residents"]
        self.query_groups = qmask
        if not qmask:
            return np.zeros(self.rows.size, dtype=bool)
        rows = self._col("groups")
        shared = _POPCOUNT.take(rows & qmask)
        score = shared.astype(np.float32) / float(_POPCOUNT[qmask])
        general = ((rows & bits["residents"]) > 0) | (rows == 0)
        self.soft["target_groups"] = np.where(general, np.maximum(score, _GENERAL_AUDIENCE_SCORE), score)
        return np.zeros(self.rows.size, dtype=bool) if category_known else shared > 0

    def _money_vectors(self) -> None:
        q = self.query
        if self.kind == "offer":
            if q.budget_fen is not None:
                self.soft["budget"] = _fit(self._col("price"), float(q.budget_fen), against="price")
            else:
                self.soft["budget"] = self._col("pricing")
            self.soft["org_record"] = self._col("org_score")
            self.soft["capacity"] = self._col("cap_score")
        elif self.kind == "opportunity" and q.price_fen is not None:
            self.soft["budget"] = _fit(self._col("budget"), float(q.price_fen), against="budget")

    def _feedback_vector(self) -> None:
        """Managers' verdicts: concepts learnt to go with the query's features, the organization's standing."""
        model = self.index.feedback
        if not model:
            return
        scores = model.concept_scores(query_features(self.analysis.concepts, self.analysis.words))
        if not scores and not model.orgs:
            return
        raw = np.zeros(self.store.n, dtype=np.float32)
        for concept, value in scores.items():
            raw[self.store.term_rows(_primary_term(concept))] += value
        mine = np.tanh(raw[self.rows] * CONCEPT_SCALE)
        orgs = self._col("org_idx")
        org_ids = self.store.org_ids
        table = np.asarray(model.org_weights(org_ids, len(org_ids)) + [0.0], dtype=np.float32)
        mine = np.clip(mine + table.take(orgs), -1.0, 1.0)  # -1 (no organization) takes the trailing 0
        self.soft["feedback"] = (0.5 + 0.5 * mine).astype(np.float32)

    # ------------------------------------------------------------------ place and hard rules

    def _place_vector(self, n: int) -> np.ndarray | None:
        """Proximity of every row to the query's place (0 = out of reach), or None without a place."""
        q, kind = self.query, self.kind
        if kind == "need" and q.region_codes:
            self.place_mode = "under"
            return self._under(n, q.region_codes)
        if kind == "offer" and q.region_code:
            self.place_mode = "reach"
            return self._reach(n, q.region_code)
        if q.region_code or q.region_codes:
            self.place_mode = "overlap"
            return self._overlap(n, [q.region_code] if q.region_code else list(q.region_codes or ()))
        return None

    def _proximity(self, fine: str, coarse: str) -> float:
        tree = self.index.regions
        gap = min(tree.level(fine), _COMMUNITY) - tree.level(coarse)
        return _PROXIMITY[min(max(gap, 0), len(_PROXIMITY) - 1)]

    def _bump(self, prox: np.ndarray, code: str, value: float) -> None:
        rows = self.store.region_rows_of(code)
        if rows.size:
            prox[rows] = np.maximum(prox[rows], value)

    def _reach(self, n: int, place: str) -> np.ndarray:
        """An offer reaches a place when one of its areas is the place or contains it."""
        prox = np.zeros(n, dtype=np.float32)
        for area in self.index.regions.ancestors(place):
            self._bump(prox, area, self._proximity(place, area))
        return prox

    def _under(self, n: int, areas: Sequence[str]) -> np.ndarray:
        """Needs whose place lies in one of the offer's areas."""
        prox = np.zeros(n, dtype=np.float32)
        for area in areas:
            for code in self._indexed_descendants(area):
                self._bump(prox, code, self._proximity(code, area))
        return prox

    def _overlap(self, n: int, areas: Sequence[str]) -> np.ndarray:
        """Listings with an area that contains, or lies in, one of the query's areas."""
        prox = np.zeros(n, dtype=np.float32)
        for area in areas:
            for up in self.index.regions.ancestors(area):
                self._bump(prox, up, self._proximity(area, up))
            for down in self._indexed_descendants(area):
                if down != area:
                    self._bump(prox, down, self._proximity(down, area))
        return prox

    def _indexed_descendants(self, area: str) -> list[str]:
        tree, indexed = self.index.regions, self.store.indexed_regions
        below = tree.descendants(area)
        if len(below) <= len(indexed):
            return [code for code in below if code in indexed]
        return [code for code in indexed if tree.contains(area, code)]

    def _hard_vectors(self) -> None:
        q, size = self.query, self.rows.size
        if self.kind == "offer":
            self.hard["suspended"] = ~self._col("suspended")
            if q.eligibility:
                ok = self._col("a_level") >= int(q.eligibility.get("min_a_level") or 0)
                if q.eligibility.get("registration_required"):
                    ok &= self._col("registered")
                self.hard["eligibility"] = ok
        elif q.org is not None:
            self.hard["suspended"] = np.full(size, not q.org.suspended)
            if self.kind == "opportunity":
                ok = self._col("min_a") <= q.org.a_level
                if q.org.registration != "registered":
                    ok &= ~self._col("reg_required")
                self.hard["eligibility"] = ok

    # ------------------------------------------------------------------ ranking

    def _weights(self) -> dict[str, float]:
        return {rule: RULE_WEIGHTS[rule] for rule in RULE_WEIGHTS if rule in self.soft}

    def _shortlist(self, candidates: np.ndarray) -> np.ndarray:
        """Positions with the best preliminary score (everything but the fuzzy text part)."""
        size = min(max(self.limit * 10, _MIN_CANDIDATES), _MAX_CANDIDATES)
        if candidates.size <= size:
            return candidates
        pre = self._weighted(self.soft, candidates)
        # The ``size`` best preliminary scores in linear time; ties at the cut are settled by the
        # stable id key (never by load order, which differs between processes).
        cut = pre.size - size
        kth = np.partition(pre, cut)[cut]
        above = np.flatnonzero(pre > kth)
        ties = np.flatnonzero(pre == kth)
        need = size - above.size
        if ties.size > need:
            keys = self.store.gather("id_key", self.rows[candidates[ties]])
            ties = ties[np.argsort(keys, kind="stable")[:need]]
        return np.sort(candidates[np.concatenate((above, ties))])  # position order

    def _weighted(self, vectors: Mapping[str, np.ndarray], positions: np.ndarray | None = None) -> np.ndarray:
        """Weighted mean of the applicable soft rules (at ``positions``, or over whole vectors)."""
        weights = self._weights()
        total: np.ndarray | float = 0.0
        for rule, weight in weights.items():
            vec = vectors[rule] if positions is None else vectors[rule][positions]
            total = total + weight * vec
        return np.asarray(total, dtype=np.float32) / max(sum(weights.values()), 1e-9)

    def _matches(self, picked: np.ndarray, scores: np.ndarray, eligible: np.ndarray) -> list[Match]:
        # Best score first, ties by the stable id key; of those, eligible ones first (include_ineligible).
        keys = self._col("id_key")[picked]
        order = np.lexsort((keys, -scores))[: self.limit].tolist()
        order.sort(key=lambda i: not eligible[i])
        explainer = Explainer(self)
        out = []
        for i in order:
            row = int(self.rows[picked[i]])
            reasons = explainer.reasons(i, int(picked[i]), row)
            listing = explainer.listing(row)
            assert listing is not None
            out.append(Match(listing, round(float(scores[i]), 2), bool(eligible[i]), reasons))
        return out


def _fit(values: np.ndarray, limit: float, against: str) -> np.ndarray:
    """Price-against-budget fit: within 1.0, up to 25 % over 0.5, further over 0.1, unknown 0.6."""
    price, budget = (values, limit) if against == "price" else (limit, values)
    with np.errstate(invalid="ignore"):
        score = np.where(price <= budget, 1.0, np.where(price <= 1.25 * budget, 0.5, 0.1))
    return np.where(np.isnan(values), _MISSING_PRICE_SCORE, score).astype(np.float32)
