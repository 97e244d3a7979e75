"""Chinese text handling for matching: normalisation, segmentation and boilerplate stopwords.

Segmentation uses ``rjieba`` (a Rust port of jieba, roughly a hundred times faster) and falls back
to ``jieba`` when the extension cannot be imported. Both get the same domain user dictionary, so
multiword service terms such as 四点半课堂 or 适老化改造 stay whole.
"""

from __future__ import annotations

import re
import threading
import unicodedata
from collections.abc import Callable, Iterable
from itertools import compress
from typing import Protocol

__all__ = [
    "DOMAIN_WORDS",
    "STOPWORDS",
    "WIDE_CHARS",
    "Segmenter",
    "SoundAlike",
    "content_words",
    "default_segmenter",
    "fold",
    "is_content_word",
    "is_han",
    "normalize",
    "pinyin_table",
    "sound_key",
    "to_simplified",
]

# Multiword terms of the trade that general-purpose dictionaries split apart. Concept terms from
# the thesaurus are added on top of these by the analyser.
DOMAIN_WORDS: tuple[str, ...] = (
    "四点半课堂", "四点半学校", "课后托管", "暑期托管", "适老化改造", "居家适老化", "适老化",
    "新就业群体", "新就业形态", "日间照料", "日间照料中心", "助餐", "助餐点", "老年助餐", "长者饭堂",
    "居家养老", "社区养老", "家庭养老床位", "认知症", "阿尔茨海默", "喘息服务", "助浴", "助洁",
    "陪诊", "助医", "独居老人", "空巢老人", "留守儿童", "困境儿童", "孤独症", "心智障碍", "辅具",
    "无障碍", "康复驿站", "残疾人托养", "家庭医生", "两癌筛查", "安宁疗护", "心理疏导",
    "人民调解", "法律援助", "劳动仲裁", "垃圾分类", "厨余垃圾", "社区花园", "口袋公园", "微更新",
    "社区营造", "社区基金", "微基金", "公益创投", "种子基金", "小额资助", "社会组织", "社区社会组织",
    "枢纽型社会组织", "公益经理人", "评星定级", "第三方评估", "社工站", "网格员", "楼栋长", "庭户长",
    "业委会", "红色物业", "电动自行车", "飞线充电", "高空抛物", "反诈", "防溺水", "护学岗",
    "反家暴", "人身安全保护令", "家庭教育", "婚姻调适", "骑手驿站", "暖新驿站", "货车司机",
    "司机之家", "退役军人", "退役军人服务站", "光荣之家", "低保户", "特困供养", "临时救助",
    "慈善超市", "食物银行", "微心愿", "时间银行", "幸福积分", "志愿积分", "邻里互助", "睦邻",
    "议事会", "居民议事", "参与式预算", "民生微实事", "社区提案", "老旧小区改造", "加装电梯",
    "智能手机", "数字鸿沟", "老年大学", "广场舞", "八段锦", "太极拳", "非遗", "口述史",
)

# Boilerplate that nearly every listing shares: dropping it keeps lexical similarity about what a
# listing is actually for. Single function characters are here too, so segmentation noise goes.
STOPWORDS: frozenset[str] = frozenset(
    """
    提供 开展 服务 社区 辖区 居民 项目 活动 我们 需要 进行 相关 以及 通过 为了 面向 针对 围绕 包括 主要
    结合 整合 推动 促进 提升 加强 打造 建立 实现 共同 积极 有效 多元 全面 深入 持续 不断 重点 有关 各类
    工作 组织 机构 单位 中心 平台 专业 优质 精准 便捷 贴心 一站式 全方位 多样化 常态化 体系 机制 模式
    内容 形式 方式 情况 问题 方面 要求 需求 意见 建议 希望 想要 想 要 能 能够 可以 可 会 应 应该 还 也 都
    就 又 再 才 已经 正在 将 把 被 让 给 对 从 到 向 于 以 与 及 和 跟 同 或 或者 并 并且 而 而且 但 但是 因为
    所以 如果 虽然 因此 然后 其中 其他 其它 此 该 本 其 之 这 那 这个 那个 这些 那些 这里 那里 这样 那样
    什么 怎么 怎么样 如何 为什么 哪 哪里 谁 多少 几 个 位 名 次 人次 户 家 些 点 下 上 里 中 内 外 前 后
    的 地 得 了 着 过 吗 呢 吧 啊 呀 哦 嗯 哈 么 嘛 呗 啦 哇 喔 很 太 非常 比较 特别 十分 更 最 挺 蛮 有点
    有些 一些 一点 一下 一个 一种 一起 一直 一般 总是 经常 常常 时候 现在 目前 今年 每年 每月 每周 每天
    定期 不定期 长期 短期 我 你 他 她 它 我们 你们 他们 她们 它们 大家 自己 咱 咱们 俺 您 是 有 在 没 没有
    不 无 等 等等 各 每 某 个人 方面 工作者 社区居民 广大 群众 居民群众 辖区居民 同时 另外 此外 为 由 并
    开展好 做好 搞好 进一步 实施 落实 保障 服务于 服务类 类 性 化 度 元 年 月 日 号 时 分 我家 家里 楼下
    楼上 邻居 请 帮 帮忙 帮助 麻烦 谢谢 您好 你好 希望能 能不能 可不可以 有没有 是否 一下子
    """.split()
)

