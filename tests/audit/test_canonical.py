"""The hashed bytes: the fast writer gives exactly RFC 8785's bytes, or leaves the value to RFC 8785."""

from __future__ import annotations

import random
from typing import Any

import rfc8785

from exchange.audit.canonical import canonical, dumps

ALPHABET = ['"', "\\", "\b", "\f", "\n", "\r", "\t", "\x00", "\x1f", "\x7f", "a", "Z", "0", " ", "/", "养", "老",
            "\u2028", "\ue000", "\uffff", "😀", "𠀀", "é", "e\u0301"]


def _text(rng: random.Random) -> str:
    return "".join(rng.choice(ALPHABET) for _ in range(rng.randint(0, 6)))


def _value(rng: random.Random, depth: int = 0) -> Any:
    kind = rng.randint(0, 8 if depth < 3 else 5)
    if kind == 0:
        return None
    if kind == 1:
        return rng.choice([True, False])
    if kind == 2:
        return rng.choice([0, -1, 7, 2**53 - 1, -(2**53) + 1, 2**60])
    if kind == 3:
        return rng.choice([0.5, -0.0, 1e300, 1.25e-7, 3.0])
    if kind in (4, 5):
        return _text(rng)
    if kind == 6:
        return [_value(rng, depth + 1) for _ in range(rng.randint(0, 4))]
    return {_text(rng): _value(rng, depth + 1) for _ in range(rng.randint(0, 5))}


def test_the_fast_writer_gives_rfc_8785_bytes() -> None:
    rng = random.Random(8785)
    for _ in range(5000):
        value = _value(rng)
        try:
            expected = rfc8785.dumps(canonical(value))
        except rfc8785.CanonicalizationError:
            continue
        assert dumps(value) == expected, value


def test_keys_are_ordered_by_utf16_units() -> None:
    value = {"\uffff": 1, "😀": 2, "a": 3}
    assert dumps(value) == rfc8785.dumps(value) == '{"a":3,"😀":2,"\uffff":1}'.encode()
