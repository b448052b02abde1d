# One image for every service of credit-gateway; docker-compose.yml picks the entry point.
FROM node:20-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json tsconfig.json tsconfig.base.json ./
COPY common/package.json common/
COPY sources/package.json sources/
COPY register/package.json register/
COPY gateway/package.json gateway/
COPY clients/package.json clients/
COPY scripts/package.json scripts/
COPY subgraphs/market/package.json subgraphs/market/
COPY subgraphs/tax/package.json subgraphs/tax/
COPY subgraphs/courts/package.json subgraphs/courts/
COPY subgraphs/social-security/package.json subgraphs/social-security/
COPY subgraphs/procurement/package.json subgraphs/procurement/
COPY subgraphs/credit/package.json subgraphs/credit/
RUN npm ci
COPY . .
RUN npx tsc -b && npm prune --omit=dev

FROM node:20-bookworm-slim
ENV NODE_ENV=production HOST=0.0.0.0
WORKDIR /app
COPY --from=build /app /app
# Mount points the named volumes inherit their owner from.
RUN mkdir -p /keys /app/.data && chown node:node /keys /app/.data
# node, by number: Kubernetes can check runAsNonRoot only against a numeric user. Nothing writes
# under /app at run time except the file stores in .data, so the root file system can be read-only
# wherever the stores are on PostgreSQL (deploy/kubernetes).
USER 1000:1000
# The flags of GATEWAY_NODE_FLAGS (gateway/src/performance/node-flags.ts).
CMD ["node", "--max-semi-space-size=4", "gateway/dist/index.js"]
