"""The portal's words in Chinese (first) and English, and how a page picks its language.

The language is, in order: ``?lang=zh|en`` (which also sets the ``lang`` cookie, so the switch sticks),
the ``lang`` cookie, then ``Accept-Language`` (the API's rule: Chinese unless English comes first)."""

from __future__ import annotations

from fastapi import Request

from exchange.errors import wants_english

LANGS = ("zh", "en")
COOKIE = "lang"

WORDS: dict[str, tuple[str, str]] = {
    "site": ("社会服务交易中心", "Social Service Exchange"),
    "site_short": ("交易中心", "Exchange"),
    "tagline": ("项目机会、服务供给、居民需求三张清单，全程公示留痕，接受公众监督。",
                "Three public lists — project opportunities, service offers and residents' needs — with every step "
                "on public record."),
    "skip": ("跳到正文", "Skip to content"),
    "nav": ("主导航", "Main navigation"),
    "home": ("首页", "Home"),
    "opportunities": ("项目机会", "Opportunities"),
    "offers": ("服务供给", "Offers"),
    "needs": ("居民需求", "Needs"),
    "notices": ("公示公告", "Notices"),
    "organizations": ("社会组织", "Organizations"),
    "stats": ("数据统计", "Statistics"),
    "ocds": ("开放数据", "Open data"),
    "api_docs": ("接口文档", "API docs"),
    "switch_lang": ("English", "中文"),
    "switch_lang_label": ("切换到英文", "Switch to Chinese"),
    "opportunities_list": ("项目机会清单", "Project opportunities"),
    "offers_list": ("服务供给清单", "Service offers"),
    "needs_list": ("居民需求清单", "Residents' needs"),
    "open_opportunities": ("招标中的项目", "Open for bids"),
    "published_offers": ("在册服务", "Published offers"),
    "open_needs": ("待响应需求", "Open needs"),
    "money_moved": ("资金流向（按来源，已支付）", "Money paid, by source"),
    "latest_notices": ("最新公示", "Latest notices"),
    "all_notices": ("全部公示", "All notices"),
    "view_all": ("查看全部", "View all"),
    "filters": ("筛选", "Filters"),
    "region": ("区域", "Area"),
    "category": ("服务类别", "Category"),
    "target_group": ("服务对象", "Target group"),
    "search": ("关键词", "Search"),
    "search_placeholder": ("如：养老、助餐", "e.g. elderly meals"),
    "any": ("全部", "Any"),
    "apply": ("筛选", "Apply"),
    "reset": ("清除", "Clear"),
    "next_page": ("下一页", "Next page"),
    "first_page": ("回到第一页", "First page"),
    "no_results": ("没有符合条件的条目。", "Nothing matches these filters."),
    "results": ("结果", "Results"),
    "budget": ("预算", "Budget"),
    "price": ("价格", "Price"),
    "deadline": ("投标截止", "Bid deadline"),
    "buyer": ("采购方", "Buyer"),
    "provider": ("服务方", "Provider"),
    "status": ("状态", "Status"),
    "areas": ("服务区域", "Areas"),
    "place": ("所在地", "Place"),
    "target_groups": ("服务对象", "Target groups"),
    "published_at": ("发布时间", "Published"),
    "posted_at": ("提出时间", "Posted"),
    "description": ("详细说明", "Description"),
    "eligibility": ("资格要求", "Eligibility"),
    "min_a_level": ("最低等级", "Minimum A-level"),
    "registration_required": ("须依法登记", "Registration required"),
    "no_requirement": ("无特别要求", "None"),
    "rubric": ("评分标准", "Scoring rubric"),
    "criterion": ("评分项", "Criterion"),
    "weight": ("权重", "Weight"),
    "standstill_days": ("公示期", "Standstill"),
    "days": ("天", "days"),
    "min_bids": ("最少有效投标数", "Minimum bids"),
    "supporters": ("附议人数", "Supporters"),
    "urgency": ("紧急程度", "Urgency"),
    "points": ("幸福积分", "Points"),
    "capacity": ("每月服务能力", "Capacity per month"),
    "pricing": ("收费方式", "Pricing"),
    "answers_needs": ("回应居民需求", "Answers residents' needs"),
    "documents": ("相关文件", "Documents"),
    "download": ("下载", "Download"),
    "awards_on_notice": ("中标公示", "Awards on notice"),
    "awards_intro": ("公示期内，任何已登录的用户都可以对中标结果提出质疑；有未处理的质疑时不得签约。",
                     "During the standstill any signed-in user may object to an award; an open objection blocks "
                     "the contract."),
    "how_to_object": ("如何提出质疑", "How to object"),
    "object_steps": ("登录后在公示期截止前提交质疑理由（接口：POST /api/v1/awards/{id}/objections，字段 reason）。",
                     "Sign in and submit your reason before the standstill ends (API: POST "
                     "/api/v1/awards/{id}/objections with a reason)."),
    "time_left": ("剩余时间", "Time left"),
    "standstill_ends": ("公示截止", "Standstill ends"),
    "standstill_over": ("公示期已满，待确认", "Standstill over, awaiting confirmation"),
    "cancelled_award": ("已撤销", "Cancelled"),
    "winner": ("中标单位", "Winning organization"),
    "award_price": ("中标金额", "Award price"),
    "evaluations": ("绩效评估结果", "Evaluations"),
    "grade": ("评估等级", "Grade"),
    "total": ("总分", "Score"),
    "closed_deals": ("结项项目", "Closed deals"),
    "amount": ("金额", "Amount"),
    "closed_at": ("结项时间", "Closed"),
    "evaluated_at": ("评估时间", "Evaluated"),
    "print": ("打印公示", "Print"),
    "print_view": ("打印版", "Print view"),
    "printed_at": ("打印时间", "Printed"),
    "none_now": ("目前没有。", "None at the moment."),
    "rating": ("星级评定", "Rating"),
    "stars": ("星级", "Stars"),
    "overall": ("综合得分", "Overall"),
    "activity": ("活跃度", "Activity"),
    "standardization": ("规范化", "Standardization"),
    "coverage": ("覆盖率", "Coverage"),
    "influence": ("影响力", "Influence"),
    "dimension": ("维度", "Dimension"),
    "score": ("得分", "Score"),
    "formula": ("计算方法", "Formula"),
    "org_offers": ("提供的服务", "Offers"),
    "deals_delivered": ("已完成的项目", "Deals delivered"),
    "kind": ("类型", "Kind"),
    "legal_form": ("组织形式", "Legal form"),
    "registration": ("登记情况", "Registration"),
    "a_level": ("评估等级", "A-level"),
    "credit_code": ("统一社会信用代码", "Credit code"),
    "founded_on": ("成立日期", "Founded"),
    "members": ("成员人数", "Members"),
    "based_in": ("所在地", "Based in"),
    "org_search_placeholder": ("组织名称", "Organization name"),
    "orgs_by_community": ("各社区社会组织数量（按类型）", "Organizations by community and kind"),
    "orgs_by_function_type": ("社区社会组织培育基本情况（按功能类型）", "Community organizations by function type"),
    "community": ("社区", "Community"),
    "money_by_source_month": ("资金按来源和月份（已支付，元）", "Money paid by source and month (yuan)"),
    "month": ("月份", "Month"),
    "source": ("资金来源", "Source"),
    "deals_by_stage": ("项目协议按阶段", "Deals by stage"),
    "stage": ("阶段", "Stage"),
    "count": ("数量", "Count"),
    "needs_by_category": ("居民需求按类别", "Needs by category"),
    "uncategorized": ("未分类", "Uncategorized"),
    "total_row": ("合计", "Total"),
    "share": ("占比", "Share"),
    "chart_table_note": ("图表下方的表格列出同样的数据。", "The table below each chart lists the same figures."),
    "json": ("数据（JSON）", "Data (JSON)"),
    "ocds_intro": ("按开放合同数据标准（OCDS 1.1）发布已公开的项目机会、中标和合同，可免费下载和再利用。",
                   "Published opportunities, awards and contracts in the Open Contracting Data Standard (OCDS 1.1), "
                   "free to download and reuse."),
    "ocds_download": ("下载 OCDS 发布包（JSON）", "Download the OCDS release package (JSON)"),
    "ocds_releases": ("发布数量", "Releases"),
    "license": ("许可协议", "License"),
    "not_found": ("页面不存在或无权查看", "Page not found or not visible"),
    "error": ("出错了", "Something went wrong"),
    "back_home": ("返回首页", "Back to the home page"),
    "footer": ("所有公开信息均来自交易中心的公开接口；居民个人信息已按规定脱敏。",
               "Everything here comes from the exchange's public API; residents' personal data is redacted."),
    "chart_of": ("图表：", "Chart: "),
    "yuan": ("元", "yuan"),
    "free": ("免费", "Free"),
    "requester_hidden": ("提出人信息不公开", "The requester is not named publicly"),
    "from_api": ("同一数据的接口", "The same data from the API"),
    "back_to_list": ("返回列表", "Back to the list"),
    "deal": ("项目", "Deal"),
    "people_served": ("服务人次", "People served"),
    "org_count": ("组织数", "Organizations"),
    "list": ("清单", "List"),
    "proposals": ("社区提案公示", "Community proposals"),
    "outcome": ("结果", "Outcome"),
    "votes": ("表决（赞成/反对/弃权）", "Votes (for/against/abstain)"),
    "not_rated": ("未评估", "Not rated"),
    "outside_communities": ("区级和街道级（不属于某个社区）", "District and subdistrict level"),
}

