"""Controlled vocabularies: service categories and target groups, labelled in zh and en."""

from __future__ import annotations

from sqlalchemy import Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from exchange.db import Base


class VocabularyTerm(Base):
    __tablename__ = "vocabulary_terms"

    kind: Mapped[str] = mapped_column(String(20), primary_key=True)  # category | target_group
    code: Mapped[str] = mapped_column(String(40), primary_key=True)
    zh: Mapped[str] = mapped_column(String(50))
    en: Mapped[str] = mapped_column(String(80))
    position: Mapped[int] = mapped_column(Integer, default=0)
