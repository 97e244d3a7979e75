"""In-process benchmark of the matching engine on synthetic offers.

Generates N published offers in realistic Chinese (templates x thesaurus concepts x places x
organization names, seedable), builds the index, and times searches with a mix of colloquial
resident needs and formal texts. For comparison it times brute-force rapidfuzz over every offer.
Then it times the build the server does from the database: from analyses stored at write time
(``match_analysis``), with the write-time analysis and the JSON decoding printed on their own; then
freezes that index into the memory-mapped snapshot server processes share, opens it and searches it.
The queries are built from the thesaurus' own phrasings, so they measure speed, not quality (that
is bench/matching_eval.py). Wall times depend on what else runs on the machine; CPU times are
printed alongside, and so is the load average.

    .venv/bin/python bench/matching_engine.py [--offers 100000] [--queries 600] [--seed 7]
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import random
import statistics
import sys
import time
from dataclasses import dataclass, replace
from pathlib import Path

from rapidfuzz import fuzz, process

from exchange.chinese.analysis import analysis_from_json, analysis_to_json
from exchange.chinese.concepts import Concept, default_analyzer, default_thesaurus
from exchange.kit.memory import gc_paused
from exchange.matching.engine import Listing, MatchIndex, OrgFacts, Query, RegionTree

COMMAND = (".venv/bin/python bench/matching_engine.py --offers {offers} --queries {queries} --brute {brute} --seed {seed}"
           "{fresh_flag}")

DISTRICT = ("510107", "武侯区")
SUBDISTRICTS = ["浆洗街", "玉林", "簇桥", "红牌楼"]
COMMUNITIES = [
    ["锦里", "洗面桥", "七道堰", "丽都"],
    ["玉林北路", "玉林东路", "黉门街", "倪家桥"],
    ["高碑", "七里", "锦城", "福锦"],
    ["红牌楼", "佳灵", "太平园", "广福桥"],
]
GRIDS_PER_COMMUNITY = 5

ORG_PREFIX = [
    "锦官", "蓉城", "乐龄", "同心", "向阳", "阳光", "益民", "和美", "爱有戏", "芙蓉", "暖心", "善邻", "星光", "红枫", "春芽",
    "众和",
]
ORG_MIDDLE = ["社会工作", "公益", "志愿", "邻里互助", "养老", "青少年发展", "文化艺术", "健康促进", "社区发展", "助残"]
ORG_SUFFIX = ["服务中心", "协会", "服务社", "发展中心", "服务队", "促进会", "工作室", "联合会"]

TITLE_TEMPLATES = [
    "{place}{term}", "{term}服务", "{term}项目", "“{brand}”{term}计划", "{place}{term}行动", "{term}进社区",
    "{group}{term}", "{term}小组", "{brand}{term}驿站", "{term}公益课堂", "{place}{term}与{term2}",
]
SENTENCES = [
    "本项目面向{place}{group}，提供{term}和{term2}。",
    "我们的团队由持证社工和志愿者组成，{freq}开展{term}。",
    "针对{group}{phrase}的问题，{org}开展{term}，帮助解决实际困难。",
    "服务内容包括{term}、{term2}、{term3}等。",
    "已在{place}累计服务{count}人次，居民满意度较高。",
    "{freq}安排专人上门，重点关注{group}。",
    "联合辖区医院、学校和爱心企业，整合资源开展{term2}。",
    "可根据社区需求定制{term}方案，{price_text}。",
    "项目周期{months}个月，设置{count2}个服务点位。",
    "通过{term}，让{group}在家门口就能享受专业服务。",
]
FREQ = ["每周一次", "每周两次", "每月两次", "每天", "工作日", "每逢周末", "节假日"]
BRANDS = ["暖心", "邻里", "幸福", "安心", "乐享", "同行", "守望", "阳光", "七彩", "金色年华"]

NEED_OPENERS = ["楼下", "我家", "隔壁", "对门", "我们院子里", "三单元", "小区里", "我们楼", ""]
NEED_PEOPLE = ["王奶奶", "李大爷", "张阿姨", "我妈", "我爸", "我家老人", "邻居家孩子", "我", "一个宝妈", "老两口"]
NEED_FILLERS = ["", "很", "有点", "实在", "特别", "越来越"]
NEED_ASKS = ["，有没有人能帮帮忙？", "，社区能不能管一下？", "，不知道找谁。", "。", "，想问问有什么办法。"]
FORMAL_QUERIES = [
    "{term}服务需求", "寻求{term}和{term2}合作机构", "{place}{group}{term}项目", "采购{term}服务，面向{group}",
]


@dataclass
class Regions:
    """The synthetic region tree and the codes at each level."""

    tree: RegionTree
    subdistricts: list[str]
    communities: list[str]
    grids: list[str]
    names: dict[str, str]


def build_regions() -> Regions:
    """One district, 4 subdistricts, 16 communities, 80 grids."""
    parents: dict[str, str | None] = {DISTRICT[0]: None}
    names = {DISTRICT[0]: DISTRICT[1]}
    subs, comms, grids = [], [], []
    for s, sub_name in enumerate(SUBDISTRICTS, start=1):
        sub = f"{DISTRICT[0]}{s:03d}000"
        parents[sub], names[sub] = DISTRICT[0], sub_name + "街道"
        subs.append(sub)
        for c, comm_name in enumerate(COMMUNITIES[s - 1], start=1):
            comm = f"{sub[:9]}{c:03d}"
            parents[comm], names[comm] = sub, comm_name + "社区"
            comms.append(comm)
            for g in range(1, GRIDS_PER_COMMUNITY + 1):
                grid = f"{comm}{g:03d}"
                parents[grid], names[grid] = comm, f"{comm_name}第{g}网格"
                grids.append(grid)
    return Regions(RegionTree(parents), subs, comms, grids, names)


class Generator:
    """Seedable generator of offers and queries from the thesaurus."""

    def __init__(self, seed: int, regions: Regions) -> None:
        self.rng = random.Random(seed)
        self.regions = regions
        self.thesaurus = default_thesaurus()
        self.concepts: list[Concept] = list(self.thesaurus.concepts.values())
        self.orgs = [self._org(i) for i in range(2000)]

    def _org(self, i: int) -> tuple[str, OrgFacts]:
        r = self.rng
        name = r.choice(ORG_PREFIX) + r.choice(ORG_MIDDLE) + r.choice(ORG_SUFFIX)
        facts = OrgFacts(
            id=f"org-{i}", registration=r.choice(["registered", "registered", "subdistrict_filed", "community_filed"]),
            a_level=r.choice([0, 0, 0, 1, 2, 3, 3, 4, 5]), suspended=r.random() < 0.01,
            stars=r.choice([None, 1, 2, 3, 4, 5]), evaluation_avg=r.choice([None, round(r.uniform(55, 98), 1)]),
        )
        return name, facts

    def _literal_phrase(self, concept: Concept) -> str:
        """A colloquial phrase of the concept, with gaps filled the way people talk."""
        pattern = self.rng.choice(concept.phrases or concept.terms)
        parts = [self.rng.choice(part.split("|")) for part in pattern.split("*")]
        return self.rng.choice(NEED_FILLERS).join(parts) if len(parts) > 1 else parts[0]

    def _place(self) -> tuple[list[str], str]:
        r, reg = self.rng, self.regions
        roll = r.random()
        if roll < 0.1:
            codes = [DISTRICT[0]]
        elif roll < 0.4:
            codes = [r.choice(reg.subdistricts)]
        else:
            codes = r.sample(reg.communities, r.choice([1, 1, 2]))
        return codes, reg.names[codes[0]]

    def _group_label(self, concept: Concept) -> tuple[list[str], str]:
        groups = list(concept.groups) or [self.rng.choice(["residents", "elderly", "children", "women"])]
        return groups, self.thesaurus.group_labels.get(groups[0], "居民")

    def offer(self, i: int) -> Listing:
        """One synthetic published offer."""
        r = self.rng
        concept = r.choice(self.concepts)
        neighbour = self.thesaurus.concepts[r.choice(concept.related)] if concept.related else concept
        terms = list(concept.terms) + list(neighbour.terms[:3])
        term, term2, term3 = (r.choice(terms) for _ in range(3))
        codes, place = self._place()
        groups, group_label = self._group_label(concept)
        org_name, org = r.choice(self.orgs)
        pricing = r.choice(["free", "free", "low_cost", "market"])
        price = 0 if pricing == "free" else r.randrange(500, 2_000_000, 100)
        slots = {
            "place": place, "group": group_label, "term": term, "term2": term2, "term3": term3,
            "brand": r.choice(BRANDS), "freq": r.choice(FREQ), "org": org_name, "count": r.randrange(50, 5000),
            "count2": r.randrange(1, 12), "months": r.choice([3, 6, 12]), "phrase": self._literal_phrase(concept),
            "price_text": "公益免费" if pricing == "free" else f"收费{price / 100:.0f}元",
        }
        title = r.choice(TITLE_TEMPLATES).format(**slots)
        body = "".join(s.format(**slots) for s in r.sample(SENTENCES, r.randint(3, 5)))
        return Listing(
            id=f"offer-{i}", kind="offer", title=title, description=body,
            category=concept.category if r.random() < 0.85 else None, target_groups=groups, region_codes=codes,
            status="published", price_fen=price, pricing=pricing, capacity_per_month=r.choice([None, 5, 20, 60, 200]),
            org=org,
        )

    def query(self) -> tuple[Query, bool]:
        """A colloquial resident need (about two thirds) or a formal text; returns (query, colloquial)."""
        r, reg = self.rng, self.regions
        concept = r.choice(self.concepts)
        place = r.choice(reg.grids + reg.communities)
        if r.random() < 0.65:
            text = r.choice(NEED_OPENERS) + r.choice(NEED_PEOPLE) + self._literal_phrase(concept)
            if r.random() < 0.4:
                text += "，" + self._literal_phrase(r.choice(self.concepts))
            return Query(text + r.choice(NEED_ASKS), region_code=place), True
        terms = concept.terms
        slots = {"term": r.choice(terms), "term2": r.choice(terms), "place": reg.names[place],
                 "group": self._group_label(concept)[1]}
        budget = r.choice([None, r.randrange(100_000, 5_000_000, 1000)])
        return Query(r.choice(FORMAL_QUERIES).format(**slots), category=concept.category, region_code=place,
                     budget_fen=budget), False


def rss_mb() -> float:
    """Resident set size of this process in MB, from /proc/self/status."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def percentiles(samples: list[float]) -> tuple[float, float, float]:
    """p50, p95, p99 of a list of milliseconds."""
    cuts = statistics.quantiles(samples, n=100, method="inclusive")
    return statistics.median(samples), cuts[94], cuts[98]