_PUNCT_RE = re.compile(r"[\W_]+", re.UNICODE)
# Full-width letters and digits and the ideographic space: the only characters whose NFKC folding
# matters for matching. Full-width punctuation is left alone; it separates clauses either way.
WIDE_CHARS = "\uff10-\uff19\uff21-\uff3a\uff41-\uff5a\u3000"
_WIDE_RE = re.compile(f"[{WIDE_CHARS}]")


def normalize(text: str) -> str:
    """Return ``text`` with full-width forms folded (NFKC), lower-cased, punctuation turned to spaces."""
    # Punctuation goes first: most Chinese text is then already NFKC-normal, and the check is ~20x
    # cheaper than the normalisation itself.
    spaced = _PUNCT_RE.sub(" ", text or "")
    if not unicodedata.is_normalized("NFKC", spaced):
        spaced = _PUNCT_RE.sub(" ", unicodedata.normalize("NFKC", spaced))
    return spaced.lower().strip()


def fold(text: str) -> str:
    """Lower-case and fold full-width letters and digits, keeping punctuation (cheap; for analysis)."""
    text = text or ""
    if _WIDE_RE.search(text):
        text = unicodedata.normalize("NFKC", text)
    return text.lower()


def is_content_word(word: str) -> bool:
    """A word worth matching on: two characters or more, not boilerplate, punctuation or a bare number."""
    return len(word) > 1 and word not in STOPWORDS and word[0].isalnum() and not word.isdigit()


def is_han(text: str) -> bool:
    """True when every character of ``text`` is a CJK unified ideograph."""
    return bool(text) and all("\u4e00" <= ch <= "\u9fff" for ch in text)


_WORD_MEMO_LIMIT = 1_000_000


class _Backend(Protocol):
    def cut(self, text: str) -> list[str]: ...

    def cut_precise(self, text: str) -> list[str]: ...

    def add(self, word: str) -> None: ...


class _RJiebaBackend:
    """rjieba with its own dictionary instance, so we never touch the module-level default one."""

    def __init__(self) -> None:
        import rjieba

        self._jieba = rjieba.Jieba()

    def cut(self, text: str) -> list[str]:
        # Search mode also yields the dictionary sub-words of long words (适老化改造 → 改造 …),
        # which lets a short query word meet a long listing word.
        return self._jieba.cut_for_search(text)

    def cut_precise(self, text: str) -> list[str]:
        return self._jieba.cut(text, False)

    def add(self, word: str) -> None:
        self._jieba.add_word(word, None, None)


class _JiebaBackend:
    """Pure-Python jieba, used only when rjieba is unavailable."""

    def __init__(self) -> None:
        import logging

        import jieba

        jieba.setLogLevel(logging.WARNING)
        self._tokenizer = jieba.Tokenizer()

    def cut(self, text: str) -> list[str]:
        return list(self._tokenizer.cut_for_search(text))

    def cut_precise(self, text: str) -> list[str]:
        return list(self._tokenizer.cut(text, HMM=False))

    def add(self, word: str) -> None:
        self._tokenizer.add_word(word)


