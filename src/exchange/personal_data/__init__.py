"""A resident's rights over their personal data: ``GET /me/data`` exports everything held about the
user, ``POST /me/erasure`` anonymizes the account and its free text while keeping the ledgers and the
audit chain. What the public may not see is :mod:`exchange.privacy.redaction`."""