def main(argv: list[str] | None = None) -> None:
    """Run the benchmark and print its figures."""
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--offers", type=int, default=100_000)
    ap.add_argument("--queries", type=int, default=600)
    ap.add_argument("--brute", type=int, default=20, help="queries for the brute-force comparison")
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--fresh-build", action=argparse.BooleanOptionalAction, default=True,
                    help="also build by analysing every text in process (at 1M offers, --no-fresh-build saves "
                         "minutes: the engine is then timed on the index built from stored analyses)")
    args = ap.parse_args(argv)
    print("rerun:", COMMAND.format(**vars(args), fresh_flag="" if args.fresh_build else " --no-fresh-build"))
    # Other processes share this machine: the load tells how far wall times are from CPU times.
    print(f"load average: {' '.join(Path('/proc/loadavg').read_text().split()[:3])} on {os.cpu_count()} CPUs")

    analyzer = default_analyzer()  # loaded before measuring: shared by every index in the process
    print(f"segmenter: {analyzer.segmenter.backend_name}; concepts: {len(analyzer.thesaurus.concepts)}")
    regions = build_regions()
    gen = Generator(args.seed, regions)
    t0 = time.perf_counter()
    offers = [gen.offer(i) for i in range(args.offers)]
    queries = [gen.query() for _ in range(args.queries)]
    print(f"generated {len(offers)} offers in {time.perf_counter() - t0:.1f} s; e.g. {offers[0].title} | "
          f"{offers[0].description[:60]}…")

    if args.fresh_build:
        gc.collect()
        rss0 = rss_mb()
        index = MatchIndex(regions.tree)
        t0, c0 = time.perf_counter(), time.process_time()
        index.upsert_many(offers)
        build_s, build_cpu = time.perf_counter() - t0, time.process_time() - c0
        gc.collect()
        print(f"build: {build_s:.2f} s wall ({build_cpu:.2f} s CPU) for {len(index)} offers; "
              f"index memory (RSS delta): {rss_mb() - rss0:.0f} MB")
        run_engine(index, queries)
        if args.brute:
            run_brute(offers, queries[: args.brute], index)
        del index
    stored = run_stored_build(offers, regions.tree)
    if not args.fresh_build:
        run_engine(stored, queries, label="engine (index built from stored analyses)")
    run_snapshot(stored, offers, regions.tree, queries)


