"""The talent pool (能人库 / 能力清单) over HTTP."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request, Response

from exchange.accounts.deps import CurrentUser
from exchange.errors import problems
from exchange.kit.http import Session, check_if_match, resource_headers
from exchange.kit.ids import parse_uuid
from exchange.kit.pagination import CursorParam, LimitParam
from exchange.kit.routing import UnitOfWorkRoute
from exchange.listings.schemas import json_response
from exchange.listings.validation import changes_of
from exchange.regions.areas import ancestors
from exchange.skills import service
from exchange.skills.repository import SkillRepository
from exchange.skills.schemas import SkillCreate, SkillList, SkillOut, SkillUpdate

router = APIRouter(route_class=UnitOfWorkRoute, tags=["participation"])


@router.get("/skills", response_model=SkillList, operation_id="listSkills", responses=problems(401, 422))
async def list_skills(
    session: Session, user: CurrentUser,
    region: Annotated[str | None, Query(max_length=32, description="Skills at, under or containing this region")] = None,
    category: Annotated[str | None, Query(max_length=40)] = None,
    q: Annotated[str | None, Query(max_length=100, description="Words in the title or description")] = None,
    mine: Annotated[bool, Query(description="Only my own skills, paused ones included")] = False,
    limit: int = LimitParam, cursor: str | None = CursorParam,
) -> Response:
    """能人库: residents' skills, newest first (signed-in users; active ones unless `mine`)."""
    page = await SkillRepository(session).page(
        region=region, containing=await ancestors(session, region) if region else (), category=category, q=q,
        user_id=user.id if mine else None, active=None if mine else True, limit=limit, cursor=cursor)
    return json_response(SkillList(items=[SkillOut.model_validate(s) for s in page.items], next_cursor=page.next_cursor))


@router.post("/skills", response_model=SkillOut, status_code=201, operation_id="createSkill",
             responses=problems(401, 403, 422))
async def create_skill(body: SkillCreate, user: CurrentUser, session: Session, response: Response) -> SkillOut:
    """A resident lists a skill with its availability; `region_code` defaults to where the resident lives."""
    skill = await service.create(session, user=user, data=body.model_dump(mode="python"))
    resource_headers(response, skill.version, f"/skills/{skill.id}")
    return SkillOut.model_validate(skill)


@router.get("/skills/{skill_id}", response_model=SkillOut, operation_id="getSkill", responses=problems(401, 404))
async def get_skill(skill_id: str, user: CurrentUser, session: Session, response: Response) -> SkillOut:
    """One skill (signed-in users)."""
    skill = await service.get_or_404(session, parse_uuid(skill_id, "skill"))
    resource_headers(response, skill.version)
    return SkillOut.model_validate(skill)


@router.patch("/skills/{skill_id}", response_model=SkillOut, operation_id="updateSkill",
              responses=problems(401, 403, 404, 412, 422))
async def update_skill(skill_id: str, body: SkillUpdate, request: Request, user: CurrentUser, session: Session,
                       response: Response) -> SkillOut:
    """The resident changes their own skill; `active: false` pauses it. Honours `If-Match`."""
    skill = await service.get_or_404(session, parse_uuid(skill_id, "skill"), lock=True)
    check_if_match(request, skill.version)
    skill = await service.update(session, user=user, skill=skill,
                                 changes=changes_of(body, frozenset({"category", "region_code"})))
    resource_headers(response, skill.version)
    return SkillOut.model_validate(skill)
