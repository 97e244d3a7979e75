"""The columns of each kind's sheet: Chinese header, the API field it fills, how a cell is read.

The same columns make the import template, read an upload and write an export, so an exported list can be
imported again as it is. Which values are *allowed* is not decided here: the API's schemas and services decide.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from exchange.organizations.models import FUNCTION_TYPE_ZH

# Codes of the API's enums with their Chinese labels (the vocabularies in the database add categories and
# target groups at run time).
STATIC_CHOICES: dict[str, dict[str, str]] = {
    "pricing": {"free": "免费", "low_cost": "低偿", "market": "市场价"},
    "offer_status": {"draft": "草稿", "published": "已发布"},
    "opportunity_status": {"draft": "草稿", "published": "已发布"},
    "urgency": {"low": "不急", "normal": "一般", "high": "紧急"},
    "kind": {"social_org": "社会组织", "government": "政府部门", "mass_org": "群团组织", "foundation": "基金会",
             "enterprise": "企业", "community": "社区居委会"},
    "legal_form": {"social_group": "社会团体", "social_service_agency": "社会服务机构", "foundation": "基金会",
                   "filed": "备案组织"},
    "registration": {"registered": "登记注册", "subdistrict_filed": "街道备案", "community_filed": "社区备案"},
    "function_type": dict(FUNCTION_TYPE_ZH),
    "role": {"admin": "管理员", "buyer": "购买方", "org": "社会组织用户", "manager": "公益经理人", "expert": "评审专家",
             "evaluator": "第三方评估", "resident": "居民", "community": "社区居委会用户"},
    "level": {"province": "省", "city": "市", "district": "区县", "subdistrict": "街道", "community": "社区",
              "grid": "网格", "building": "楼栋"},
}
CHOICE_TITLES = {
    "category": "服务类别", "target_group": "服务对象", "pricing": "收费方式", "offer_status": "状态（服务）",
    "opportunity_status": "状态（项目）", "urgency": "紧急程度", "kind": "组织类型", "legal_form": "组织形式",
    "registration": "登记情况", "function_type": "功能类型", "role": "角色", "level": "区域层级",
}


@dataclass(frozen=True)
class Column:
    """One column: ``key`` is the API field (or ``external_ref``, ``status``, ``organization``…)."""

    key: str
    zh: str
    type: str  # text | int | number | yuan | date | datetime | bool | choice | choices | region | regions | org | rubric
    required: bool = False
    choice: str | None = None
    example: Any = None
    note: str = ""
    export_only: bool = False  # written by exports, ignored by imports (编号, 更新时间 …)

    @property
    def header(self) -> str:
        return f"{self.zh}*" if self.required else self.zh


REF = Column("external_ref", "外部编号", "text", example="A-0001",
             note="本表中每行唯一；再次导入时跳过已导入的行")
ID = Column("id", "系统编号", "text", export_only=True)
UPDATED = Column("updated_at", "更新时间", "datetime", export_only=True)

OFFERS = [
    REF,
    Column("organization_id", "提供组织", "org", example="成都市武侯区乐龄养老服务中心",
           note="组织名称、统一社会信用代码或系统编号；社会组织用户导入时可留空（本组织）"),
    Column("title", "服务名称", "text", required=True, example="居家养老助餐服务"),
    Column("description", "服务内容", "text", example="为社区高龄独居老人每日送餐上门"),
    Column("category", "服务类别", "choice", required=True, choice="category", example="养老服务"),
    Column("target_groups", "服务对象", "choices", choice="target_group", example="老年人、残疾人",
           note="多个用顿号、逗号或分号分隔"),
    Column("region_codes", "服务区域", "regions", example="510107003001", note="区划代码或名称，多个用顿号分隔"),
    Column("pricing", "收费方式", "choice", choice="pricing", example="低偿"),
    Column("price_fen", "价格（元）", "yuan", example=15, note="单位：元，最多两位小数"),
    Column("capacity_per_month", "每月服务能力（人次）", "int", example=300),
    Column("status", "状态", "choice", choice="offer_status", example="已发布", note="留空为草稿"),
    ID, UPDATED,
]

OPPORTUNITIES = [
    REF,
    Column("buyer_organization_id", "购买方", "org", example="成都市武侯区民政局",
           note="组织名称、统一社会信用代码或系统编号；购买方用户导入时可留空（本单位）"),
    Column("title", "项目名称", "text", required=True, example="玉林街道居家养老服务项目"),
    Column("description", "项目内容", "text", example="为辖区高龄、失能老人提供助餐、助洁服务"),
    Column("category", "服务类别", "choice", required=True, choice="category", example="养老服务"),
    Column("target_groups", "服务对象", "choices", choice="target_group", example="老年人"),
    Column("region_codes", "实施区域", "regions", example="玉林街道"),
    Column("budget_fen", "预算（元）", "yuan", required=True, example=200000, note="单位：元"),
    Column("bid_deadline", "投标截止时间", "datetime", example="2026-12-31 17:00", note="北京时间；只写日期为当天 23:59:59"),
    Column("min_bids", "最少投标数", "int", example=1),
    Column("min_a_level", "最低评估等级", "int", example=3, note="0–5（3 即 3A 及以上）"),
    Column("registration_required", "须登记注册", "bool", example="否", note="是 / 否"),
    Column("rubric", "评分标准", "rubric", example="服务方案:40；团队能力:30；报价:30", note="标准:权重，权重合计 100"),
    Column("standstill_days", "公示期（天）", "number", example=5),
    Column("status", "状态", "choice", choice="opportunity_status", example="草稿", note="留空为草稿"),
    ID, UPDATED,
]

NEEDS = [
    REF,
    Column("title", "需求标题", "text", required=True, example="独居老人需要每周陪同就医"),
    Column("description", "需求描述", "text", example="腿脚不便，每周二上午去社区医院复查"),
    Column("category", "服务类别", "choice", choice="category", example="养老服务"),
    Column("target_groups", "服务对象", "choices", choice="target_group", example="老年人"),
    Column("region_code", "所在区域", "region", example="玉林东路社区", note="区划代码或名称"),
    Column("urgency", "紧急程度", "choice", choice="urgency", example="一般"),
    Column("points", "积分", "int", example=10),
    ID, UPDATED,
]

ORGANIZATIONS = [
    REF,
    Column("name", "组织名称", "text", required=True, example="玉林东路社区读书会"),
    Column("kind", "组织类型", "choice", required=True, choice="kind", example="社会组织"),
    Column("legal_form", "组织形式", "choice", choice="legal_form", example="备案组织"),
    Column("registration", "登记情况", "choice", choice="registration", example="社区备案"),
    Column("function_type", "功能类型", "choice", choice="function_type", example="文体娱乐"),
    Column("credit_code", "统一社会信用代码", "text", example="", note="登记注册的组织必填"),
    Column("a_level", "评估等级", "int", example=0, note="0–5"),
    Column("categories", "服务领域", "choices", choice="category", example="文体活动"),
    Column("service_region_codes", "服务区域", "regions", example="玉林东路社区"),
    Column("region_code", "所在区域", "region", example="玉林东路社区"),
    Column("member_count", "成员人数", "int", example=25),
    Column("founded_on", "成立日期", "date", example="2021年5月4日"),
    Column("description", "简介", "text", example="社区居民自发组织的读书活动"),
    Column("contact_person", "联系人", "text", example="李老师"),
    Column("contact_phone", "联系电话", "text", example="13800000000"),
    ID, UPDATED,
]

USERS = [
    REF,
    Column("username", "用户名", "text", required=True, example="expert_wang"),
    Column("password", "初始密码", "text", required=True, example="change-me-2026", note="至少 8 位"),
    Column("role", "角色", "choice", required=True, choice="role", example="评审专家"),
    Column("display_name", "姓名", "text", example="王老师"),
    Column("organization_id", "所属组织", "org", example="", note="购买方、社会组织、社区用户必填"),
    Column("region_code", "所在区域", "region", example="", note="居民填写所在社区或网格"),
]

REGIONS = [
    REF,
    Column("code", "区划代码", "text", required=True, example="510107003003"),
    Column("name", "名称", "text", required=True, example="玉林南路社区"),
    Column("level", "层级", "choice", required=True, choice="level", example="社区"),
    Column("parent_code", "上级代码", "text", example="510107003000"),
]

COLUMNS: dict[str, list[Column]] = {
    "opportunities": OPPORTUNITIES, "offers": OFFERS, "needs": NEEDS, "organizations": ORGANIZATIONS,
    "users": USERS, "regions": REGIONS,
}
SHEET_NAMES = {"opportunities": "项目机会", "offers": "服务供给", "needs": "居民需求", "organizations": "组织",
               "users": "用户", "regions": "区域", "deals": "项目协议", "notices": "公示"}