def memory_mb() -> tuple[float, float]:
    """(RSS, anonymous memory) of this process in MB: the snapshot's pages are file-backed, not anonymous,
    and other processes mapping the same files share them through the page cache."""
    fields = {}
    for line in Path("/proc/self/smaps_rollup").read_text().splitlines()[1:]:
        name, value = line.split(":", 1)
        fields[name] = int(value.split()[0]) / 1024
    return fields["Rss"], fields["Anonymous"]


def run_snapshot(index: MatchIndex, offers: list[Listing], tree: RegionTree, queries: list[tuple[Query, bool]]) -> None:
    """Freeze the offers into a memory-mapped snapshot, open it as a server process does, and search it."""
    import tempfile

    from exchange.matching.frozen import FrozenStore

    with tempfile.TemporaryDirectory(prefix="matching-snapshot-") as tmp:
        t0, c0 = time.perf_counter(), time.process_time()
        directory = index.freeze_offers(Path(tmp) / "snap")
        freeze_s, freeze_cpu = time.perf_counter() - t0, time.process_time() - c0
        size = sum(f.stat().st_size for f in directory.iterdir()) / 2**20
        print(f"snapshot written: {freeze_s:.2f} s wall ({freeze_cpu:.2f} s CPU), {size:.0f} MB on disk")
        del index
        gc.collect()
        rss0, private0 = memory_mb()
        t0 = time.perf_counter()
        shared = MatchIndex(tree)
        shared.attach_base(FrozenStore(directory), {o.org.id: o.org for o in offers if o.org is not None})
        print(f"snapshot opened in {(time.perf_counter() - t0) * 1000:.0f} ms")
        run_engine(shared, queries, label="engine on the snapshot")
        rss1, private1 = memory_mb()
        print(f"  this process after opening and searching: RSS +{rss1 - rss0:.0f} MB, of which its own "
              f"(anonymous) memory +{private1 - private0:.0f} MB; the rest are the snapshot's file pages, shared")


