"""Demo step: documents. Generated PDFs with Chinese text (reportlab's built-in CID font STSong-Light,
so no font file is needed) and photos, attached through the documents service like any upload.

The tender step attaches bid proposals (sealed until each close), contracts, milestone evidence and
closing reports as its story unfolds; this step adds tender notices to published opportunities
and registration certificates and charters to organizations. Idempotent: when any opportunity or
organization document exists, nothing is added."""

from __future__ import annotations

import io
import uuid
from functools import cache

from PIL import Image, ImageDraw
from reportlab.lib.pagesizes import A4
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfgen import canvas
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from exchange.accounts.models import Role, User
from exchange.config import get_settings
from exchange.demo.world import World
from exchange.documents import service as documents
from exchange.documents.models import Document, OwnerType
from exchange.documents.storage import DocumentStore, open_store
from exchange.opportunities.models import Opportunity

FONT = "STSong-Light"
MAX_NOTICES = 10
MAX_CERTIFICATES = 8


@cache
def _font() -> str:
    pdfmetrics.registerFont(UnicodeCIDFont(FONT))
    return FONT


def pdf(title: str, lines: list[str], footer: str = "成都市武侯区社会服务交易中心") -> bytes:
    """A one-page A4 PDF: a title and paragraphs of Chinese text."""
    buf = io.BytesIO()
    c = canvas.Canvas(buf, pagesize=A4, invariant=True)
    c.setTitle(title)
    c.setFont(_font(), 18)
    c.drawCentredString(A4[0] / 2, 780, title)
    c.setFont(_font(), 11)
    y = 740
    for line in lines:
        for start in range(0, len(line), 38):  # about 38 characters to a line at this size
            c.drawString(64, y, line[start:start + 38])
            y -= 20
        y -= 6
    c.setFont(_font(), 9)
    c.drawString(64, 60, footer)
    c.showPage()
    c.save()
    return buf.getvalue()


def photo(seed: int) -> bytes:
    """A small JPEG 'activity photo': a room, people as circles, a banner."""
    img = Image.new("RGB", (480, 320), (236, 226, 208))
    draw = ImageDraw.Draw(img)
    draw.rectangle((0, 220, 480, 320), fill=(170, 140, 110))
    draw.rectangle((90, 30, 390, 80), fill=(200, 30, 40))
    for i in range(6):
        x = 50 + i * 70 + (seed * 13) % 20
        draw.ellipse((x, 150, x + 40, 190), fill=((seed * 40 + i * 30) % 255, 120, 160))
        draw.rectangle((x + 5, 190, x + 35, 250), fill=(60, 90, (seed * 25 + i * 40) % 255))
    buf = io.BytesIO()
    img.save(buf, "JPEG", quality=70)
    return buf.getvalue()


def store_of(world: World) -> DocumentStore:
    store = world.data.get("document_store")
    if store is None:
        store = world.data["document_store"] = open_store(get_settings())
    return store  # type: ignore[no-any-return]


async def attach(session: AsyncSession, world: World, user: User, owner_type: OwnerType, owner_id: uuid.UUID,
                 data: bytes, filename: str, document_type: str, **fields: str) -> Document:
    """Attach a document as ``user`` (the demo's actors act within their rights: a bidder on its bid
    before the deadline, a buyer on its opportunity, a party on its deal)."""
    owner = documents.Owner(owner_type, owner_id, public=owner_type in (OwnerType.opportunity, OwnerType.organization),
                            sealed=owner_type is OwnerType.bid)
    return await documents.add_bytes(session, store_of(world), user, owner, data, filename,
                                     document_type=document_type, **fields)


async def load(session: AsyncSession, world: World) -> None:
    taken = select(Document.id).where(Document.owner_type.in_([OwnerType.opportunity.value, OwnerType.organization.value]))
    if (await session.execute(taken.limit(1))).first() is not None:
        return
    notices = await _notices(session, world)
    certificates = await _certificates(session, world)
    world.note(f"文件：{notices} 份招标公告与技术要求，{certificates} 份登记证书与章程（另有投标书、合同、里程碑照片和结项报告）")


async def _notices(session: AsyncSession, world: World) -> int:
    count = 0
    for opp_id in world.data.get("opportunities") or []:
        if count >= 2 * MAX_NOTICES:
            break
        opp = await session.get(Opportunity, opp_id)
        buyer = world.user_for(world.org_by_id(opp.buyer_organization_id)) if opp is not None else None
        ended = ("draft", "closed", "cancelled", "unsuccessful")
        if opp is None or buyer is None or buyer.role != Role.buyer or opp.status in ended:
            continue
        await attach(session, world, buyer, OwnerType.opportunity, opp.id, pdf(f"{opp.title}招标公告", [
            f"项目名称：{opp.title}", f"预算金额：{opp.budget_fen / 100:,.2f} 元",
            f"投标截止时间：{opp.bid_deadline:%Y年%m月%d日 %H:%M}" if opp.bid_deadline else "投标截止时间：另行通知",
            f"项目内容：{opp.description}", "投标人须为依法登记或备案的社会组织，具备相应服务能力。",
        ]), f"{opp.title}招标公告.pdf", "notice", title="招标公告")
        await attach(session, world, buyer, OwnerType.opportunity, opp.id, pdf("技术要求与评分标准", [
            "一、服务对象与范围：以项目公告所列区域内的服务对象为准。", "二、服务频次：每周不少于两次，节假日顺延。",
            "三、人员要求：项目负责人须持有社会工作者职业资格证书。",
            "四、评分标准：" + "；".join(f"{c['criterion']} {c['weight']} 分" for c in opp.rubric or []),
        ]), "技术要求与评分标准.pdf", "technical_specifications")
        count += 2
    return count


async def _certificates(session: AsyncSession, world: World) -> int:
    count = 0
    for org in world.social_orgs()[:MAX_CERTIFICATES]:
        user = world.user_for(org)
        if user is None:
            continue
        await attach(session, world, user, OwnerType.organization, org.id, pdf("社会组织登记证书", [
            f"名称：{org.name}", f"统一社会信用代码：{org.credit_code or '（备案组织）'}",
            "业务主管单位：成都市武侯区民政局", "登记管理机关：成都市武侯区民政局",
        ]), "登记证书.pdf", "registration_certificate")
        await attach(session, world, user, OwnerType.organization, org.id, pdf(f"{org.name}章程", [
            "第一条 本组织名称为" + org.name + "。", "第二条 本组织是非营利性社会组织，宗旨是服务社区、服务居民。",
            "第三条 本组织遵守宪法、法律、法规和国家政策，践行社会主义核心价值观。",
        ]), "章程.pdf", "charter")
        count += 2
    return count
