#!/bin/sh
# Migrate, then serve. EXCHANGE_ENV=prod (the image's default) refuses to start without EXCHANGE_SECRET_KEY.
set -eu

if [ "${EXCHANGE_ENV:-prod}" != "dev" ] && [ -z "${EXCHANGE_SECRET_KEY:-}" ]; then
  echo "EXCHANGE_SECRET_KEY is required (at least 32 characters; it signs every token)." >&2
  echo "Generate one with: openssl rand -hex 32" >&2
  exit 64
fi

if [ "$#" -gt 0 ]; then
  [ "$1" = "exchange" ] && shift
  exec exchange "$@"          # e.g. `docker run … exchange users create-admin --username U --password P`
fi

# With several web containers, let one migrate (compose.yaml runs a one-shot `migrate` service) and
# start the others with MIGRATE=0.
if [ "${MIGRATE:-1}" = "1" ]; then
  exchange db upgrade
fi
exec exchange serve --host 0.0.0.0 --port "${PORT:-8000}" --workers "${WORKERS:-4}"
