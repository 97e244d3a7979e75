"""Residents' personal data (个人信息保护法): what the public may not see.

``redaction`` is the one place that decides what an anonymous or unrelated reader sees of a need,
an objection or an audit event; the API (and any page) calls it. It imports no other domain, so every
domain may use it. A resident's own rights (export, erasure) are :mod:`exchange.personal_data`."""
