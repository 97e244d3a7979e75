"""The vocabularies the exchange starts with (api.md, "Vocabularies")."""

CATEGORIES = [
    ("elderly_care", "养老服务", "Elderly care"),
    ("children_youth", "儿童青少年", "Children and youth"),
    ("disability", "助残服务", "Disability services"),
    ("health", "健康服务", "Health"),
    ("legal", "法律与调解", "Legal aid and mediation"),
    ("environment", "环境保护", "Environment"),
    ("culture_sport", "文体活动", "Culture and sport"),
    ("community_building", "社区营造", "Community building"),
    ("governance", "社区治理", "Community governance"),
    ("safety", "平安与安全", "Safety and security"),
    ("family", "婚姻家庭", "Marriage and family"),
    ("employment", "就业创业", "Employment and entrepreneurship"),
    ("hardship", "困难帮扶", "Hardship relief"),
    ("volunteering", "志愿服务", "Volunteering"),
    ("platform", "平台运营与组织培育", "Platform operation and capacity building"),
]

TARGET_GROUPS = [
    ("elderly", "老年人", "Older people"),
    ("children", "儿童", "Children"),
    ("youth", "青少年", "Youth"),
    ("women", "妇女", "Women"),
    ("disabled", "残疾人", "People with disabilities"),
    ("hardship_families", "困难家庭", "Families in hardship"),
    ("veterans", "退役军人", "Veterans"),
    ("riders", "快递外卖骑手等新就业群体", "Delivery riders and other new-economy workers"),
    ("drivers", "货车司机", "Truck drivers"),
    ("migrants", "流动人口", "Migrants"),
    ("white_collar", "白领", "Office workers"),
    ("residents", "全体居民", "All residents"),
]
