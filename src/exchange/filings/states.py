"""The filing's lifecycle as data: ``(state, action) → Step(next, who may, guard)``.

Parties: ``applicant``; ``community`` — the committee of the group's place, and only for
``community_filed`` (a subdistrict filing is decided by the subdistrict, here an ``admin``); ``admin``."""

from __future__ import annotations

from dataclasses import dataclass

from exchange.errors import ExchangeError
from exchange.filings.models import FilingStatus as S
from exchange.kit.lifecycle import Lifecycle, Step, may


@dataclass
class Facts:
    reason: str | None = None


def _reason(f: Facts) -> ExchangeError | None:
    if f.reason:
        return None
    return ExchangeError("reason_required", 422, "驳回需要说明理由", "A rejection needs its reason",
                         errors=[{"loc": ["body", "reason"], "msg": "required", "msg_zh": "必填"}])


LIFECYCLE: Lifecycle[Facts] = Lifecycle("filing", {
    (S.in_review.value, "approve"): Step(S.approved.value, may("community", "admin")),
    (S.in_review.value, "reject"): Step(S.rejected.value, may("community", "admin"), _reason),
})