def run_stored_build(offers: list[Listing], tree: RegionTree) -> MatchIndex:
    """Build from analyses stored at write time, as the server does from ``match_analysis``."""
    analyzer = default_analyzer()
    t0, c0 = time.perf_counter(), time.process_time()
    stored = [json.dumps(analysis_to_json(analyzer.analyse_listing(o.title, o.description, cached=False)),
                         ensure_ascii=False, separators=(",", ":")) for o in offers]
    print(f"write-time analysis of {len(offers)} offers (done by the services on create/update): "
          f"{time.perf_counter() - t0:.2f} s wall ({time.process_time() - c0:.2f} s CPU); "
          f"stored JSON {sum(map(len, stored)) / len(stored):.0f} characters per offer")
    gc.collect()
    t0, c0 = time.perf_counter(), time.process_time()
    with gc_paused():  # as the server reads rows: collections paused for the whole build
        listings = [replace(o, analysis=analysis_from_json(json.loads(s))) for o, s in zip(offers, stored, strict=True)]
    decode_s, decode_cpu = time.perf_counter() - t0, time.process_time() - c0
    del stored
    index = MatchIndex(tree)
    t0, c0 = time.perf_counter(), time.process_time()
    index.upsert_many(listings)
    build_s, build_cpu = time.perf_counter() - t0, time.process_time() - c0
    print(f"build from stored analyses: {build_s:.2f} s wall ({build_cpu:.2f} s CPU) for {len(index)} offers, "
          f"plus decoding them (json.loads + analysis_from_json): {decode_s:.2f} s wall ({decode_cpu:.2f} s CPU)")
    return index


