"""Administrative regions as a tree, for the matching engine's place rules."""

from __future__ import annotations

from collections.abc import Mapping

__all__ = ["LEVELS", "RegionTree"]

LEVELS: tuple[str, ...] = ("province", "city", "district", "subdistrict", "community", "grid", "building")


class RegionTree:
    """Region codes as a tree (code -> parent code). Codes the tree does not know are roots."""

    def __init__(
        self, parents: Mapping[str, str | None] | None = None, levels: Mapping[str, str] | None = None
    ) -> None:
        self._parent: dict[str, str | None] = {}
        self._children: dict[str, list[str]] = {}
        self._levels: dict[str, str] = dict(levels or {})
        self._anc_cache: dict[str, tuple[str, ...]] = {}
        self._desc_cache: dict[str, tuple[str, ...]] = {}
        for code, parent in (parents or {}).items():
            self.add(code, parent)

    def add(self, code: str, parent: str | None = None, level: str | None = None) -> None:
        """Add or move a region (cached ancestry is dropped)."""
        old = self._parent.get(code)
        if old is not None and code in self._children.get(old, []):
            self._children[old].remove(code)
        self._parent[code] = parent
        if parent is not None:
            self._children.setdefault(parent, []).append(code)
        if level:
            self._levels[code] = level
        self._anc_cache.clear()
        self._desc_cache.clear()

    def __contains__(self, code: object) -> bool:
        return code in self._parent

    def __len__(self) -> int:
        return len(self._parent)

    def parent(self, code: str) -> str | None:
        """The parent code, or None for a root or an unknown code."""
        return self._parent.get(code)

    def ancestors(self, code: str) -> tuple[str, ...]:
        """The code itself first, then its parent, up to the root."""
        cached = self._anc_cache.get(code)
        if cached is None:
            chain, seen, cur = [], set(), code
            while cur is not None and cur not in seen:  # the seen-set guards against bad cyclic data
                chain.append(cur)
                seen.add(cur)
                cur = self._parent.get(cur)
            cached = self._anc_cache[code] = tuple(chain)
        return cached

    def descendants(self, code: str) -> tuple[str, ...]:
        """The code itself first, then every region under it."""
        cached = self._desc_cache.get(code)
        if cached is None:
            out, stack, seen = [], [code], set()
            while stack:
                cur = stack.pop()
                if cur not in seen:
                    seen.add(cur)
                    out.append(cur)
                    stack.extend(self._children.get(cur, ()))
            cached = self._desc_cache[code] = tuple(out)
        return cached

    def contains(self, a: str, b: str) -> bool:
        """True when ``b`` is ``a`` or lies under ``a``."""
        return a in self.ancestors(b)

    def depth(self, code: str) -> int:
        """Steps from the root (a root is 0)."""
        return len(self.ancestors(code)) - 1

    def level(self, code: str) -> int:
        """Administrative rank (index into ``LEVELS``): from the stored level, else from the code's shape."""
        named = self._levels.get(code)
        if named in LEVELS:
            return LEVELS.index(named)
        return _level_from_code(code, self.depth(code))

    def level_name(self, code: str) -> str:
        """The level's name, e.g. 'community'."""
        return LEVELS[min(self.level(code), len(LEVELS) - 1)]


def _level_from_code(code: str, depth: int) -> int:
    """Level implied by GB/T 2260 and statistical division codes; tree depth for other shapes."""
    if code.isdigit():
        if len(code) == 6:
            return 0 if code.endswith("0000") else 1 if code.endswith("00") else 2
        if len(code) == 9:
            return 3
        if len(code) == 12:
            if code[6:] == "000000":
                return _level_from_code(code[:6], depth)
            return 3 if code.endswith("000") else 4
        if len(code) > 12:
            return min(5 + (len(code) - 13) // 3, len(LEVELS) - 1)
    return min(2 + depth, len(LEVELS) - 1)
