"""The table of who is told what: one in the code, the same in the README, covering every event type."""

from __future__ import annotations

from pathlib import Path

from exchange.events import EventType
from exchange.notifications.rules import PARTY_WORDS, WHO_IS_TOLD, markdown_table, render


def test_every_event_type_has_a_rule_and_known_parties() -> None:
    assert set(WHO_IS_TOLD) == {t.value for t in EventType}
    assert all(p in PARTY_WORDS for rule in WHO_IS_TOLD.values() for p in rule.parties)


def test_the_readme_shows_the_same_table() -> None:
    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")
    assert markdown_table() in readme


def test_titles_in_both_languages() -> None:
    assert render("milestone.reported", {"name": "助餐"}, "zh-CN")[0] == "里程碑待验收：助餐"
    assert render("milestone.reported", {"name": "助餐"}, "en")[0] == "Milestone awaits acceptance: 助餐"
    assert render("milestone.reported", {}, "en")[0] == "Milestone awaits acceptance"
