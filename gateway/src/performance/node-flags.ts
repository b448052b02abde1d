/**
 * How the gateway's Node processes are started (npm start, the bench, the Dockerfile and
 * docker-compose.yml repeat it). A young generation of 4 MB semi-spaces instead of V8's 16 MB:
 * the gateway's garbage is short-lived response trees, and under the court feed walk at
 * concurrency 64 (146 KB pages) it cut a worker's peak RSS from about 395 MB to 286 MB at the
 * same throughput. Cluster workers inherit the flags of the primary.
 */
export const GATEWAY_NODE_FLAGS: readonly string[] = ['--max-semi-space-size=4'];
