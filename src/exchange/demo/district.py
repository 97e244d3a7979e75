"""The first demo step: 成都市武侯区 — its regions, its organizations registry, and one account of every role."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from exchange.accounts.flows import create_user
from exchange.accounts.models import Role, User
from exchange.accounts.repository import UserRepository
from exchange.demo.world import World
from exchange.organizations import credit_code
from exchange.organizations import service as orgs
from exchange.organizations.models import Organization
from exchange.organizations.schemas import OrganizationCreate
from exchange.regions.models import Region
from exchange.regions.repository import RegionRepository
from exchange.regions.service import load_rows

DISTRICT = ("510107", "武侯区")
# subdistrict code → (name, communities); community codes are the subdistrict's + 001, 002, …
SUBDISTRICTS: dict[str, tuple[str, list[str]]] = {
    "510107001000": ("浆洗街街道", ["锦里社区", "洗面桥社区", "浆洗街社区", "少陵路社区"]),
    "510107002000": ("望江路街道", ["黉门街社区", "望江楼社区", "新南门社区", "电信路社区"]),
    "510107003000": ("玉林街道", ["玉林东路社区", "玉林北路社区", "玉林南路社区", "倪家桥社区"]),
    "510107004000": ("簇桥街道", ["锦城社区", "七里社区", "高碑社区", "簇锦社区"]),
    "510107005000": ("晋阳街道", ["晋吉社区", "晋阳社区", "吉福社区", "双凤社区"]),
}
GRID_NAMES = ["第一网格", "第二网格", "第三网格"]

PASSWORDS = {role: f"{role.value}-demo-2026" for role in Role}


def password_for(role: Role | str) -> str:
    """Every demo account of a role shares one documented password: ``<role>-demo-2026``."""
    return PASSWORDS[Role(role)]


def region_rows() -> list[dict[str, str | None]]:
    rows: list[dict[str, str | None]] = [
        {"code": DISTRICT[0], "name": DISTRICT[1], "level": "district", "parent_code": None}]
    for sub_code, (sub_name, communities) in SUBDISTRICTS.items():
        rows.append({"code": sub_code, "name": sub_name, "level": "subdistrict", "parent_code": DISTRICT[0]})
        for i, name in enumerate(communities, start=1):
            comm = f"{sub_code[:9]}{i:03d}"
            rows.append({"code": comm, "name": name, "level": "community", "parent_code": sub_code})
            for g in range(2 + (i % 2)):  # two or three grids each
                rows.append({"code": f"{comm}{g + 1:03d}", "name": f"{name}{GRID_NAMES[g]}", "level": "grid",
                             "parent_code": comm})
    return rows


def community_code(name: str) -> str:
    for sub_code, (_, communities) in SUBDISTRICTS.items():
        if name in communities:
            return f"{sub_code[:9]}{communities.index(name) + 1:03d}"
    raise KeyError(name)


def subdistrict_code(name: str) -> str:
    return next(code for code, (sub_name, _) in SUBDISTRICTS.items() if sub_name == name)


def code_for(authority_and_type: str, n: int) -> str:
    """A valid unified social credit code: registry and type, the district, 9 characters, check character."""
    return credit_code.complete(f"{authority_and_type}{DISTRICT[0]}MJ{n:07d}")


D = DISTRICT[0]
# Buyers: (name, kind, legal form, registration, credit-code prefix, categories, based in)
BUYERS: list[tuple[str, str, str | None, str | None, str, list[str], str]] = [
    ("成都市武侯区民政局", "government", None, None, "11", ["governance", "elderly_care", "hardship", "platform"], D),
    ("成都市武侯区退役军人事务局", "government", None, None, "11", ["hardship", "employment"], D),
    ("共青团成都市武侯区委员会", "mass_org", None, None, "13", ["children_youth", "volunteering"], D),
    ("成都市武侯区妇女联合会", "mass_org", None, None, "13", ["family", "children_youth"], D),
    ("成都市武侯区残疾人联合会", "mass_org", None, None, "13", ["disability", "employment"], D),
    ("成都市武侯社区发展基金会", "foundation", "foundation", "registered", "53",
     ["community_building", "platform", "hardship"], D),
    ("玉林东路社区居民委员会", "community", None, None, "", ["governance"], "510107003001"),
    ("锦城社区居民委员会", "community", None, None, "", ["governance"], "510107004001"),
    ("晋吉社区居民委员会", "community", None, None, "", ["governance"], "510107005001"),
]

# Social organizations: (name, legal form, registration, A-level, categories, based in, serves, members, founded)
SOCIAL_ORGS: list[tuple[str, str, str, int, list[str], str, list[str], int, str]] = [
    # registered social service agencies (社会服务机构 / 民办非企业单位)
    ("成都市武侯区爱有戏社区文化发展中心", "social_service_agency", "registered", 5,
     ["community_building", "culture_sport", "hardship"], "510107003000", [D], 86, "2009-03-18"),
    ("成都市武侯区益众社会工作服务中心", "social_service_agency", "registered", 4,
     ["elderly_care", "hardship", "family"], "510107001000", [D], 64, "2012-06-01"),
    ("成都市武侯区同行社会工作服务中心", "social_service_agency", "registered", 3,
     ["children_youth", "family"], "510107002000", ["510107002000", "510107003000"], 38, "2014-09-10"),
    ("成都市武侯区乐龄居家养老服务中心", "social_service_agency", "registered", 3,
     ["elderly_care", "health"], "510107003001", ["510107003000"], 52, "2015-04-22"),
    ("成都市武侯区康乐助残服务中心", "social_service_agency", "registered", 2,
     ["disability", "employment"], "510107004000", ["510107004000", "510107005000"], 27, "2016-11-08"),
    ("成都市武侯区心连心青少年成长服务中心", "social_service_agency", "registered", 2,
     ["children_youth", "health"], "510107005000", ["510107005000"], 19, "2017-05-16"),
    ("成都市武侯区和美家庭服务中心", "social_service_agency", "registered", 2,
     ["family", "legal"], "510107001002", ["510107001000"], 22, "2017-08-30"),
    ("成都市武侯区新市民就业创业服务中心", "social_service_agency", "registered", 1,
     ["employment", "volunteering"], "510107004002", ["510107004000"], 15, "2018-03-12"),
    ("成都市武侯区绿色家园环境保护服务中心", "social_service_agency", "registered", 1,
     ["environment", "community_building"], "510107002003", ["510107002000"], 12, "2018-10-19"),
    ("成都市武侯区安心人民调解服务中心", "social_service_agency", "registered", 2,
     ["legal", "governance"], "510107001001", [D], 21, "2016-02-25"),
    ("成都市武侯区骑士驿站新就业群体服务中心", "social_service_agency", "registered", 1,
     ["employment", "safety"], "510107004004", ["510107004000", "510107005000"], 9, "2021-07-01"),
    ("成都市武侯区善邻社区营造服务中心", "social_service_agency", "registered", 0,
     ["community_building", "governance"], "510107005002", ["510107005002", "510107005003"], 8, "2022-04-15"),
    ("成都市武侯区阳光助餐服务中心", "social_service_agency", "registered", 1,
     ["elderly_care", "hardship"], "510107003003", ["510107003003", "510107003004"], 14, "2020-09-09"),
    ("成都市武侯区暖心困难家庭帮扶服务中心", "social_service_agency", "registered", 0,
     ["hardship", "family"], "510107002001", ["510107002000"], 6, "2023-01-10"),
    ("成都市武侯区知行社会组织发展中心", "social_service_agency", "registered", 3,
     ["platform", "community_building"], D, [D], 30, "2013-12-02"),
    # registered social groups (社会团体)
    ("成都市武侯区社区社会组织联合会", "social_group", "registered", 2,
     ["platform", "governance"], D, [D], 120, "2015-05-20"),
    ("成都市武侯区志愿服务联合会", "social_group", "registered", 1,
     ["volunteering", "safety"], D, [D], 340, "2011-12-05"),
    ("成都市武侯区老年人体育协会", "social_group", "registered", 0,
     ["culture_sport", "elderly_care"], D, [D], 260, "2008-08-08"),
    ("成都市武侯区社会工作者协会", "social_group", "registered", 1,
     ["platform"], D, [D], 95, "2014-03-30"),
    ("成都市武侯区退役军人志愿服务协会", "social_group", "registered", 0,
     ["volunteering", "hardship"], D, [D], 75, "2019-11-11"),
    # foundations (基金会) registered as social organizations
    ("成都市武侯区青少年发展基金会", "foundation", "registered", 2,
     ["children_youth"], D, [D], 11, "2016-06-01"),
    ("成都市武侯区扶老助残慈善基金会", "foundation", "registered", 0,
     ["elderly_care", "disability"], D, [D], 9, "2020-12-20"),
    # filed with the subdistrict (街道备案)
    ("浆洗街街道民族团结互助会", "filed", "subdistrict_filed", 0,
     ["community_building", "volunteering"], "510107001000", ["510107001000"], 40, "2019-04-01"),
    ("望江路街道银发志愿服务队", "filed", "subdistrict_filed", 0,
     ["volunteering", "elderly_care"], "510107002000", ["510107002000"], 56, "2018-06-15"),
    ("玉林街道邻里守望互助会", "filed", "subdistrict_filed", 0,
     ["safety", "community_building"], "510107003000", ["510107003000"], 48, "2017-09-01"),
    ("簇桥街道巾帼志愿服务队", "filed", "subdistrict_filed", 0,
     ["family", "volunteering"], "510107004000", ["510107004000"], 35, "2020-03-08"),
    ("晋阳街道文化艺术团", "filed", "subdistrict_filed", 0,
     ["culture_sport"], "510107005000", ["510107005000"], 62, "2016-10-01"),
    ("簇桥街道新业态骑手互助会", "filed", "subdistrict_filed", 0,
     ["employment", "safety"], "510107004000", ["510107004000"], 28, "2022-05-01"),
    # filed with the community (社区备案)
    ("锦里社区太极拳队", "filed", "community_filed", 0, ["culture_sport", "health"], "510107001001", ["510107001001"],
     24, "2015-03-01"),
    ("洗面桥社区手工编织社", "filed", "community_filed", 0, ["culture_sport", "elderly_care"], "510107001002",
     ["510107001002"], 18, "2018-04-12"),
    ("黉门街社区楼栋长联谊会", "filed", "community_filed", 0, ["governance"], "510107002001", ["510107002001"],
     31, "2016-07-07"),
    ("新南门社区调解小组", "filed", "community_filed", 0, ["legal"], "510107002003", ["510107002003"], 7, "2019-01-15"),
    ("玉林东路社区读书会", "filed", "community_filed", 0, ["culture_sport", "children_youth"], "510107003001",
     ["510107003001"], 26, "2017-04-23"),
    ("玉林北路社区助老服务队", "filed", "community_filed", 0, ["elderly_care", "volunteering"], "510107003002",
     ["510107003002"], 20, "2018-09-09"),
    ("锦城社区广场舞队", "filed", "community_filed", 0, ["culture_sport"], "510107004001", ["510107004001"], 45,
     "2014-05-01"),
    ("七里社区四点半课堂志愿队", "filed", "community_filed", 0, ["children_youth", "volunteering"], "510107004002",
     ["510107004002"], 16, "2019-09-01"),
    ("高碑社区环保志愿队", "filed", "community_filed", 0, ["environment", "volunteering"], "510107004003",
     ["510107004003"], 22, "2020-06-05"),
    ("晋吉社区骑手之家志愿队", "filed", "community_filed", 0, ["employment", "volunteering"], "510107005001",
     ["510107005001"], 12, "2021-10-10"),
    ("吉福社区老年协会", "filed", "community_filed", 0, ["elderly_care", "culture_sport"], "510107005003",
     ["510107005003"], 58, "2013-11-01"),
    ("双凤社区残疾人互助小组", "filed", "community_filed", 0, ["disability", "hardship"], "510107005004",
     ["510107005004"], 9, "2021-03-03"),
]

# Demo accounts: (username, role, display name, organization name or None, region code or None)
USERS: list[tuple[str, str, str, str | None, str | None]] = [
    ("admin", "admin", "交易中心管理员", None, None),
    ("minzheng", "buyer", "区民政局 王科长", "成都市武侯区民政局", D),
    ("tuiyi", "buyer", "区退役军人事务局 刘科长", "成都市武侯区退役军人事务局", D),
    ("tuanqu", "buyer", "团区委 陈干事", "共青团成都市武侯区委员会", D),
    ("fulian", "buyer", "区妇联 周部长", "成都市武侯区妇女联合会", D),
    ("canlian", "buyer", "区残联 吴科长", "成都市武侯区残疾人联合会", D),
    ("jijinhui", "buyer", "社区发展基金会 郑秘书长", "成都市武侯社区发展基金会", D),
    ("yulin_juweihui", "buyer", "玉林东路社区居委会 采购", "玉林东路社区居民委员会", "510107003001"),
    ("aiyouxi", "org", "爱有戏 项目主管", "成都市武侯区爱有戏社区文化发展中心", None),
    ("yizhong", "org", "益众社工 项目主管", "成都市武侯区益众社会工作服务中心", None),
    ("tongxing", "org", "同行社工 项目主管", "成都市武侯区同行社会工作服务中心", None),
    ("leling", "org", "乐龄养老 项目主管", "成都市武侯区乐龄居家养老服务中心", None),
    ("kangle", "org", "康乐助残 项目主管", "成都市武侯区康乐助残服务中心", None),
    ("qishi", "org", "骑士驿站 负责人", "成都市武侯区骑士驿站新就业群体服务中心", None),
    ("yinfa", "org", "银发志愿服务队 队长", "望江路街道银发志愿服务队", None),
    ("dushuhui", "org", "玉林东路社区读书会 会长", "玉林东路社区读书会", None),
    ("manager", "manager", "公益经理人 李娜", None, D),
    ("manager2", "manager", "公益经理人 张磊", None, D),
    ("expert1", "expert", "评审专家 赵明（社会工作）", None, None),
    ("expert2", "expert", "评审专家 钱芳（财务）", None, None),
    ("expert3", "expert", "评审专家 孙伟（社区治理）", None, None),
    ("expert4", "expert", "评审专家 李静（养老服务）", None, None),
    ("expert5", "expert", "评审专家 周强（法律）", None, None),
    ("expert6", "expert", "评审专家 吴敏（青少年）", None, None),
    ("evaluator", "evaluator", "第三方评估 蓉城评估中心", None, None),
    ("resident", "resident", "居民 张阿姨", None, "510107003001001"),
    ("resident2", "resident", "居民 王大爷", None, "510107003002001"),
    ("resident3", "resident", "居民 李女士", None, "510107004001002"),
    ("resident4", "resident", "居民 陈先生（外卖骑手）", None, "510107004002001"),
    ("resident5", "resident", "居民 刘奶奶", None, "510107005001001"),
    ("resident6", "resident", "居民 黄同学", None, "510107001001002"),
    ("community", "community", "玉林东路社区居委会 书记", "玉林东路社区居民委员会", "510107003001"),
    ("community2", "community", "锦城社区居委会 主任", "锦城社区居民委员会", "510107004001"),
    ("community3", "community", "晋吉社区居委会 主任", "晋吉社区居民委员会", "510107005001"),
]

PREFIX_FOR_FORM = {"social_group": "51", "social_service_agency": "52", "foundation": "53"}


def organization_specs() -> list[dict[str, Any]]:
    """Every demo organization as the body of ``POST /organizations``."""
    specs: list[dict[str, Any]] = []
    for n, (name, kind, form, registration, prefix, categories, based) in enumerate(BUYERS, start=1):
        specs.append({
            "name": name, "kind": kind, "legal_form": form, "registration": registration,
            "credit_code": code_for(prefix, 100 + n) if prefix else None, "categories": categories,
            "region_code": based, "service_region_codes": [based],
            "description": f"{name}：购买主体，通过交易中心发布项目机会。",
            "contact": {"person": "办公室", "phone": f"028-8555{n:04d}", "address": f"成都市武侯区{name}"},
        })
    for n, (name, form, registration, a_level, categories, based, serves, members, founded) in enumerate(SOCIAL_ORGS, 1):
        specs.append({
            "name": name, "kind": "social_org", "legal_form": form, "registration": registration,
            "credit_code": code_for(PREFIX_FOR_FORM[form], 200 + n) if registration == "registered" else None,
            "a_level": a_level, "categories": categories, "region_code": based, "service_region_codes": serves,
            "member_count": members, "founded_on": dt.date.fromisoformat(founded),
            "description": f"{name}，服务领域：{'、'.join(categories)}。",
            "contact": {"person": "负责人", "phone": f"138{n:08d}"},
        })
    return specs


async def _load_regions(session: AsyncSession, world: World, actor: User) -> None:
    rows = region_rows()
    await load_rows(session, rows, actor_id=actor.id)
    found = await RegionRepository(session).get_many(r["code"] for r in rows if r["code"])
    for row in rows:
        world.add_region(found[str(row["code"])])


async def _load_organizations(session: AsyncSession, world: World, actor: User) -> None:
    specs = organization_specs()
    names = [s["name"] for s in specs]
    existing = {o.name: o for o in (await session.execute(
        select(Organization).where(Organization.name.in_(names)))).scalars()}
    for spec in specs:
        org = existing.get(spec["name"])
        if org is None:
            data = OrganizationCreate.model_validate(spec).model_dump(mode="python")
            org = await orgs.create(session, actor_id=actor.id, data=data)
        world.add_org(org)


async def _ensure_user(session: AsyncSession, world: World, username: str, role: str, name: str,
                       org_name: str | None, region: str | None, actor_id: Any) -> User:
    user = await UserRepository(session).by_username(username)
    if user is None:
        user = await create_user(
            session, actor_id=actor_id, username=username, password=password_for(role), role=Role(role),
            display_name=name, organization_id=world.org(org_name).id if org_name else None, region_code=region,
        )
    world.add_user(user, password_for(role))
    return user


async def load(session: AsyncSession, world: World) -> None:
    """Regions, organizations and users of the demo district; existing rows are found, not duplicated."""
    admin_name, role, display, _, _ = USERS[0]
    admin = await _ensure_user(session, world, admin_name, role, display, None, None, None)
    await _load_regions(session, world, admin)
    await _load_organizations(session, world, admin)
    for username, role, display, org_name, region in USERS[1:]:
        await _ensure_user(session, world, username, role, display, org_name, region, admin.id)
    world.note(f"{world.district.name}：{len(world.subdistricts())} 个街道、{len(world.communities())} 个社区、"
               f"{len(world.grids())} 个网格；{len(world.orgs_by_name)} 家组织；{len(world.users_by_name)} 个演示账号")


def regions_by_code(world: World) -> dict[str, Region]:
    return {r.code: r for level in world.regions.values() for r in level}
