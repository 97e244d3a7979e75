#!/usr/bin/env bash
# Run a command against a throwaway PostgreSQL: initdb in a temporary directory (as an unprivileged
# user when run as root), start it on a free port, export EXCHANGE_TEST_DATABASE_URL, run the
# command, then stop the server and delete everything — also when the command fails.
# With EXCHANGE_TEST_DATABASE_URL already set, the command runs against that server instead.
set -euo pipefail

if [ -n "${EXCHANGE_TEST_DATABASE_URL:-}" ]; then
  exec "$@"
fi

find_bin() {
  local candidate
  if command -v pg_config >/dev/null 2>&1 && [ -x "$(pg_config --bindir)/initdb" ]; then
    pg_config --bindir; return 0
  fi
  for candidate in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V -r) /usr/local/pgsql/bin; do
    [ -x "$candidate/initdb" ] && { echo "$candidate"; return 0; }
  done
  command -v initdb >/dev/null 2>&1 && { dirname "$(command -v initdb)"; return 0; }
  return 1
}

if ! PGBIN=$(find_bin) && [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
  echo "== PostgreSQL server binaries missing: installing the distribution's package (apt-get install postgresql) ==" >&2
  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null) || true
fi
if ! PGBIN=$(find_bin); then
  cat >&2 <<'MSG'
No PostgreSQL server binaries (initdb, pg_ctl) were found, and the test suite runs on PostgreSQL too.
Install them, e.g. on Debian/Ubuntu:   sudo apt-get install postgresql
or point the suite at an existing server:
  EXCHANGE_TEST_DATABASE_URL=postgresql+asyncpg://user:password@host:5432/postgres make test
MSG
  exit 1
fi

PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()')
WORK=$(mktemp -d /tmp/exchange-pg.XXXXXX)
RUNAS=()
if [ "$(id -u)" = "0" ]; then
  PGUSER_OS=exchange-pg
  id -u "$PGUSER_OS" >/dev/null 2>&1 || useradd --system --no-create-home --shell /usr/sbin/nologin "$PGUSER_OS"
  chown "$PGUSER_OS" "$WORK"
  RUNAS=(runuser -u "$PGUSER_OS" --)
fi

cleanup() {
  "${RUNAS[@]}" "$PGBIN/pg_ctl" -D "$WORK/data" -m immediate stop >/dev/null 2>&1 || true
  rm -rf "$WORK"
}
trap cleanup EXIT INT TERM

"${RUNAS[@]}" "$PGBIN/initdb" -D "$WORK/data" -U postgres -A trust -E UTF8 --locale=C.UTF-8 >"$WORK/initdb.log" 2>&1 \
  || "${RUNAS[@]}" "$PGBIN/initdb" -D "$WORK/data" -U postgres -A trust -E UTF8 --locale=C >"$WORK/initdb.log" 2>&1 \
  || { cat "$WORK/initdb.log" >&2; exit 1; }
"${RUNAS[@]}" "$PGBIN/pg_ctl" -D "$WORK/data" -l "$WORK/server.log" -w -t 60 start \
  -o "-p $PORT -k $WORK -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=300 -c shared_buffers=256MB" \
  >/dev/null || { cat "$WORK/server.log" >&2; exit 1; }

export EXCHANGE_TEST_DATABASE_URL="postgresql+asyncpg://postgres@127.0.0.1:$PORT/postgres"
echo "== throwaway PostgreSQL $("$PGBIN/postgres" --version | awk '{print $3}') on port $PORT =="
set +e
"$@"
status=$?
set -e
exit $status