STATUS: dict[str, tuple[str, str]] = {
    "draft": ("草稿", "Draft"), "published": ("已发布", "Published"), "withdrawn": ("已撤回", "Withdrawn"),
    "bidding_closed": ("投标截止", "Bidding closed"), "under_review": ("评审中", "Under review"),
    "awarded": ("已定标", "Awarded"), "contracted": ("已签约", "Contracted"), "closed": ("已结项", "Closed"),
    "cancelled": ("已取消", "Cancelled"), "unsuccessful": ("流标", "Unsuccessful"),
    "open": ("待响应", "Open"), "claimed": ("已揭榜", "Claimed"), "fulfilled": ("已完成", "Fulfilled"),
    "confirmed": ("已确认", "Confirmed"), "converted": ("已转为项目", "Converted"),
    "standstill": ("公示中", "On notice"), "final": ("已生效", "Final"),
    "pending_signatures": ("待签约", "Awaiting signatures"), "active": ("履约中", "Active"),
    "delivered": ("已交付", "Delivered"), "evaluated": ("已评估", "Evaluated"), "terminated": ("已终止", "Terminated"),
}

CHOICES: dict[str, dict[str, tuple[str, str]]] = {
    "urgency": {"low": ("一般", "Low"), "normal": ("较急", "Normal"), "high": ("紧急", "High")},
    "pricing": {"free": ("免费", "Free"), "low_cost": ("低偿", "Low cost"), "market": ("市场价", "Market price")},
    "grade": {"excellent": ("优秀", "Excellent"), "good": ("良好", "Good"), "pass": ("合格", "Pass"),
              "fail": ("不合格", "Fail")},
    "kind": {"social_org": ("社会组织", "Social organization"), "government": ("政府部门", "Government"),
             "mass_org": ("群团组织", "Mass organization"), "foundation": ("基金会", "Foundation"),
             "enterprise": ("企业", "Enterprise"), "community": ("社区", "Community")},
    "function_type": {"service": ("为民服务", "Services"), "charity": ("公益慈善", "Charity"),
                      "culture_sport": ("文体娱乐", "Culture and sport"), "community_affairs": ("社区事务", "Community affairs"),
                      "mutual_aid": ("居民互助", "Mutual aid"), "other": ("其他", "Other"),
                      "unspecified": ("未填写", "Not given")},
    "legal_form": {"social_group": ("社会团体", "Social group"),
                   "social_service_agency": ("社会服务机构", "Social service agency"),
                   "foundation": ("基金会", "Foundation"), "filed": ("备案组织", "Filed group")},
    "registration": {"registered": ("依法登记", "Registered"), "subdistrict_filed": ("街道备案", "Filed (subdistrict)"),
                     "community_filed": ("社区备案", "Filed (community)")},
    "source": {"fiscal": ("财政资金", "Fiscal"), "community_fund": ("社区基金", "Community fund"),
               "micro_fund": ("微基金", "Micro fund"), "crowdfunding": ("众筹", "Crowdfunding"),
               "foundation_grant": ("基金会资助", "Foundation grant"), "donation": ("社会捐赠", "Donation")},
    "notice": {"award": ("中标公示", "Award"), "evaluation": ("评估结果", "Evaluation"),
               "deal_closed": ("结项公告", "Deal closed"), "proposal": ("议事结果", "Proposal outcome")},
}


def pick_language(request: Request) -> str:
    """``zh`` or ``en`` for this request (see the module's docstring)."""
    asked = request.query_params.get("lang")
    if asked in LANGS:
        return asked
    cookie = request.cookies.get(COOKIE)
    if cookie in LANGS:
        return cookie
    return "en" if wants_english(request) else "zh"


class Words:
    """What templates call: ``t("key")``, ``status("open")``, ``choice("urgency", "high")``."""

    def __init__(self, lang: str) -> None:
        self.lang = lang
        self.index = 1 if lang == "en" else 0

    def t(self, key: str) -> str:
        return WORDS[key][self.index]

    def status(self, code: str | None) -> str:
        return STATUS[code][self.index] if code in STATUS else (code or "")

    def choice(self, group: str, code: str | None) -> str:
        pair = CHOICES[group].get(code or "")
        return pair[self.index] if pair else (code or "—")
