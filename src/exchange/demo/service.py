"""Loading the demo district: a list of steps run in order against one :class:`World`.

Each step is a module with ``async def load(session, world) -> None``. The first, ``district``, makes
the regions, the organizations registry and the demo accounts; later steps (the three lists, money,
tenders) append their module paths to :data:`STEPS` and find what they need in the world. Every step
is idempotent, so ``exchange demo`` can run on every start: a second run changes nothing and says so.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass, field

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from exchange.db import Base
from exchange.demo.world import DemoAccount, World
from exchange.documents.storage import DocumentStore

STEPS: list[str] = [
    "exchange.demo.district",
    "exchange.demo.lists",
    "exchange.demo.money",
    "exchange.demo.tenders",
    "exchange.demo.participation",
    "exchange.demo.documents",
]


@dataclass
class DemoSummary:
    """What a run of the demo loader added (rows per table) and the accounts to sign in with."""

    added: dict[str, int] = field(default_factory=dict)
    totals: dict[str, int] = field(default_factory=dict)
    accounts: list[DemoAccount] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return any(self.added.values())

    def text(self) -> str:
        lines = []
        if self.changed:
            added = ", ".join(f"{table} +{n}" for table, n in sorted(self.added.items()) if n)
            lines.append(f"demo data loaded: {added}")
        else:
            lines.append("demo data already loaded: nothing changed")
        lines += [f"  {note}" for note in self.notes]
        lines += ["", "demo accounts (username / password — role — acting for):"]
        width = max((len(a.username) for a in self.accounts), default=8)
        for a in self.accounts:
            acting = f" — {a.organization}" if a.organization else ""
            lines.append(f"  {a.username:<{width}}  {a.password:<22} {a.role:<9} {a.display_name}{acting}")
        return "\n".join(lines)


async def _row_counts(session: AsyncSession) -> dict[str, int]:
    counts = {}
    for table in Base.metadata.sorted_tables:
        counts[table.name] = int((await session.execute(select(func.count()).select_from(table))).scalar_one())
    return counts


async def load_demo(session: AsyncSession, steps: list[str] | None = None,
                    store: DocumentStore | None = None) -> DemoSummary:
    """Run every demo step in this session's unit of work; the caller commits. Demo documents go to
    ``store`` (by default the one ``EXCHANGE_STORAGE_URL`` names)."""
    from exchange import models  # noqa: F401  (every table, so that the counts cover them all)

    before = await _row_counts(session)
    world = World()
    world.data["document_store"] = store
    for path in steps if steps is not None else STEPS:
        step = importlib.import_module(path)
        await step.load(session, world)
        await session.flush()
    after = await _row_counts(session)
    return DemoSummary(
        added={t: after[t] - before.get(t, 0) for t in after if after[t] != before.get(t, 0)},
        totals=after, accounts=list(world.accounts), notes=list(world.notes),
    )