def run_engine(index: MatchIndex, queries: list[tuple[Query, bool]], label: str = "engine") -> None:
    """Time every query through the engine and print latency figures."""
    for query, _ in queries[:20]:  # warm the analyser's code paths (not its cache: texts differ)
        index.search(query, limit=10)
    times, cpu_times, colloquial_times, empty = [], [], [], 0
    t_all = time.perf_counter()
    for query, colloquial in queries:
        t0, c0 = time.perf_counter(), time.process_time()
        found = index.search(query, limit=10)
        ms, cpu_ms = (time.perf_counter() - t0) * 1000, (time.process_time() - c0) * 1000
        times.append(ms)
        cpu_times.append(cpu_ms)
        if colloquial:
            colloquial_times.append(ms)
        empty += not found
    wall = time.perf_counter() - t_all
    p50, p95, p99 = percentiles(times)
    c50, c95, c99 = percentiles(cpu_times)
    print(f"{label}: {len(times)} queries, wall p50 {p50:.2f} ms, p95 {p95:.2f} ms, p99 {p99:.2f} ms, "
          f"{len(times) / wall:.0f} qps; CPU p50 {c50:.2f} ms, p95 {c95:.2f} ms, p99 {c99:.2f} ms; "
          f"colloquial wall p95 {percentiles(colloquial_times)[1]:.2f} ms; queries with no result: {empty}")
    sample, colloquial = next((q, c) for q, c in queries if c)
    print(f"  example: {sample.text}")
    for m in index.search(sample, limit=3):
        print(f"    {m.score:5.1f} {m.listing.title} ({','.join(m.listing.region_codes)})")


def run_brute(offers: list[Listing], queries: list[tuple[Query, bool]], index: MatchIndex) -> None:
    """Brute-force rapidfuzz over every offer's raw text, for comparison."""
    texts = [f"{o.title}。{o.description}" for o in offers]
    times = []
    for query, _ in queries:
        t0 = time.perf_counter()
        process.extract(query.text, texts, scorer=fuzz.token_set_ratio, limit=10)
        times.append((time.perf_counter() - t0) * 1000)
    engine = []
    for query, _ in queries:
        t0 = time.perf_counter()
        index.search(query, limit=10)
        engine.append((time.perf_counter() - t0) * 1000)
    p50, p95, _ = percentiles(times)
    e50, e95, _ = percentiles(engine)
    print(f"brute force rapidfuzz token_set_ratio over {len(texts)} texts: {len(times)} queries, "
          f"p50 {p50:.1f} ms, p95 {p95:.1f} ms; engine on the same queries p50 {e50:.2f} ms "
          f"-> {p50 / e50:.0f}x faster at p50")


if __name__ == "__main__":
    sys.exit(main())
