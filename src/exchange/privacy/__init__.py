"""Residents' personal data (个人信息保护法): what the public may not see, and a resident's rights.

``redaction`` is the one place that decides what an anonymous or unrelated reader sees of a need,
an objection or an audit event; the API (and any page) calls it. ``service`` exports and erases
what is held about a user."""
