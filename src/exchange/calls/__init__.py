"""Venture-philanthropy calls (公益创投) that organizations apply to directly: applications, screening,
roadshow scores, and decisions within the call's budget that become deals."""
