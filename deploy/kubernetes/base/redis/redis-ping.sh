#!/bin/sh
# Probe: the server answers PING; with `cluster`, its cluster is also in state ok (every slot served).
set -eu
if [ -n "${REDIS_PASSWORD:-}" ]; then export REDISCLI_AUTH="$REDIS_PASSWORD"; fi
[ "$(redis-cli -h 127.0.0.1 ping)" = PONG ]
if [ "${1:-}" = cluster ]; then
  redis-cli -h 127.0.0.1 cluster info | grep -q '^cluster_state:ok'
fi
