"""Channels beyond the in-app list, all behind one interface: email over SMTP (``aiosmtplib``), and
SMS and WeChat adapters whose default only logs (a provider's adapter is one class with ``send``)."""

from __future__ import annotations

import logging
from email.message import EmailMessage
from typing import Protocol

import aiosmtplib

from exchange.config import Settings
from exchange.notifications.models import Channel

log = logging.getLogger("exchange.notifications")


class Sender(Protocol):
    async def send(self, address: str, subject: str, body: str, language: str) -> None:
        """Send one message; raise on failure (the runner retries)."""


class LogSender:
    """Writes the message to the log: the default where no provider is configured."""

    def __init__(self, channel: str) -> None:
        self.channel = channel

    async def send(self, address: str, subject: str, body: str, language: str) -> None:
        log.info("%s to %s [%s]: %s — %s", self.channel, address, language, subject, body)


class SmtpSender:
    """Email through an SMTP server (``EXCHANGE_SMTP_*``)."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings

    async def send(self, address: str, subject: str, body: str, language: str) -> None:
        s = self.settings
        message = EmailMessage()
        message["From"], message["To"], message["Subject"] = s.smtp_from, address, subject
        message["Content-Language"] = language
        message.set_content(body)
        await aiosmtplib.send(
            message, hostname=s.smtp_host, port=s.smtp_port, username=s.smtp_username, password=s.smtp_password,
            use_tls=s.smtp_security == "tls", start_tls=True if s.smtp_security == "starttls" else False,
            timeout=30,
        )


def senders(settings: Settings) -> dict[str, Sender]:
    """The sender of each channel under ``settings``."""
    email: Sender = SmtpSender(settings) if settings.smtp_host else LogSender("email")
    return {Channel.email: email, Channel.sms: LogSender(f"sms:{settings.sms_adapter}"),
            Channel.wechat: LogSender(f"wechat:{settings.wechat_adapter}")}
