"""Demo data: a realistic district in Chinese, loaded by ``exchange demo`` (idempotent)."""
