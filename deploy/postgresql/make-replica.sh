#!/bin/sh
# Run on the replica machine (10.0.0.32) as root, with PostgreSQL 15 installed and its cluster stopped:
# copies the primary and leaves a standby that follows it (pg_basebackup -R writes primary_conninfo).
set -eu
PRIMARY=${PRIMARY:-10.0.0.31}
DATA=/var/lib/postgresql/15/main
pg_ctlcluster 15 main stop || true
rm -rf "$DATA"
runuser -u postgres -- pg_basebackup -h "$PRIMARY" -U replicator -D "$DATA" -R -X stream -c fast -P
# hot_standby lets Dateline read from it; the replica's lag is checked by Dateline itself (newsroom/dbrouting.py).
echo "hot_standby = on" > /etc/postgresql/15/main/conf.d/dateline-replica.conf
pg_ctlcluster 15 main start
