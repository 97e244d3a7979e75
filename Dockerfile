# syntax=docker/dockerfile:1
# The exchange as an image: migrations, then uvicorn with several workers against EXCHANGE_DATABASE_URL.
#
#   docker build -t exchange .
#   docker run -p 8000:8000 -e EXCHANGE_SECRET_KEY=$(openssl rand -hex 32) \
#     -e EXCHANGE_DATABASE_URL=postgresql+asyncpg://exchange:secret@db:5432/exchange exchange
#
# The build stage installs the package with its runtime dependencies only (no test extras, not
# editable) into a virtual environment; the runtime stage copies that environment.

ARG PYTHON_IMAGE=python:3.11-slim-bookworm

FROM ${PYTHON_IMAGE} AS build
WORKDIR /app
COPY pyproject.toml README.md ./
COPY src ./src
RUN python3 -m venv /app/.venv \
    && /app/.venv/bin/pip install --no-cache-dir --upgrade pip \
    && /app/.venv/bin/pip install --no-cache-dir . \
    && find /app/.venv -name '__pycache__' -prune -exec rm -rf {} + \
    && /app/.venv/bin/python -c "import exchange.app" \
    && ! /app/.venv/bin/python -c "import pytest" 2>/dev/null

FROM ${PYTHON_IMAGE} AS runtime
RUN groupadd --system --gid 10001 exchange \
    && useradd --system --uid 10001 --gid exchange --home-dir /app --shell /usr/sbin/nologin exchange \
    && mkdir -p /data && chown exchange:exchange /data
WORKDIR /app
# Same path as in the build stage: the virtual environment's scripts point at /app/.venv.
COPY --from=build /app/.venv /app/.venv
COPY migrations ./migrations
COPY docker-entrypoint.sh /usr/local/bin/docker-entrypoint.sh
RUN chmod 0755 /usr/local/bin/docker-entrypoint.sh && chown -R root:root /app && chmod -R a+rX /app

ENV PATH="/app/.venv/bin:${PATH}" \
    PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    EXCHANGE_ENV=prod \
    EXCHANGE_DATABASE_URL=sqlite+aiosqlite:////data/exchange.db \
    WORKERS=4 \
    PORT=8000

USER exchange
VOLUME ["/data"]
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
    CMD python -c "import os, urllib.request; urllib.request.urlopen(f'http://127.0.0.1:{os.environ.get(\"PORT\", \"8000\")}/api/v1/ready', timeout=4)"
ENTRYPOINT ["docker-entrypoint.sh"]
