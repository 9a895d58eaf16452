#!/bin/sh
# Creates the cluster on the first start (an empty data volume), then runs PostgreSQL in the foreground.
set -eu
: "${POSTGRES_USER:?set POSTGRES_USER}" "${POSTGRES_PASSWORD:?set POSTGRES_PASSWORD}" "${POSTGRES_DB:?set POSTGRES_DB}"

if [ ! -s "$PGDATA/PG_VERSION" ]; then
    # Superuser postgres, reachable only over this container's socket by its own postgres user (peer). The service
    # gets a plain role owning its database: enough for Flyway, which creates everything in it.
    initdb --pgdata="$PGDATA" --username=postgres --encoding=UTF8 --locale=C.UTF-8 \
        --auth-local=peer --auth-host=scram-sha-256
    echo "listen_addresses = '*'" >> "$PGDATA/postgresql.conf"
    echo "host all all all scram-sha-256" >> "$PGDATA/pg_hba.conf"
    pg_ctl --pgdata="$PGDATA" --options="-c listen_addresses=''" --wait start
    psql --quiet --no-psqlrc --set=ON_ERROR_STOP=1 --username=postgres --dbname=postgres \
        --set=user="$POSTGRES_USER" --set=password="$POSTGRES_PASSWORD" --set=db="$POSTGRES_DB" <<'SQL'
CREATE ROLE :"user" LOGIN PASSWORD :'password';
CREATE DATABASE :"db" OWNER :"user";
SQL
    pg_ctl --pgdata="$PGDATA" --mode=fast --wait stop
fi

exec postgres -D "$PGDATA"