def _make_backend() -> _Backend:
    try:
        return _RJiebaBackend()
    except ImportError:  # pragma: no cover - depends on the platform's wheels
        return _JiebaBackend()


class Segmenter:
    """Word segmentation with the domain dictionary loaded; thread-safe for concurrent ``cut``."""

    def __init__(self, extra_words: Iterable[str] = ()) -> None:
        self._backend = _make_backend()
        self._lock = threading.Lock()
        self._words: set[str] = set()
        self._memo: dict[str, bool] = {}  # is_content_word of every word seen, see words()
        self.add_words(DOMAIN_WORDS)
        self.add_words(extra_words)

    @property
    def backend_name(self) -> str:
        """Which segmentation library is in use ('rjieba' or 'jieba')."""
        return "rjieba" if isinstance(self._backend, _RJiebaBackend) else "jieba"

    @property
    def user_words(self) -> frozenset[str]:
        """Every word added to the user dictionary."""
        with self._lock:
            return frozenset(self._words)

    def add_words(self, words: Iterable[str]) -> None:
        """Add words to the user dictionary (words shorter than two characters are ignored)."""
        with self._lock:
            for word in words:
                if len(word) >= 2 and word not in self._words:
                    self._words.add(word)
                    self._backend.add(word)

    def cut_precise(self, text: str) -> list[str]:
        """Dictionary words only (no guessing of unknown words), every character kept."""
        return self._backend.cut_precise(text)

    def cut(self, text: str) -> list[str]:
        """Segment text into words (search mode: long words plus their parts), whitespace dropped."""
        return [w for w in self._backend.cut(text) if w.strip()]

    def words(self, folded: str) -> tuple[str, ...]:
        """Distinct content words of folded text (see ``fold``), in order of first appearance."""
        # This runs for every listing of a bulk build, so the per-word test is memoised and applied
        # with C-level map/compress; only words never seen before go through Python code.
        uniq = dict.fromkeys(self._backend.cut(folded))
        memo = self._memo
        flags = list(map(memo.get, uniq))
        if None in flags:
            if len(memo) > _WORD_MEMO_LIMIT:
                memo.clear()
            for word in uniq:
                if word not in memo:
                    memo[word] = is_content_word(word)
            flags = list(map(memo.__getitem__, uniq))
        return tuple(compress(uniq, flags))

    def content_words(self, text: str) -> list[str]:
        """Content words of raw text: folded, segmented, boilerplate and punctuation dropped."""
        return list(self.words(fold(text)))


_default: Segmenter | None = None
_default_lock = threading.Lock()


def default_segmenter() -> Segmenter:
    """The process-wide segmenter with the domain dictionary (created on first use)."""
    global _default
    with _default_lock:
        if _default is None:
            _default = Segmenter()
        return _default


def content_words(text: str) -> list[str]:
    """Content words of ``text`` with the default segmenter (boilerplate dropped)."""
    return default_segmenter().content_words(text)


# --------------------------------------------------------------------------------------------- variants

_TRADITIONAL_ONLY: frozenset[str] | None = None
_t2s: object | None = None
_variants_lock = threading.Lock()


def _opencc() -> object:
    """OpenCC's traditional-to-simplified converter and the set of characters it changes (built once)."""
    global _t2s, _TRADITIONAL_ONLY
    with _variants_lock:
        if _t2s is None:
            import opencc

            converter = opencc.OpenCC("t2s")
            chars = [chr(c) for c in range(0x4E00, 0xA000)]
            # One character a line, so no phrase rule spans two of them: which characters change alone.
            simplified = converter.convert("\n".join(chars)).split("\n")
            _TRADITIONAL_ONLY = frozenset(a for a, b in zip(chars, simplified, strict=True) if a != b)
            _t2s = converter
        return _t2s


def to_simplified(text: str) -> str:
    """``text`` in simplified characters (OpenCC's phrase-aware t2s); text without a traditional-only
    character is returned as it is, without calling the converter."""
    converter = _opencc()
    assert _TRADITIONAL_ONLY is not None
    if _TRADITIONAL_ONLY.isdisjoint(text):
        return text
    return converter.convert(text)  # type: ignore[attr-defined]


