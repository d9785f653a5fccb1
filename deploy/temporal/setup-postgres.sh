#!/bin/sh
# Creates Temporal's two PostgreSQL databases and brings their schemas up to the version shipped
# beside temporal-sql-tool. Run by docker-compose.yml (one-shot, temporalio/admin-tools image,
# schemas in /etc/temporal/schema) and by `npm run cluster` (dev/cluster/, the tool and schemas
# of the same server version from .tools/, SCHEMA_ROOT set). Safe to run on every start: an
# existing database is kept, setup-schema leaves a newer schema alone, and update-schema only
# applies versions not applied yet (a version upgrade migrates here).
set -eu

: "${POSTGRES_SEEDS:?POSTGRES_SEEDS: the PostgreSQL host}"
: "${POSTGRES_USER:?POSTGRES_USER: the PostgreSQL user}"
: "${SQL_PASSWORD:?SQL_PASSWORD: the PostgreSQL password}"
DB_PORT="${DB_PORT:-5432}"
SCHEMA_ROOT="${SCHEMA_ROOT:-/etc/temporal/schema/postgresql/v12}"
ATTEMPTS="${SETUP_MAX_ATTEMPTS:-30}"

sql_tool() {
  temporal-sql-tool --plugin postgres12 --ep "$POSTGRES_SEEDS" -u "$POSTGRES_USER" -p "$DB_PORT" "$@"
}

# nc is in the admin-tools image; elsewhere the caller has waited for PostgreSQL already.
reachable() { ! command -v nc >/dev/null 2>&1 || nc -z -w 5 "$POSTGRES_SEEDS" "$DB_PORT"; }
n=1
until reachable; do
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
