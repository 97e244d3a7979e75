"""Ranking quality of the matching engine on the hand-labelled set in bench/data/matching_eval.json.

Prints nDCG@5 for the engine and for rapidfuzz baselines over the same offers, overall, on
colloquial resident speech, on formal texts, and on the dev / held-out halves.

    .venv/bin/python bench/matching_eval.py [--verbose]
"""

from __future__ import annotations

import argparse
import json
import math
import statistics
import sys
from collections.abc import Callable
from pathlib import Path

from rapidfuzz import fuzz

from exchange.chinese.concepts import default_analyzer
from exchange.matching.engine import Listing, MatchIndex, OrgFacts, Query, RegionTree

DATA = Path(__file__).with_name("data") / "matching_eval.json"
COMMAND = "cd /work/main && .venv/bin/python bench/matching_eval.py"
K = 5

Ranker = Callable[[dict], list[str]]


def load(path: Path) -> tuple[RegionTree, list[Listing], list[dict]]:
    """Region tree, offers as engine listings, and the labelled queries."""
    data = json.loads(path.read_text(encoding="utf-8"))
    tree = RegionTree(
        {r["code"]: r["parent_code"] for r in data["regions"]}, levels={r["code"]: r["level"] for r in data["regions"]}
    )
    orgs = {
        o["id"]: OrgFacts(o["id"], o["registration"], o["a_level"], o["suspended"], o["stars"], o["evaluation_avg"])
        for o in data["organizations"]
    }
    offers = [
        Listing(
            o["id"], "offer", o["title"], o["description"], o["category"], o["target_groups"], o["region_codes"],
            "published", price_fen=o["price_fen"], pricing=o["pricing"], capacity_per_month=o["capacity_per_month"],
            org=orgs[o["organization_id"]],
        )
        for o in data["offers"]
    ]
    return tree, offers, data["queries"]


def to_query(q: dict) -> Query:
    """The engine query for a labelled query."""
    return Query(
        q["text"], category=q.get("category"), target_groups=q.get("target_groups", []),
        region_code=q.get("region_code"), region_codes=q.get("region_codes"), budget_fen=q.get("budget_fen"),
        eligibility=q.get("eligibility"),
    )


def ndcg(ranked: list[str], relevance: dict[str, int], k: int = K) -> float:
    """nDCG@k with gains 2^rel - 1."""
    dcg = sum((2 ** relevance.get(item, 0) - 1) / math.log2(i + 2) for i, item in enumerate(ranked[:k]))
    ideal = sorted(relevance.values(), reverse=True)[:k]
    idcg = sum((2**rel - 1) / math.log2(i + 2) for i, rel in enumerate(ideal))
    return dcg / idcg if idcg else 0.0


def engine_ranker(tree: RegionTree, offers: list[Listing]) -> Ranker:
    """The engine: inverted index, concepts, hard rules and soft rules."""
    index = MatchIndex(tree)
    index.upsert_many(offers)
    return lambda q: [m.listing.id for m in index.search(to_query(q), limit=K)]


def passes_hard_rules(tree: RegionTree, q: dict, offer: Listing) -> bool:
    """The hard rules of api.md, written out independently of the engine."""
    org = offer.org
    if org is not None and org.suspended:
        return False
    if q.get("region_code") and not any(tree.contains(a, q["region_code"]) for a in offer.region_codes):
        return False
    areas = q.get("region_codes") or []
    if areas and not any(tree.contains(a, b) or tree.contains(b, a) for a in offer.region_codes for b in areas):
        return False
    elig = q.get("eligibility") or {}
    a_level, registered = (org.a_level, org.registration == "registered") if org else (0, False)
    return a_level >= (elig.get("min_a_level") or 0) and (registered or not elig.get("registration_required"))


def fuzzy_ranker(
    offers: list[Listing], score: Callable[[str, str], float], segmented: bool = False, tree: RegionTree | None = None
) -> Ranker:
    """Rank offers by one rapidfuzz scorer on their text (segmented words if asked); with a tree, only
    offers that pass the hard rules are ranked."""
    analyzer = default_analyzer()

    def text(raw: str) -> str:
        return " ".join(analyzer.analyse(raw).words) if segmented else raw

    docs = [(o.id, text(f"{o.title}。{o.description}")) for o in offers]

    by_id = {o.id: o for o in offers}

    def rank(q: dict) -> list[str]:
        query = text(q["text"])
        pool = [d for d in docs if tree is None or passes_hard_rules(tree, q, by_id[d[0]])]
        scored = sorted(pool, key=lambda d: -score(query, d[1]))  # stable: ties keep file order
        return [doc_id for doc_id, _ in scored[:K]]

    return rank


def report(name: str, ranker: Ranker, queries: list[dict]) -> dict[str, float]:
    """Mean nDCG@K of one ranker over query subsets."""
    scores = {q["id"]: ndcg(ranker(q), q["relevance"]) for q in queries}
    subsets = {
        "all": queries,
        "colloquial": [q for q in queries if q["style"] == "colloquial"],
        "formal": [q for q in queries if q["style"] != "colloquial"],
        "dev": [q for q in queries if q["split"] == "dev"],
        "held_out": [q for q in queries if q["split"] == "held_out"],
    }
    means = {key: statistics.fmean(scores[q["id"]] for q in subset) for key, subset in subsets.items() if subset}
    print(f"{name:44s} " + "  ".join(f"{means[key]:.3f}" for key in subsets))
    return scores


def main(argv: list[str] | None = None) -> None:
    """Evaluate and print the table."""
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--verbose", action="store_true", help="per-query scores and the engine's top results")
    args = ap.parse_args(argv)
    print("rerun:", COMMAND + (" --verbose" if args.verbose else ""))
    tree, offers, queries = load(DATA)
    colloquial = sum(q["style"] == "colloquial" for q in queries)
    print(f"{len(queries)} queries ({colloquial} colloquial) over {len(offers)} offers; nDCG@{K}")
    print(f"{'ranker':44s} all    colloq formal dev    held_out")
    engine = engine_ranker(tree, offers)
    engine_scores = report("engine", engine, queries)
    ratio_scores = report("baseline fuzz.ratio (raw text)", fuzzy_ranker(offers, fuzz.ratio), queries)
    report("baseline fuzz.token_set_ratio (raw text)", fuzzy_ranker(offers, fuzz.token_set_ratio), queries)
    report("baseline token_set_ratio (segmented words)", fuzzy_ranker(offers, fuzz.token_set_ratio, True), queries)
    report("  the same + the hard rules", fuzzy_ranker(offers, fuzz.token_set_ratio, True, tree), queries)
    if args.verbose:
        by_id = {o.id: o for o in offers}
        for q in queries:
            top = engine(q)
            print(f"\n{q['id']} {q['style']:11s} engine {engine_scores[q['id']]:.2f} ratio {ratio_scores[q['id']]:.2f}"
                  f"  {q['text']}")
            for oid in top:
                print(f"    {q['relevance'].get(oid, 0)} {oid} {by_id[oid].title}")


if __name__ == "__main__":
    sys.exit(main())
