"""Notifications over HTTP."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from exchange.notifications.models import Channel


class NotificationOut(BaseModel):
    id: uuid.UUID
    type: str
    title: str
    body: str
    entity_type: str | None
    entity_id: str | None
    created_at: dt.datetime
    read_at: dt.datetime | None


class NotificationPage(BaseModel):
    items: list[NotificationOut]
    next_cursor: str | None
    unread_count: int


class ReadIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    ids: list[uuid.UUID] | None = Field(None, max_length=500)
    all: bool = False

    @model_validator(mode="after")
    def _one_of(self) -> ReadIn:
        if (self.ids is None) == (not self.all):
            raise ValueError('give either "ids" or "all": true')
        return self


class ReadOut(BaseModel):
    marked: int
    unread_count: int


class SettingsOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    language: Literal["zh-CN", "en"]
    email: str | None
    phone: str | None
    wechat_openid: str | None
    channels: list[Channel]


class SettingsUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    language: Literal["zh-CN", "en"] | None = None
    email: str | None = Field(None, max_length=254)
    phone: str | None = Field(None, max_length=20)
    wechat_openid: str | None = Field(None, max_length=64)
    channels: list[Channel] | None = Field(None, max_length=3, description="channels beyond the in-app list")
