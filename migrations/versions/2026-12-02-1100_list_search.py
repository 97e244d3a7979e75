"""the list search's terms: on SQLite in an FTS5 table, one row per listing; everywhere rebuilt without the
segmenter's words (the character pairs and Latin/digit runs already hold them)

Revision ID: w_14_search
Revises: w_10_hardening
Create Date: 2026-12-02 11:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "w_14_search"
down_revision: str | None = "w_10_hardening"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

SOURCES = (("opportunities", "opportunity"), ("offers", "offer"), ("needs", "need"))


def upgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        op.get_bind().exec_driver_sql(  # past text(), which would read ":_" as a parameter
            "CREATE VIRTUAL TABLE listing_search USING fts5(terms, listing_type UNINDEXED, listing_id UNINDEXED, "
            "tokenize = \"unicode61 tokenchars ':_-'\", detail = none)")
    op.execute("DELETE FROM listing_terms")
    _index_every_listing(full_text=op.get_bind().dialect.name == "sqlite")


def _index_every_listing(*, full_text: bool) -> None:
    """Every listing's terms, by the current rules: into ``listing_search`` or ``listing_terms``."""
    import json
    import uuid

    from exchange.listings.index import group_term, id_term
    from exchange.listings.text import terms

    bind = op.get_bind()
    search = sa.table("listing_search", sa.column("terms"), sa.column("listing_type"), sa.column("listing_id"))
    rows = sa.table("listing_terms", sa.column("term"), sa.column("listing_type"), sa.column("listing_id"))
    for source, kind in SOURCES:
        batch: list[dict[str, object]] = []
        for listing_id, title, description, groups in bind.execute(
                sa.text(f"SELECT id, title, description, target_groups FROM {source}")):  # noqa: S608
            groups = json.loads(groups) if isinstance(groups, str) else (groups or [])
            words = terms(title, description) + [group_term(g) for g in sorted(set(groups))]
            if full_text:
                own = id_term(listing_id if isinstance(listing_id, uuid.UUID) else uuid.UUID(str(listing_id)))
                batch.append({"terms": " ".join([own, *words]), "listing_type": kind, "listing_id": listing_id})
            else:
                batch += [{"term": w, "listing_type": kind, "listing_id": listing_id} for w in words]
            if len(batch) >= 5000:
                bind.execute((search if full_text else rows).insert(), batch)
                batch = []
        if batch:
            bind.execute((search if full_text else rows).insert(), batch)


def downgrade() -> None:
    full_text = op.get_bind().dialect.name == "sqlite"
    if full_text:
        op.execute("DROP TABLE listing_search")
    op.execute("DELETE FROM listing_terms")
    _index_every_listing(full_text=False)
