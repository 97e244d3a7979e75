"""An immutable, memory-mapped copy of the offers index, built once per host and shared by every
server process.

``freeze`` writes a built offers store to a directory of ``.npy`` files: numeric columns, postings
in CSR form keyed by a 64-bit hash of each term, region postings, listing ids, the short texts the
fuzzy rescoring compares, each row's concepts, and a table sorted by id key for lookups. Each worker
opens the files with ``numpy.load(mmap_mode="r")``: the pages live once in the operating system's
page cache, whatever the number of processes. What a worker keeps of its own is small: a copy of
the alive mask (one byte a row), the organizations' current facts (suspension, rating — they change
after the snapshot), and the category remapping. Listings changed after the snapshot are hidden in
the snapshot and served from the worker's ordinary in-memory index on top of it.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import time
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from .records import Listing, OrgFacts

if TYPE_CHECKING:
    from .engine import _Store

__all__ = ["FORMAT", "FrozenStore", "freeze", "term_hash"]

FORMAT = 1
_EMPTY = np.zeros(0, dtype=np.int32)
_STATIC = ("cat", "groups", "price", "pricing", "budget", "cap_score", "id_key", "org_idx", "min_a", "reg_required")
_ORG = ("org_score", "a_level", "registered", "suspended")
_PRICING_NAMES = {1.0: "free", 0.85: "low_cost", 0.4: "market"}


def term_hash(term: str) -> int:
    """The 64-bit key of a posting term (collisions between distinct terms are vanishingly rare)."""
    return int.from_bytes(hashlib.blake2b(term.encode(), digest_size=8).digest(), "little")


def _hashes(terms: list[str]) -> np.ndarray:
    return np.fromiter((term_hash(t) for t in terms), dtype=np.uint64, count=len(terms))


def _blob(texts: list[str]) -> tuple[np.ndarray, np.ndarray]:
    encoded = [t.encode() for t in texts]
    starts = np.zeros(len(encoded) + 1, dtype=np.int64)
    np.cumsum([len(e) for e in encoded], out=starts[1:])
    return np.frombuffer(b"".join(encoded), dtype=np.uint8), starts


def _csr(groups: list[list[int]], dtype: Any) -> tuple[np.ndarray, np.ndarray]:
    starts = np.zeros(len(groups) + 1, dtype=np.int64)
    np.cumsum([len(g) for g in groups], out=starts[1:])
    flat = np.fromiter((x for g in groups for x in g), dtype=dtype, count=int(starts[-1]))
    return flat, starts


def freeze(store: _Store, directory: Path, *, cat_codes: Mapping[str, int], group_bits: Mapping[str, int],
           extra: Mapping[str, Any] | None = None) -> Path:
    """Write ``store`` (flushed, of offers) as a snapshot in ``directory`` (created; must not exist)."""
    tmp = directory.with_name(directory.name + ".tmp")
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir(parents=True)
    n = store.n

    def save(name: str, arr: np.ndarray) -> None:
        np.save(tmp / f"{name}.npy", np.ascontiguousarray(arr))

    for name in (*_STATIC, "alive"):
        save(name, store.cols.arrays[name][:n])
    save("capacity", np.array([-1 if (lst is None or lst.capacity_per_month is None) else lst.capacity_per_month
                               for lst in store.listings], dtype=np.int32))
    # Postings, ordered by term hash so that a lookup is one binary search.
    terms = list(store.vocab)
    hashes = _hashes(terms)
    order = np.argsort(hashes, kind="stable")
    if np.any(np.diff(hashes[order]) == 0):
        raise ValueError("two posting terms share a hash")
    lengths = np.array([len(store.postings[store.vocab[terms[i]]]) for i in order.tolist()], dtype=np.int64)
    starts = np.zeros(len(terms) + 1, dtype=np.int64)
    np.cumsum(lengths, out=starts[1:])
    postings = np.empty(int(starts[-1]), dtype=np.int32)
    for j, i in enumerate(order.tolist()):
        part = store.postings[store.vocab[terms[i]]]
        postings[starts[j]:starts[j + 1]] = np.frombuffer(part, dtype=np.int32) if len(part) else _EMPTY
    save("term_hash", hashes[order])
    save("term_start", starts)
    save("postings", postings)
    regions = sorted(store.region_rows)
    flat, rstarts = _csr([list(store.region_rows[c]) for c in regions], np.int32)
    save("region_postings", flat)
    save("region_start", rstarts)
    ids, id_starts = _blob([lst.id if lst is not None else "" for lst in store.listings])
    save("id_blob", ids)
    save("id_start", id_starts)
    joined, joined_starts = _blob(store.joined)
    save("joined_blob", joined)
    save("joined_start", joined_starts)
    concept_ids = sorted({c for cs in store.concepts for c in cs})
    cindex = {c: i for i, c in enumerate(concept_ids)}
    for name, per_row in (("concepts", store.concepts), ("primary", store.primary)):
        flat, cstarts = _csr([[cindex[c] for c in cs] for cs in per_row], np.int16)
        save(f"{name}_post", flat)
        save(f"{name}_start", cstarts)
    keys = store.cols.arrays["id_key"][:n]
    key_rows = np.argsort(keys, kind="stable").astype(np.int32)
    save("key_sorted", keys[key_rows])
    save("key_rows", key_rows)
    orgs = sorted(store.org_ids, key=store.org_ids.__getitem__)
    manifest = {
        "format": FORMAT, "rows": n, "live": store.live, "categories": dict(cat_codes), "groups": dict(group_bits),
        "orgs": orgs, "regions": regions, "concepts": concept_ids, "built": time.time(), **(extra or {}),
    }
    (tmp / "manifest.json").write_text(json.dumps(manifest, ensure_ascii=False), encoding="utf-8")
    os.replace(tmp, directory)
    return directory


class FrozenStore:
    """A snapshot of offers opened read-only; the same read interface as the in-memory store."""

    kind = "offer"

    def __init__(self, directory: Path) -> None:
        self.directory = Path(directory)
        self.manifest = json.loads((self.directory / "manifest.json").read_text(encoding="utf-8"))
        if self.manifest.get("format") != FORMAT:
            raise ValueError(f"snapshot format {self.manifest.get('format')} is not {FORMAT}")

        def load(name: str) -> np.ndarray:
            return np.load(self.directory / f"{name}.npy", mmap_mode="r")

        self.n: int = self.manifest["rows"]
        self.cols = {name: load(name) for name in (*_STATIC, "capacity")}
        self._alive = np.array(load("alive"), dtype=bool)  # this process's copy: hiding writes to it
        self.live = int(self._alive.sum())
        self._term_hash, self._term_start, self._postings = load("term_hash"), load("term_start"), load("postings")
        self._region_start, self._region_postings = load("region_start"), load("region_postings")
        self.region_index = {code: i for i, code in enumerate(self.manifest["regions"])}
        self._id_blob, self._id_start = load("id_blob"), load("id_start")
        self._joined_blob, self._joined_start = load("joined_blob"), load("joined_start")
        self._concepts = (load("concepts_post"), load("concepts_start"))
        self._primary = (load("primary_post"), load("primary_start"))
        self._concept_ids: list[str] = self.manifest["concepts"]
        self._key_sorted, self._key_rows = load("key_sorted"), load("key_rows")
        self.org_ids: dict[str, int] = {org: i for i, org in enumerate(self.manifest["orgs"])}
        self._org_list: list[str] = self.manifest["orgs"]
        self._org_facts: list[OrgFacts] = []
        self._org_cols: dict[str, np.ndarray] = {}
        self._cat_map = np.zeros(1, dtype=np.int16)
        self._cat_codes: dict[int, str] = {}

    # ------------------------------------------------------------------ binding to a process

    def bind(self, cat_ids: dict[str, int], group_bits: Mapping[str, int], orgs: Mapping[str, OrgFacts]) -> None:
        """Map the snapshot's category ids onto the index's, and load the organizations' current facts."""
        from .engine import _org_values

        stored: dict[str, int] = self.manifest["categories"]
        for code in stored:
            if code not in cat_ids:
                cat_ids[code] = len(cat_ids) + 1
        self._cat_map = np.zeros(max(stored.values(), default=0) + 1, dtype=np.int16)
        for code, i in stored.items():
            self._cat_map[i] = cat_ids[code]
        self._cat_codes = {i: code for code, i in stored.items()}
        if any(group_bits.get(g) != bit for g, bit in self.manifest["groups"].items()):
            raise ValueError("the snapshot's target-group bits differ from the index's")
        self._org_facts = [orgs.get(o) or OrgFacts(id=o) for o in self._org_list]
        # One row per organization, plus a trailing default for rows without one (org_idx -1).
        values = [_org_values(f) for f in self._org_facts] + [_org_values(None)]
        for j, (name, dtype) in enumerate((("org_score", np.float32), ("a_level", np.int8),
                                           ("registered", np.bool_), ("suspended", np.bool_))):
            self._org_cols[name] = np.array([v[j] for v in values], dtype=dtype)

    def update_org(self, org: OrgFacts) -> None:
        """An organization's facts changed (suspension, rating): every snapshot row of it sees it."""
        from .engine import _org_values

        i = self.org_ids.get(org.id)
        if i is None:
            return
        self._org_facts[i] = org
        for name, value in zip(_ORG, _org_values(org), strict=True):
            self._org_cols[name][i] = value

    def row_of_id(self, listing_id: str) -> int | None:
        """The live row of a listing id, or None."""
        from .engine import _id_key

        key = _id_key(listing_id)
        pos = int(np.searchsorted(self._key_sorted, key))
        while pos < self._key_sorted.size and int(self._key_sorted[pos]) == key:
            row = int(self._key_rows[pos])
            if self._alive[row] and self._id(row) == listing_id:
                return row
            pos += 1
        return None

    def hide(self, listing_id: str) -> None:
        """Hide a listing's row in this process (it changed or went since the snapshot)."""
        row = self.row_of_id(listing_id)
        if row is not None:
            self._alive[row] = False
            self.live -= 1

    # ------------------------------------------------------------------ the read interface

    def df(self, term: str) -> int:
        i = self._term(term)
        return 0 if i is None else int(self._term_start[i + 1] - self._term_start[i])

    def term_rows(self, term: str) -> np.ndarray:
        i = self._term(term)
        return _EMPTY if i is None else self._postings[self._term_start[i]:self._term_start[i + 1]]

    def _term(self, term: str) -> int | None:
        key = np.uint64(term_hash(term))
        i = int(np.searchsorted(self._term_hash, key))
        return i if i < self._term_hash.size and self._term_hash[i] == key else None

    def region_rows_of(self, code: str) -> np.ndarray:
        i = self.region_index.get(code)
        return _EMPTY if i is None else self._region_postings[self._region_start[i]:self._region_start[i + 1]]

    @property
    def indexed_regions(self) -> Mapping[str, int]:
        return self.region_index

    def alive_mask(self) -> np.ndarray:
        return self._alive

    def gather(self, name: str, rows: np.ndarray) -> np.ndarray:
        if name in self._org_cols:
            return self._org_cols[name].take(self.cols["org_idx"][rows])  # -1 takes the trailing default
        if name == "alive":
            return self._alive[rows]
        if name == "cat":
            return self._cat_map.take(self.cols["cat"][rows])
        return self.cols[name][rows]

    def value(self, name: str, row: int) -> Any:
        return self.gather(name, np.array([row]))[0]

    def _id(self, row: int) -> str:
        return bytes(self._id_blob[self._id_start[row]:self._id_start[row + 1]]).decode()

    def joined_text(self, row: int) -> str:
        return bytes(self._joined_blob[self._joined_start[row]:self._joined_start[row + 1]]).decode()

    def _concept_list(self, which: tuple[np.ndarray, np.ndarray], row: int) -> tuple[str, ...]:
        flat, starts = which
        return tuple(self._concept_ids[i] for i in flat[starts[row]:starts[row + 1]].tolist())

    def concepts_of(self, row: int) -> tuple[str, ...]:
        return self._concept_list(self._concepts, row)

    def primary_of(self, row: int) -> tuple[str, ...]:
        return self._concept_list(self._primary, row)

    def listing(self, row: int) -> Listing | None:
        """The listing of a row as far as ranking and explaining need it (texts are read from the database)."""
        if not self._alive[row]:
            return None
        org_idx = int(self.cols["org_idx"][row])
        price = float(self.cols["price"][row])
        capacity = int(self.cols["capacity"][row])
        return Listing(
            id=self._id(row), kind="offer", title="", description="",
            category=self._cat_codes.get(int(self.cols["cat"][row])), target_groups=[], region_codes=[],
            status="published", price_fen=None if price != price else int(price),
            pricing=_PRICING_NAMES.get(round(float(self.cols["pricing"][row]), 2)),
            capacity_per_month=None if capacity < 0 else capacity,
            org=self._org_facts[org_idx] if org_idx >= 0 else None,
        )
