#!/bin/sh
# Creates the Redis Cluster from the REDIS_CLUSTER_NODES pods of the StatefulSet, three primaries
# with one replica each, once: when the first node already knows others it leaves it as it is.
# redis-cli --cluster wants addresses, so each node is asked which one it announces.
set -eu
if [ -n "${REDIS_PASSWORD:-}" ]; then export REDISCLI_AUTH="$REDIS_PASSWORD"; fi
first="redis-cluster-0.redis-cluster-nodes"
addresses=""
i=0
while [ "$i" -lt "$REDIS_CLUSTER_NODES" ]; do
  host="redis-cluster-$i.redis-cluster-nodes"
  until [ "$(redis-cli -h "$host" ping 2>/dev/null)" = PONG ]; do
    echo "waiting for $host"
    sleep 2
  done
  address=$(redis-cli -h "$host" --raw config get cluster-announce-ip | sed -n 2p)
  addresses="$addresses $address:6379"
  i=$((i + 1))
done
known=$(redis-cli -h "$first" cluster info | tr -d '\r' | sed -n 's/^cluster_known_nodes://p')
if [ "$known" -gt 1 ]; then
  echo "the cluster already has $known nodes: nothing to create"
  exit 0
fi
# shellcheck disable=SC2086 # one argument per address
redis-cli --cluster create $addresses --cluster-replicas 1 --cluster-yes
