# Pollback: one image for both roles, the command chooses (see docker-compose.yml):
#   worker   node --max-old-space-size=512 --enable-source-maps dist/worker.js
#   gateway  node --enable-source-maps dist/gateway/main.js      (listens on PORT, default 8080)
# Build: docker build -t pollback:local .       More: deploy/README.md
#
# The image runs the production build (`npm run build`): src/ compiled to dist/ and the workflow
# code bundled ahead into dist/workflow-bundle.js, so a worker starts without webpack or
# TypeScript, and the runtime stage holds only the runtime dependencies (`npm ci --omit=dev`,
# from the same lock file). test/deploy/build.test.ts checks that everything the compiled
# service loads is a runtime dependency, and runs the build end to end.

ARG NODE_IMAGE=node:20.20.2-bookworm-slim

# ---- build: every dependency exactly as the lock file pins it, then the production build -------
FROM ${NODE_IMAGE} AS build
WORKDIR /app
ENV npm_config_audit=false npm_config_fund=false npm_config_update_notifier=false
COPY package.json package-lock.json ./
RUN --mount=type=cache,target=/root/.npm npm ci
COPY tsconfig.json tsconfig.build.json ./
COPY scripts/build.ts ./scripts/build.ts
COPY src ./src
RUN npm run build

# ---- runtime dependencies only: the same lock file, devDependencies left out ------------------
FROM ${NODE_IMAGE} AS runtime-deps
WORKDIR /app
ENV npm_config_audit=false npm_config_fund=false npm_config_update_notifier=false
COPY package.json package-lock.json ./
RUN --mount=type=cache,target=/root/.npm npm ci --omit=dev

# ---- runtime -----------------------------------------------------------------------------------
FROM ${NODE_IMAGE} AS runtime
LABEL org.opencontainers.image.title="pollback" \
      org.opencontainers.image.description="Durable workflows on Temporal for slow asynchronous HTTP APIs (worker and gateway)"
ENV NODE_ENV=production \
    POLLBACK_DOWNLOAD_DIR=/data/downloads
WORKDIR /app

# Code and dependencies stay owned by root: the app can read them, not change them.
COPY --from=runtime-deps /app/node_modules ./node_modules
COPY package.json ./
COPY --from=build /app/dist ./dist
COPY deploy/healthcheck.mjs ./deploy/healthcheck.mjs

# The one folder the app writes (mount a volume here: results must outlive the container, and
# the gateway streams them from the same volume). A new named volume takes this owner, `node`.
RUN mkdir -p /data/downloads && chown node:node /data/downloads

USER node
EXPOSE 8080

# Knows both roles: the gateway answers GET /healthz, the worker is listed as a poller of its
# task queue by Temporal. The role is the one of the running process; pass `gateway` or
# `worker` to say it explicitly, as docker-compose.yml does.
HEALTHCHECK --interval=30s --timeout=10s --start-period=90s --retries=3 \
  CMD ["node", "deploy/healthcheck.mjs"]

# Not npm: node is the process that gets SIGTERM (run with an init, `init: true` in compose or
# `docker run --init`, so signals are forwarded and zombies reaped).
CMD ["node", "--max-old-space-size=512", "--enable-source-maps", "dist/worker.js"]
