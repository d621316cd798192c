#!/bin/sh
# Run once by the postgres image, when it creates its data directory (docker-entrypoint-initdb.d):
# the role Portcullis connects as owns its database and schema and nothing else. It is no
# superuser and cannot create roles or databases; the superuser (`postgres`) is for operators.
set -eu
psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname "$POSTGRES_DB" <<'SQL'
CREATE ROLE portcullis LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION;
ALTER DATABASE portcullis OWNER TO portcullis;
ALTER SCHEMA public OWNER TO portcullis;
REVOKE ALL ON DATABASE portcullis FROM PUBLIC;
GRANT CONNECT, TEMPORARY ON DATABASE portcullis TO portcullis;
SQL
