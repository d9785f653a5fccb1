# Pollback: one image for both roles, the command chooses (see docker-compose.yml):
#   worker   node --max-old-space-size=512 --import tsx src/worker.ts
#   gateway  node --import tsx src/gateway/main.ts      (listens on PORT, default 8080)
# Build: docker build -t pollback:local .       More: deploy/README.md
#
# Why the image runs TypeScript through tsx instead of compiled JavaScript: the worker bundles
# its workflow code at start from src/workflows/index.ts, and the built-in API profiles are
# YAML files under src/profiles/builtin/, both found next to the sources. tsx is a
# devDependency, so the build stage installs every dependency exactly as package-lock.json
# pins them (`npm ci`, package.json's overrides included) and the runtime stage copies that
# node_modules as is. The cost is the other dev tools (typescript, eslint, …, about 65 MB)
# sitting unused in the image; pruning them would mean a second install or a hand-kept list
# of tsx's own dependencies.

ARG NODE_IMAGE=node:20.20.2-bookworm-slim

# ---- dependencies: exactly the lock file, nothing resolved anew --------------------------------
FROM ${NODE_IMAGE} AS deps
WORKDIR /app
ENV npm_config_audit=false npm_config_fund=false npm_config_update_notifier=false
COPY package.json package-lock.json ./
RUN --mount=type=cache,target=/root/.npm npm ci

# ---- runtime -----------------------------------------------------------------------------------
FROM ${NODE_IMAGE} AS runtime
LABEL org.opencontainers.image.title="pollback" \
      org.opencontainers.image.description="Durable workflows on Temporal for slow asynchronous HTTP APIs (worker and gateway)"
ENV NODE_ENV=production \
    POLLBACK_DOWNLOAD_DIR=/data/downloads
WORKDIR /app

# Code and dependencies stay owned by root: the app can read them, not change them.
COPY --from=deps /app/node_modules ./node_modules
COPY package.json package-lock.json tsconfig.json ./
COPY src ./src
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
CMD ["node", "--max-old-space-size=512", "--import", "tsx", "src/worker.ts"]
