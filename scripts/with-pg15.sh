#!/usr/bin/env bash
# Runs a command with SPRINTCONNECT_TEST_DATABASE_URL pointing at a throwaway Debian PostgreSQL 15 cluster on
# 127.0.0.1 (scram-sha-256), started as the postgres OS user because PostgreSQL refuses root. Throwaway, so it
# does not wait on the disk for durability (fsync and friends off; docs/testing.md).
set -euo pipefail
PG15_BIN=${PG15_BIN:-/usr/lib/postgresql/15/bin}
dir=$(mktemp -d /tmp/sc-pg15-XXXXXX)
chmod 0711 "$dir"
run_pg() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
[ "$(id -u)" = 0 ] && chown postgres "$dir"
pw=$(head -c 18 /dev/urandom | base64 | tr -d '/+=')
echo "$pw" > "$dir/pw"; [ "$(id -u)" = 0 ] && chown postgres "$dir/pw"
run_pg "$PG15_BIN/initdb" -D "$dir/data" -U postgres --pwfile="$dir/pw" --auth=scram-sha-256 -E UTF8 --locale=C.UTF-8 >/dev/null
port=$(node -e "const s=require('net').createServer().listen(0,'127.0.0.1',()=>{console.log(s.address().port);s.close()})")
run_pg "$PG15_BIN/pg_ctl" -D "$dir/data" -l "$dir/log" -w -o "-p $port -c listen_addresses=127.0.0.1 -c unix_socket_directories=$dir -c max_connections=200 -c fsync=off -c synchronous_commit=off -c full_page_writes=off" start >/dev/null
trap 'run_pg "$PG15_BIN/pg_ctl" -D "$dir/data" -m fast stop >/dev/null 2>&1 || true; rm -rf "$dir"' EXIT
echo "PostgreSQL 15 on 127.0.0.1:$port"
SPRINTCONNECT_TEST_DATABASE_URL="postgres://postgres:$pw@127.0.0.1:$port/postgres" "$@"
