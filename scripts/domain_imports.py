#!/usr/bin/env python3
"""Count the pairs of domains that import each other, and every import of a higher domain by a lower one.

A domain is a package under ``src/exchange``; every ``import`` counts, at module level or inside a
function. Prints the pairs and the count; exits 1 when a pair or an upward import exists.

    python3 scripts/domain_imports.py [SRC_DIR]     # default: src/exchange of this checkout
"""

from __future__ import annotations

import ast
import sys
from collections import defaultdict
from pathlib import Path

# Lower layers first; a domain may import its own layer's neighbours only where listed in no cycle.
LAYERS = [
    {"kit", "text"},
    {"regions", "accounts", "vocabularies", "audit", "events", "jobs"},
    {"organizations", "points"},
    {"funds"},
    {"listings", "opportunities", "offers", "needs", "matching"},
    {"tenders", "campaigns"},
    {"deals"},
    {"demo"},
]


def imports(src: Path) -> dict[str, set[str]]:
    """domain → the other domains its modules import."""
    packages = {p.name for p in src.iterdir() if p.is_dir() and (p / "__init__.py").exists()}
    graph: dict[str, set[str]] = defaultdict(set)
    for path in src.rglob("*.py"):
        parts = path.relative_to(src).parts
        if len(parts) < 2 or parts[0] not in packages:
            continue
        here = parts[0]
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names: list[str] = []
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                names = [node.module] + [f"{node.module}.{a.name}" for a in node.names]
            for name in names:
                bits = name.split(".")
                if bits[0] == "exchange" and len(bits) > 1 and bits[1] in packages and bits[1] != here:
                    graph[here].add(bits[1])
    return graph


def layer_of(domain: str) -> int | None:
    return next((i for i, layer in enumerate(LAYERS) if domain in layer), None)


def main() -> int:
    src = Path(sys.argv[1]) if len(sys.argv) > 1 else Path(__file__).resolve().parents[1] / "src" / "exchange"
    graph = imports(src)
    pairs = sorted({tuple(sorted((a, b))) for a, targets in graph.items() for b in targets if a in graph.get(b, ())})
    upward = sorted((a, b) for a, targets in graph.items() for b in targets
                    if layer_of(a) is not None and layer_of(b) is not None and layer_of(a) < layer_of(b))  # type: ignore[operator]
    for a, b in pairs:
        print(f"mutual: {a} <-> {b}")
    for a, b in upward:
        print(f"upward: {a} -> {b}")
    edges = sum(len(t) for t in graph.values())
    print(f"{len(graph)} domains, {edges} import edges, {len(pairs)} pairs import each other, {len(upward)} upward imports")
    return 1 if pairs or upward else 0


if __name__ == "__main__":
    sys.exit(main())
