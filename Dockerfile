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
# A bounded old space makes V8 collect before growing; the live heap is some 30 MB at rest and
# about 65 MB with 256 operations of 20 federated reads each in flight. Raise the bound if GraphiQL
# is served in production or subscriptions run in the thousands.
# Between full collections V8 grows the old space by at most half the distance from its live size
# to the bound. With those 256 operations in flight, 128 MB had it collect at about 95 MB: 92-94 full
# collections per 10,000 operations against 60-62 at 160 MB, and 13% more CPU per operation. 192 MB
# would leave it 2x room there too, but a flood of distinct documents then peaks at 261 MB (234 at
# 160, 228 with pretenuring off as below; test/memory-flood.test.ts holds it under 250). At 50
# connections peak RSS is the same at 128 or 160. The CMD lets the old space grow by 2x its live size (--heap-growing-percent=100,
# which node refuses in NODE_OPTIONS): at 1.3x, with 32-50 operations in flight, full collections
# followed each other every 30-100 ms, and wallets(first: 50) took about 0.9 ms of CPU per
# operation instead of 0.4-0.6.
# The CMD also turns off V8's allocation-site pretenuring. V8 allocates objects straight into the
# old space from any allocation site whose objects mostly survive a young collection; an
# operation's objects (its result tree, its promises) live about as long as the time between two
# young collections, so under load sites were pretenured whose objects then died in the old space,
# and full collections came 1.6x as often. `_entities` of 20 wallets at 32 connections took about
# 1,300 µs of CPU per operation with it and 1,000 without; the other operations did not change
# (measured on Node 20's V8; the flag is V8's own and Node 22 takes it).
ENV NODE_OPTIONS="--max-old-space-size=160"
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
CMD ["node", "--heap-growing-percent=100", "--no-allocation-site-pretenuring", "dist/main.js"]
