#!/usr/bin/env python3
"""Count the pairs of domains that import each other, and every import of a higher domain by a lower one.

A domain is a package under ``src/exchange``; every ``import`` counts, at module level or inside a
function. A domain's web and story modules (``endpoints.py``, ``*_endpoints.py``, ``flows.py``)
sit on top of every domain, as the layout says ("flows, web pages and the job runner on top"): they
may import any domain, and are counted apart; no domain module may import one of them.
Prints the pairs and the count (and, for comparison, the count with every module in its package);
exits 1 when a pair, an upward import or an import of a top module exists.

    python3 scripts/domain_imports.py [SRC_DIR]     # default: src/exchange of this checkout
"""

from __future__ import annotations

import ast
import sys
from collections import defaultdict
from pathlib import Path

# Lower layers first; a domain may import its own layer's neighbours only where listed in no cycle.
TOP_MODULES = {"endpoints.py", "flows.py"}
TOP_PACKAGES = {"demo", "web"}  # the demo district loads data through the flows, as the API does; pages read them too
LAYERS = [
    {"kit", "chinese", "privacy"},
    {"regions", "accounts", "vocabularies", "audit", "events", "jobs"},
    {"organizations", "points"},
    {"funds"},
    {"listings", "opportunities", "offers", "needs", "matching"},
    {"tenders", "campaigns"},
    {"deals"},
    {"personal_data"},
    {"demo", "web"},
]


def is_top(name: str) -> bool:
    return name in TOP_MODULES or name.endswith("_endpoints.py")


def imports(src: Path, *, top: bool | None = False) -> dict[str, set[str]]:
    """domain → the other domains its modules import (``top``: those of its web and story modules; None: all)."""
    packages = {p.name for p in src.iterdir() if p.is_dir() and (p / "__init__.py").exists()}
    graph: dict[str, set[str]] = defaultdict(set)
    for path in src.rglob("*.py"):
        parts = path.relative_to(src).parts
        if len(parts) < 2 or parts[0] not in packages or (top is not None and is_top(path.name) != top):
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
                if (top is False and here not in TOP_PACKAGES and bits[0] == "exchange" and len(bits) > 2
                        and is_top(f"{bits[2]}.py")):
                    graph[here].add(f"{bits[1]}.{bits[2]} (a top module)")
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
    into_top = sorted((a, b) for a, targets in graph.items() for b in targets if "top module" in b)
    for a, b in into_top:
        print(f"into the top: {a} -> {b}")
    upward += into_top
    edges = sum(len(t) for t in graph.values())
    whole = imports(src, top=None)
    whole_pairs = {tuple(sorted((a, b))) for a, targets in whole.items() for b in targets if a in whole.get(b, ())}
    print(f"{len(graph)} domains, {edges} import edges, {len(pairs)} pairs import each other, {len(upward)} upward imports"
          f" ({len(whole_pairs)} pairs when endpoints and flows count as part of their domain)")
    return 1 if pairs or upward else 0


if __name__ == "__main__":
    sys.exit(main())
