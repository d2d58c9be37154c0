#!/usr/bin/env bash
# Every check, then the test suite on SQLite and on a throwaway PostgreSQL 15 server.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=${VENV:-.venv}/bin
PG_BIN=/usr/lib/postgresql/15/bin

# --- Debian packages the tests need -------------------------------------------------
need=()
[ -x "$PG_BIN/postgres" ] || need+=(postgresql-15)
[ -x /usr/bin/chromium ] || need+=(chromium)
command -v redis-server >/dev/null || need+=(redis-server)
command -v msgfmt >/dev/null || need+=(gettext)
[ -d /usr/share/fonts/opentype/noto ] || need+=(fonts-noto-cjk)
[ -f /usr/share/fonts/truetype/arphic/uming.ttc ] || need+=(fonts-arphic-uming)
# Old Word (.doc) and WPS plans are read with LibreOffice, or antiword when it is missing.
command -v antiword >/dev/null || need+=(antiword)
command -v soffice >/dev/null || need+=(libreoffice-writer-nogui)
if [ ${#need[@]} -gt 0 ]; then
  echo "== installing Debian packages: ${need[*]}"
  sudo_cmd=""
  [ "$(id -u)" -eq 0 ] || sudo_cmd="sudo"
  $sudo_cmd apt-get update -q
  DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -q --no-install-recommends "${need[@]}"
fi

# Tests run with their own var/ so they never touch a developer's data or secrets.
YINGJI_VAR_DIR=$(mktemp -d)
export YINGJI_VAR_DIR
pgroot=""
cleanup() {
  if [ -n "$pgroot" ] && [ -f "$pgroot/data/postmaster.pid" ]; then
    run_as_postgres "$PG_BIN/pg_ctl" -D "$pgroot/data" -m immediate -w stop >/dev/null || true
  fi
  rm -rf "$YINGJI_VAR_DIR" ${pgroot:+"$pgroot"}
}
trap cleanup EXIT

run_as_postgres() {
  # PostgreSQL refuses to run as root.
  if [ "$(id -u)" -eq 0 ]; then
    # From /, which postgres may enter, unlike a root-only working directory.
    (cd / && runuser -u postgres -- "$@")
  else
    "$@"
  fi
}

# --- static checks --------------------------------------------------------------------
echo "== ruff check";           "$BIN/ruff" check src tests bench
echo "== ruff format --check";  "$BIN/ruff" format --check src tests bench
echo "== mypy";                 "$BIN/mypy"
echo "== translations compiled"
po=src/yingji/locale/zh_Hans/LC_MESSAGES/django.po
msgfmt --check -o "$YINGJI_VAR_DIR/django.mo" "$po"
# Chinese comes first: every English string needs its Chinese, none left fuzzy.
stats=$(LC_ALL=C msgfmt --statistics -o /dev/null "$po" 2>&1)
case "$stats" in
  *fuzzy*|*untranslated*) echo "incomplete Chinese catalogue: $stats" >&2; exit 1 ;;
esac
cmp -s "$YINGJI_VAR_DIR/django.mo" "${po%.po}.mo" \
  || { echo "django.mo is stale: run 'make messages'" >&2; exit 1; }
echo "== manage.py check";      "$BIN/python" manage.py check --fail-level WARNING
echo "== makemigrations --check"; "$BIN/python" manage.py makemigrations --check --dry-run

# --- the suite on SQLite ----------------------------------------------------------------
echo "== pytest on SQLite"
"$BIN/pytest" "$@"

# --- the suite on PostgreSQL 15 ---------------------------------------------------------
echo "== pytest on PostgreSQL 15"
pgroot=$(mktemp -d)
chown postgres: "$pgroot" 2>/dev/null || true
pgdata="$pgroot/data"
port=$("$BIN/python" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
run_as_postgres "$PG_BIN/initdb" -D "$pgdata" -U postgres --auth=trust \
  --encoding=UTF8 --locale=C.UTF-8 >/dev/null
run_as_postgres "$PG_BIN/pg_ctl" -D "$pgdata" -w -l "$pgdata/server.log" \
  -o "-c listen_addresses=127.0.0.1 -p $port -k $pgdata -c fsync=off -c full_page_writes=off" start >/dev/null
run_as_postgres "$PG_BIN/createdb" -h 127.0.0.1 -p "$port" -U postgres -T template0 \
  -E UTF8 --lc-ctype=C.UTF-8 --lc-collate=C.UTF-8 yingji
YINGJI_DATABASE_URL="postgres://postgres@127.0.0.1:$port/yingji" "$BIN/pytest" "$@"
