#!/bin/sh
# Starts redis-server from REDIS_CONFIG (the workload's redis.conf, in its manifest) and, when
# REDIS_PASSWORD is set, with that password for clients and replication. The file is on /tmp, the
# only place the read-only container writes besides /data, and only this user can read it.
set -eu
umask 077
{
  printf '%s\n' "$REDIS_CONFIG"
  if [ -n "${REDIS_PASSWORD:-}" ]; then
    printf 'requirepass %s\nmasterauth %s\n' "$REDIS_PASSWORD" "$REDIS_PASSWORD"
  fi
} >/tmp/redis.conf
exec redis-server /tmp/redis.conf
