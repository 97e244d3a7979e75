"""Ranking quality of the matching engine on two hand-labelled sets.

- ``resident`` (default), bench/data/matching_resident_eval.json: 244 queries over 61 services of all
  15 categories, written from the categories' service descriptions without consulting the thesaurus,
  three quarters of them resident speech (situations, Sichuan dialect, typos, traditional characters,
  long stories) with no category or target group; distractor services that share words, near-duplicate
  offers out of reach, offers of a suspended organization, opportunities that shut out filed organizations.
- ``original``, bench/data/matching_eval.json: the 45 queries written beside the thesaurus.

Prints nDCG@5 for the engine and for rapidfuzz baselines over the same offers, overall, on
colloquial resident speech, on formal texts, and on the dev / held-out halves.

    .venv/bin/python bench/matching_eval.py [--set resident|original] [--verbose]
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

DATA = {
    "resident": Path(__file__).with_name("data") / "matching_resident_eval.json",
    "original": Path(__file__).with_name("data") / "matching_eval.json",
}
COMMAND = "cd /work/main && .venv/bin/python bench/matching_eval.py --set {set}"
K = 5

Ranker = Callable[[dict], list[str]]


def load(path: Path) -> tuple[RegionTree, list[Listing], list[dict]]:
    """Region tree, offers as engine listings, and the labelled queries."""
    data = json.loads(path.read_text(encoding="utf-8"))
    if "services" in data:
        data = expand_services(data["services"])
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


# The resident set's world: one district, three subdistricts of two communities, a grid in each.
_D = "510104"
_SUBS = [f"{_D}{i:03d}000" for i in (1, 2, 3)]
_COMMS = [f"{sub[:9]}{j:03d}" for sub in _SUBS for j in (1, 2)]
_GRIDS = [f"{comm}001" for comm in _COMMS]
# Queries live in the first two subdistricts; near-duplicates only reach a community of the third.
_QUERY_PLACES = [_GRIDS[0], _COMMS[2], _GRIDS[3], _COMMS[1]]
_FAR = _COMMS[4]
_ORGS = [  # id, registration, A-level, suspended, stars, evaluation
    ("r1", "registered", 5, False, 5, 92), ("r2", "registered", 4, False, 4, 88), ("r3", "registered", 3, False, 4, 80),
    ("r4", "registered", 4, False, 3, 85), ("r5", "registered", 2, False, 3, None), ("r6", "registered", 3, False, 4, 83),
    ("f1", "subdistrict_filed", 0, False, 3, None), ("f2", "community_filed", 0, False, 4, None),
    ("f3", "subdistrict_filed", 0, False, 2, None), ("x1", "registered", 4, True, 4, 86),
]
_ELIGIBILITY = {"min_a_level": 3, "registration_required": True}


def expand_services(services: list[dict]) -> dict:
    """The resident set's services as regions, organizations, offers and labelled queries (see the file's 'about')."""
    regions = [{"code": _D, "parent_code": None, "level": "district"}]
    regions += [{"code": c, "parent_code": _D, "level": "subdistrict"} for c in _SUBS]
    regions += [{"code": c, "parent_code": f"{c[:9]}000", "level": "community"} for c in _COMMS]
    regions += [{"code": c, "parent_code": c[:12], "level": "grid"} for c in _GRIDS]
    orgs = [dict(zip(("id", "registration", "a_level", "suspended", "stars", "evaluation_avg"), o, strict=True))
            for o in _ORGS]
    registered, filed = [o[0] for o in _ORGS[:6]], [o[0] for o in _ORGS[6:9]]
    offers, queries = [], []
    for i, svc in enumerate(services):
        (ta, da), (tb, db) = svc["offers"]
        base = {"category": svc["category"], "target_groups": svc["groups"], "capacity_per_month": 20,
                "service": svc["id"]}
        offers.append({**base, "id": f"{svc['id']}.a", "title": ta, "description": da, "region_codes": [_D],
                       "organization_id": registered[i % 6], "pricing": "low_cost", "price_fen": 3000})
        offers.append({**base, "id": f"{svc['id']}.b", "title": tb, "description": db, "region_codes": _SUBS[:2],
                       "organization_id": filed[i % 3] if i % 2 == 0 else registered[(i + 2) % 6],
                       "pricing": "free", "price_fen": 0})
        offers.append({**base, "id": f"{svc['id']}.far", "title": ta, "description": da, "region_codes": [_FAR],
                       "organization_id": registered[(i + 3) % 6], "pricing": "free", "price_fen": 0})
        if i % 2 == 0:
            offers.append({**base, "id": f"{svc['id']}.suspended", "title": tb, "description": db,
                           "region_codes": [_D], "organization_id": "x1", "pricing": "free", "price_fen": 0})
        for j, (style, text) in enumerate(svc["queries"]):
            q = {"id": f"{svc['id']}.{j}", "service": svc["id"], "style": style, "text": text,
                 "split": "dev" if (i + j) % 2 == 0 else "held_out"}
            if style == "formal" and i % 3 == 0:
                q.update(region_codes=[_SUBS[j % 2]], eligibility=_ELIGIBILITY, category=svc["category"])
            else:
                q["region_code"] = _QUERY_PLACES[j]
                if style == "formal" and i % 2 == 0:
                    q["category"] = svc["category"]
            queries.append(q)
    related = {s["id"]: set(s["related"]) for s in services}
    tree = RegionTree({r["code"]: r["parent_code"] for r in regions}, levels={r["code"]: r["level"] for r in regions})
    org_facts = {o["id"]: OrgFacts(o["id"], o["registration"], o["a_level"], o["suspended"]) for o in orgs}
    for q in queries:
        q["relevance"] = {}
        for o in offers:
            if o["service"] == q["service"]:
                gain = 3
            elif o["service"] in related[q["service"]] or q["service"] in related[o["service"]]:
                gain = 1
            else:
                continue
            listing = Listing(o["id"], "offer", "", "", None, [], o["region_codes"], "published",
                              org=org_facts[o["organization_id"]])
            if passes_hard_rules(tree, q, listing):
                q["relevance"][o["id"]] = gain
    return {"regions": regions, "organizations": orgs, "offers": offers, "queries": queries}


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


def engine_ranker(tree: RegionTree, offers: list[Listing], index: MatchIndex | None = None) -> Ranker:
    """The engine: inverted index, concepts, hard rules and soft rules."""
    if index is None:
        index = MatchIndex(tree)
        index.upsert_many(offers)
    return lambda q: [m.listing.id for m in index.search(to_query(q), limit=K)]


def feedback_experiment(tree: RegionTree, offers: list[Listing], queries: list[dict], shown: int = 10) -> None:
    """Verdicts on one half, measured on the other: for every query of the taught half a manager
    marks the ``shown`` best offers good (relevance 3) or bad (relevance 0); related ones (1) get no
    verdict. nDCG@5 of the other half before and after, both ways round."""
    print(f"\nfeedback: verdicts on the top {shown} of one half's queries, nDCG@{K} of the other half")
    print(f"{'taught half':12s} {'verdicts':>8s}  {'measured half':14s} before  after")
    for taught, measured in (("dev", "held_out"), ("held_out", "dev")):
        index = MatchIndex(tree)
        index.upsert_many(offers)
        rank = engine_ranker(tree, offers, index)
        target = [q for q in queries if q["split"] == measured]
        before = statistics.fmean(ndcg(rank(q), q["relevance"]) for q in target)
        verdicts = 0
        for q in (q for q in queries if q["split"] == taught):
            for m in index.search(to_query(q), limit=shown):
                rel = q["relevance"].get(m.listing.id, 0)
                if rel != 1:
                    verdicts += index.learn(to_query(q), m.listing.id, good=rel >= 2)
        after = statistics.fmean(ndcg(rank(q), q["relevance"]) for q in target)
        print(f"{taught:12s} {verdicts:8d}  {measured:14s} {before:.3f}   {after:.3f}")


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
    ap.add_argument("--set", choices=sorted(DATA), default="resident", help="which evaluation set")
    ap.add_argument("--verbose", action="store_true", help="per-query scores and the engine's top results")
    ap.add_argument("--split", choices=("dev", "held_out"), help="with --verbose: only this half's queries")
    ap.add_argument("--no-feedback", action="store_true", help="skip the feedback experiment")
    args = ap.parse_args(argv)
    print("rerun:", COMMAND.format(set=args.set) + (" --verbose" if args.verbose else ""))
    tree, offers, queries = load(DATA[args.set])
    colloquial = sum(q["style"] == "colloquial" for q in queries)
    print(f"{len(queries)} queries ({colloquial} colloquial) over {len(offers)} offers; nDCG@{K}")
    print(f"{'ranker':44s} all    colloq formal dev    held_out")
    engine = engine_ranker(tree, offers)
    engine_scores = report("engine", engine, queries)
    ratio_scores = report("baseline fuzz.ratio (raw text)", fuzzy_ranker(offers, fuzz.ratio), queries)
    report("baseline fuzz.token_set_ratio (raw text)", fuzzy_ranker(offers, fuzz.token_set_ratio), queries)
    report("baseline token_set_ratio (segmented words)", fuzzy_ranker(offers, fuzz.token_set_ratio, True), queries)
    report("  the same + the hard rules", fuzzy_ranker(offers, fuzz.token_set_ratio, True, tree), queries)
    if not args.no_feedback:
        feedback_experiment(tree, offers, queries)
    if args.verbose:
        by_id = {o.id: o for o in offers}
        for q in queries:
            if args.split and q["split"] != args.split:
                continue
            top = engine(q)
            print(f"\n{q['id']} {q['style']:11s} engine {engine_scores[q['id']]:.2f} ratio {ratio_scores[q['id']]:.2f}"
                  f"  {q['text']}")
            for oid in top:
                print(f"    {q['relevance'].get(oid, 0)} {oid} {by_id[oid].title}")


if __name__ == "__main__":
    sys.exit(main())
