#!/usr/bin/env bash
# `make test`'s two runs at once: the whole suite on SQLite, and on a throwaway PostgreSQL the
# tests that use the suite's database (marker `db`). Much of the suite waits on processes and
# servers, so the two share the cores well; each has its own temporary folder, and the
# PostgreSQL run's output is printed after the SQLite run's. Fails if either fails.
# Usage: scripts/test_both_databases.sh PYTEST [pytest arguments…]
set -uo pipefail
pytest="$1"; shift
scratch="$(mktemp -d)"
trap 'rm -rf "$scratch"' EXIT
CONFBOT_TEST_DB=postgresql "$pytest" -m db -p no:cacheprovider --basetemp="$scratch/postgresql" \
    "$@" >"$scratch/postgresql.log" 2>&1 &
postgres=$!
"$pytest" -p no:cacheprovider --basetemp="$scratch/sqlite" "$@"
sqlite_status=$?
wait "$postgres"
postgres_status=$?
echo "--- on PostgreSQL (tests marked db) ---"
cat "$scratch/postgresql.log"
if [ "$sqlite_status" -ne 0 ] || [ "$postgres_status" -ne 0 ]; then
    echo "make test: SQLite run status $sqlite_status, PostgreSQL run status $postgres_status" >&2
    exit 1
fi