# --------------------------------------------------------------------------------------------- pinyin

# Sounds that many speakers (Sichuan and most of the south-west among them) do not tell apart, or
# that input methods swap: retroflex and flat initials, n and l, front and back nasal finals.
_INITIAL_FOLD = (("zh", "z"), ("ch", "c"), ("sh", "s"), ("n", "l"))
_FINAL_FOLD = (("ing", "in"), ("eng", "en"))
_PINYIN: dict[str, str] | None = None


def _fold_syllable(syllable: str) -> str:
    base = "".join(ch for ch in unicodedata.normalize("NFKD", syllable) if not unicodedata.combining(ch))
    base = base.replace("ü", "v")
    for long, short in _INITIAL_FOLD:
        if base.startswith(long):
            base = short + base[len(long):]
            break
    for long, short in _FINAL_FOLD:
        if base.endswith(long):
            base = base[: -len(long)] + short
            break
    return base


def pinyin_table() -> dict[str, str]:
    """Han character -> its first reading in pypinyin's dictionary, toneless and folded (see above)."""
    global _PINYIN
    with _variants_lock:
        if _PINYIN is None:
            from pypinyin.pinyin_dict import pinyin_dict

            _PINYIN = {
                chr(code): _fold_syllable(readings.split(",")[0])
                for code, readings in pinyin_dict.items()
                if 0x4E00 <= code <= 0x9FFF
            }
        return _PINYIN


def sound_key(text: str) -> tuple[str, ...] | None:
    """The folded syllables of an all-Han ``text``, or None when a character has no reading."""
    table = pinyin_table()
    out = tuple(map(table.get, text))
    return None if None in out else out  # type: ignore[return-value]


class SoundAlike:
    """Finds, in a text, spans that sound like a known term but are written otherwise: typos and
    homophones typed through pinyin input (陪珍 for 陪诊, 住餐 for 助餐, 炸骗 for 诈骗).

    A span counts when it has the term's syllables (tones ignored, the folds above applied), differs
    from it in at most half its characters (one in a two-character term), starts and ends on word
    boundaries of the dictionary segmentation, and is not itself one dictionary word (心里 is a word,
    not a typo of 心理; 圾分 in 拉圾分类 straddles a word and is not 积分)."""

    MIN_LEN, MAX_LEN = 2, 6

    def __init__(self, terms: Iterable[tuple[str, str]], cut: Callable[[str], list[str]]) -> None:
        self._by_key: dict[tuple[str, ...], list[tuple[str, str]]] = {}
        for label, term in terms:
            if self.MIN_LEN <= len(term) <= self.MAX_LEN and is_han(term):
                key = sound_key(term)
                if key is not None:
                    entry = (term, label)
                    bucket = self._by_key.setdefault(key, [])
                    if entry not in bucket:
                        bucket.append(entry)
        self._lengths = sorted({len(k) for k in self._by_key})
        self._heads = frozenset(k[:2] for k in self._by_key)
        self._cut = cut

    def find(self, text: str) -> list[tuple[str, str, str]]:
        """(span, term, label) for every sound-alike span of ``text`` (Han runs only)."""
        table = pinyin_table()
        out: list[tuple[str, str, str]] = []
        for run in _HAN_RUN.findall(text):
            sounds = [table.get(ch, "?") for ch in run]
            starts = [i for i in range(len(run) - 1) if (sounds[i], sounds[i + 1]) in self._heads]
            if not starts:
                continue
            bounds, words, pos = {0}, set(), 0
            for token in self._cut(run):
                if len(token) > 1:
                    words.add((pos, pos + len(token)))
                pos += len(token)
                bounds.add(pos)
            for i in starts:
                if i not in bounds:
                    continue
                for size in self._lengths:
                    end = i + size
                    if end > len(run):
                        break
                    if end not in bounds or (i, end) in words:
                        continue
                    for term, label in self._by_key.get(tuple(sounds[i:end]), ()):
                        span = run[i:end]
                        differ = sum(a != b for a, b in zip(span, term, strict=True))
                        if 0 < differ <= max(1, size // 2):
                            out.append((span, term, label))
        return out


_HAN_RUN = re.compile("[\u4e00-\u9fff]{2,}")
