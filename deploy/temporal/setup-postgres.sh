#!/bin/sh
# One-shot (temporalio/admin-tools image): creates Temporal's two PostgreSQL databases and brings
# their schemas up to the version the admin-tools image ships. Safe to run on every
# `docker compose up`: an existing database is kept, setup-schema leaves a newer schema alone,
# and update-schema only applies versions not applied yet (an image upgrade migrates here).
set -eu

: "${POSTGRES_SEEDS:?POSTGRES_SEEDS: the PostgreSQL host}"
: "${POSTGRES_USER:?POSTGRES_USER: the PostgreSQL user}"
: "${SQL_PASSWORD:?SQL_PASSWORD: the PostgreSQL password}"
DB_PORT="${DB_PORT:-5432}"
SCHEMA_ROOT=/etc/temporal/schema/postgresql/v12
ATTEMPTS="${SETUP_MAX_ATTEMPTS:-30}"

sql_tool() {
  temporal-sql-tool --plugin postgres12 --ep "$POSTGRES_SEEDS" -u "$POSTGRES_USER" -p "$DB_PORT" "$@"
}

n=1
until nc -z -w 5 "$POSTGRES_SEEDS" "$DB_PORT"; do
  if [ "$n" -ge "$ATTEMPTS" ]; then
    echo "setup-postgres: $POSTGRES_SEEDS:$DB_PORT never answered" >&2
    exit 1
  fi
  echo "setup-postgres: waiting for $POSTGRES_SEEDS:$DB_PORT ($n/$ATTEMPTS)"
  n=$((n + 1))
  sleep 2
done

for pair in temporal:temporal temporal_visibility:visibility; do
  db=${pair%%:*}
  schema=${pair#*:}
  # `create` of a database that exists is not an error worth stopping for: setup-schema below
  # fails loudly if the database really is missing.
  sql_tool --db "$db" create || echo "setup-postgres: database $db not created (it may exist already)"
  sql_tool --db "$db" setup-schema -v 0.0
  sql_tool --db "$db" update-schema -d "$SCHEMA_ROOT/$schema/versioned"
done
echo 'setup-postgres: Temporal schema is up to date'
