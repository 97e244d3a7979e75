"""What anonymous and unrelated readers may see of residents' personal data — decided here only.

The public sees a need without any user id, name or phone, with the digits of a building, unit or
room masked in its free text (``3栋2单元`` → ``*栋*单元``); the requester, the claimant, the
community that posted it, managers and admins see everything. Objectors are not named publicly,
and public audit events name no actor.
"""

from __future__ import annotations

import re
import uuid
from typing import Any, Protocol

# A number (Arabic, full-width or Chinese numerals, or one Latin letter such as A栋) right before
# a word that makes it part of an address: building, unit, floor, room, house number.
_HOUSE_PART = re.compile(
    r"(?:[0-9０-９]+|[一二三四五六七八九十百千零〇两]+|[A-Za-zＡ-Ｚａ-ｚ])(?=\s*(?:号楼|号院|栋|幢|座|单元|楼|层|室|号|户|弄|巷))"
)
# Phone numbers, ID numbers and other long digit runs (a mobile number is 11 digits, a landline 7–8
# after an area code): never public.
_LONG_NUMBER = re.compile(r"(?<![0-9])(?:\+?86[- ]?)?[0-9][0-9 -]{5,}[0-9](?![0-9])")

# Whole values of a structured summary that are identifiers, digests or instants, not text anyone
# wrote: shown as they are (a digit run inside them is no phone number).
_NOT_TEXT = re.compile(
    r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}"  # an id
    r"|[0-9a-fA-F]{32,}"  # a digest (sha256 of a document, a hash)
    r"|[0-9]{4}-[0-9]{2}-[0-9]{2}(?:[T ][0-9]{2}:[0-9]{2}(?::[0-9]{2}(?:\.[0-9]+)?)?(?:Z|[+-][0-9]{2}:?[0-9]{2})?)?"  # a date
)

STAFF_ROLES = {"admin", "manager"}


class Viewer(Protocol):
    id: uuid.UUID
    role: str
    organization_id: uuid.UUID | None


def mask_text(text: str | None) -> str | None:
    """Free text with house numbers and phone-like digit runs masked."""
    if not text:
        return text
    text = _LONG_NUMBER.sub(lambda m: "*" * sum(ch.isdigit() for ch in m.group()), text)
    return _HOUSE_PART.sub("*", text)


def sees_need_in_full(viewer: Viewer | None, need: Any) -> bool:
    """The requester, the claimant (a resident, or a user of the claiming organization), the
    community that posted it, managers and admins."""
    if viewer is None:
        return False
    if viewer.role in STAFF_ROLES or viewer.id in (need.requester_id, need.claimant_user_id):
        return True
    org = viewer.organization_id
    return org is not None and (
        (viewer.role == "community" and org == need.on_behalf_organization_id)
        or (viewer.role == "org" and org == need.claimant_organization_id)
    )


def redact_need(data: dict[str, Any]) -> dict[str, Any]:
    """A need's public form: no user ids, masked free text."""
    return {**data, "requester_id": None, "claimant_user_id": None,
            "title": mask_text(data.get("title")), "description": mask_text(data.get("description"))}


def need_for(viewer: Viewer | None, need: Any, data: dict[str, Any]) -> dict[str, Any]:
    """``data`` (the need's fields) as ``viewer`` may see them."""
    return data if sees_need_in_full(viewer, need) else redact_need(data)


def objection_for(viewer: Viewer | None, data: dict[str, Any]) -> dict[str, Any]:
    """An objection names its objector only to the objector, managers and admins."""
    if viewer is not None and (viewer.role in STAFF_ROLES or viewer.id == data.get("filed_by")):
        return data
    return {**data, "filed_by": None, "reason": mask_text(data.get("reason")),
            "resolution_reason": mask_text(data.get("resolution_reason"))}


def _mask_values(value: Any) -> Any:
    if isinstance(value, str):
        return value if _NOT_TEXT.fullmatch(value) else mask_text(value)
    if isinstance(value, dict):
        return {k: _mask_values(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_mask_values(v) for v in value]
    return value


def audit_event_for(viewer: Viewer | None, data: dict[str, Any]) -> dict[str, Any]:
    """Staff see events as recorded; everyone else without the actor and with masked text (the hash
    is the recorded one: verification is over the stored event, which the public cannot read)."""
    if viewer is not None and viewer.role in STAFF_ROLES:
        return data
    return {**data, "actor_id": None, "summary": _mask_values(data.get("summary") or {})}
