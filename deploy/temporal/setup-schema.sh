#!/bin/sh
# One-shot job (temporalio/admin-tools): creates the Temporal server's two
# MySQL 8 databases and brings their schemas to the version the image ships.
# Safe to run on every `docker compose up`: create is IF NOT EXISTS,
# setup-schema leaves a database that already has a newer version alone, and
# update-schema applies only the missing versions.
# temporal-sql-tool reads SQL_PLUGIN, SQL_HOST, SQL_PORT, SQL_USER and
# SQL_PASSWORD from the environment.
set -eu

schema=/etc/temporal/schema/mysql/v8
for db in "${DBNAME:-temporal}:temporal" "${VISIBILITY_DBNAME:-temporal_visibility}:visibility"; do
	name=${db%%:*}
	dir=${db#*:}
	echo "schema: database $name"
	temporal-sql-tool --db "$name" create-database
	temporal-sql-tool --db "$name" setup-schema -v 0.0
	temporal-sql-tool --db "$name" update-schema -d "$schema/$dir/versioned"
done
echo "schema: done"
