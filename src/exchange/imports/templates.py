"""The import template of each kind: Chinese headers, an example row, validation lists and a 说明 sheet."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from exchange.imports.columns import CHOICE_TITLES, COLUMNS, SHEET_NAMES, STATIC_CHOICES, Column
from exchange.regions.models import Region
from exchange.sheets.writer import TemplateColumn, Vocabulary, template_workbook
from exchange.vocabularies.repository import VocabularyRepository

TYPE_HINTS = {
    "int": "整数", "number": "数字", "yuan": "金额（元）", "date": "日期，如 2026-03-05、2026/3/5、2026年3月5日",
    "datetime": "日期时间（北京时间），如 2026-12-31 17:00", "bool": "是 / 否", "choice": "从下拉列表选择（中文或代码均可）",
    "choices": "可填多个，用顿号分隔（中文或代码均可）", "region": "区划代码或区域名称",
    "regions": "区划代码或名称，多个用顿号分隔",
    "org": "组织名称、统一社会信用代码或系统编号", "rubric": "标准:权重；标准:权重（权重合计 100）", "text": "文本",
}
REGION_TITLE = "区域"
MAX_REGIONS_LISTED = 5000


async def _vocabularies(session: AsyncSession, columns: list[Column]) -> list[Vocabulary]:
    wanted = []
    for col in columns:
        if col.choice and col.choice not in wanted:
            wanted.append(col.choice)
    terms = await VocabularyRepository(session).all()
    out = []
    for name in wanted:
        if name in STATIC_CHOICES:
            items = list(STATIC_CHOICES[name].items())
        else:
            items = [(t.code, t.zh) for t in terms if t.kind == name]
        out.append(Vocabulary(CHOICE_TITLES.get(name, name), [(code, label) for code, label in items]))
    if any(c.type in ("region", "regions") for c in columns):
        rows = (await session.execute(select(Region.code, Region.name).order_by(Region.path).limit(MAX_REGIONS_LISTED))).all()
        out.append(Vocabulary(REGION_TITLE, [(code, name) for code, name in rows]))
    return out


async def template(session: AsyncSession, kind: str) -> bytes:
    columns = [c for c in COLUMNS[kind] if not c.export_only]
    vocabularies = await _vocabularies(session, columns)
    template_columns = [
        TemplateColumn(header=c.header, note=f"{c.note}（{TYPE_HINTS[c.type]}）" if c.note else TYPE_HINTS[c.type],
                       example=c.example, choices_range=CHOICE_TITLES.get(c.choice or "") if c.type == "choice" else None,
                       boolean=c.type == "bool")
        for c in columns]
    guide = [(c.header, c.key, "是" if c.required else "否", f"{TYPE_HINTS[c.type]}。{c.note}".rstrip("。")) for c in columns]
    intro = (f"「{SHEET_NAMES[kind]}」导入模板：第 1 行为表头（可调整列的顺序，也可使用英文字段名），第 2 行为示例，"
             "导入前请删除或改写示例行。带 * 的列必填。金额单位为元。右侧列出了各列允许的取值。")
    return template_workbook(SHEET_NAMES[kind], template_columns, vocabularies, guide, intro)
