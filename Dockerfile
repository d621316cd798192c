# syntax=docker/dockerfile:1

# Portcullis runs from its TypeScript source with Node's built-in type stripping: there is no
# build step, only production dependencies to install.

# Base image pinned by digest (the multi-platform index node:24-bookworm-slim pointed to when
# pinned: Node 24.18.1), in both FROM lines. To update it deliberately:
#   docker buildx imagetools inspect node:24-bookworm-slim   (the "Digest:" line)
# and put that digest after the `@`.
FROM node:24-bookworm-slim@sha256:235600a8101ab264e117b1768e925532262668dc9b581ef1dd7d96ced463b8e7 AS deps
WORKDIR /app
COPY package.json package-lock.json ./
# argon2 ships prebuilt binaries for linux x64/arm64 (glibc), so no compiler is needed here.
RUN npm ci --omit=dev --no-audit --no-fund

FROM node:24-bookworm-slim@sha256:235600a8101ab264e117b1768e925532262668dc9b581ef1dd7d96ced463b8e7
ENV NODE_ENV=production PORT=3000 PORTCULLIS_DATA_DIR=/data
WORKDIR /app

# Code and dependencies stay owned by root: the server runs as `node` and cannot modify itself.
COPY --from=deps /app/node_modules ./node_modules
COPY package.json ./
COPY bin ./bin
COPY scripts/check-node.js ./scripts/check-node.js
COPY config ./config
COPY migrations ./migrations
COPY views ./views
COPY public ./public
COPY src ./src

# `portcullis <command>` on PATH (docker compose exec portcullis portcullis clients list), and a
# data directory the node user owns, private to it, for embedded storage when DATABASE_URL is
# unset (a fresh volume mounted there takes this owner and mode). The server writes nowhere else,
# so it runs with a read-only root file system (docker-compose.yml).
RUN chmod 755 /app/bin/portcullis.js \
  && ln -s /app/bin/portcullis.js /usr/local/bin/portcullis \
  && mkdir -p /data \
  && chown node:node /data \
  && chmod 700 /data

USER node
EXPOSE 3000

# The slim image has no curl; Node's fetch does the probe.
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.PORT || 3000) + '/healthz').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]

CMD ["node", "src/app/main.ts"]
