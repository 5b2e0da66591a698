# syntax=docker/dockerfile:1
# Production image of the Clumio wallet gateway. test/container.test.ts reads this file and
# replays its steps without Docker (the paths copied, the npm ci, the user, the HEALTHCHECK, the CMD);
# CI lints it (npm run lint:dockerfile).
#
#   docker build -t clumio-wallet-gateway .
#   docker run -p 4000:4000 -e CLUMIO_REGION=us-west-2 -e CURSOR_SECRET=... clumio-wallet-gateway

# Build: every dependency, then tsc to dist/.
FROM node:22-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json ./
COPY src ./src
COPY schema ./schema
RUN npm run build

# Runtime: production dependencies, the compiled gateway and its SDL, nothing else.
FROM node:22-bookworm-slim AS runtime
ENV NODE_ENV=production
# A bounded old space makes V8 collect before growing: peak RSS under load falls from about
# 225 MB to 137-176 MB (npm run bench; docs/performance.md). The live heap is some 30 MB; raise
# the bound if GraphiQL is served in production or subscriptions run in the thousands.
# Under a bound this small V8 lets the old space grow by only 1.3x its live size between full
# collections, and each full collection moves every live young object into the old space: with
# 32-50 operations in flight they followed each other every 30-100 ms, and wallets(first: 50) took
# about 0.9 ms of CPU per operation instead of 0.4-0.6 at 50 connections. The CMD lets it grow by 2x
# (--heap-growing-percent=100, which node refuses in NODE_OPTIONS).
ENV NODE_OPTIONS="--max-old-space-size=128"
# glibc gives each thread that mallocs (V8's compiler and GC helpers, libuv's pool) an arena of
# its own, up to 8 per core, and memory freed in one is not reused by another. Two arenas: 4-6 MB
# less peak RSS under 50 connections on wallets(first: 50), no change in throughput measured.
ENV MALLOC_ARENA_MAX=2
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund && npm cache clean --force
COPY --from=build /app/dist ./dist
COPY schema ./schema
# The official image's unprivileged user; the app's files stay owned by root, read-only to it.
USER node
EXPOSE 4000
HEALTHCHECK --interval=15s --timeout=5s --start-period=10s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.PORT || 4000) + '/health', { signal: AbortSignal.timeout(4000) }).then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
CMD ["node", "--heap-growing-percent=100", "dist/main.js"]
