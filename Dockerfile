# Multi-stage build for the AI HTML Builder server (`ahb serve`).
# NODE_IMAGE is an argument so hosts without registry access can build on a local stand-in image.
ARG NODE_IMAGE=node:24-bookworm-slim

FROM ${NODE_IMAGE} AS build
WORKDIR /app
RUN apt-get update \
  && apt-get install -y --no-install-recommends python3 make g++ \
  && rm -rf /var/lib/apt/lists/*
COPY package.json package-lock.json ./
# Scripts stay off until the sources are here (prepare would build too early); native modules are rebuilt explicitly.
RUN npm ci --ignore-scripts --no-audit --no-fund && npm rebuild better-sqlite3 esbuild
COPY tsconfig.json tsconfig.build.json ./
COPY scripts ./scripts
COPY web ./web
COPY src ./src
RUN npm run build && npm prune --omit=dev --no-audit --no-fund

FROM ${NODE_IMAGE} AS runtime
RUN apt-get update \
  && apt-get install -y --no-install-recommends chromium fonts-liberation fonts-dejavu-core \
  && rm -rf /var/lib/apt/lists/* \
  && groupadd --system --gid 10001 ahb \
  && useradd --system --uid 10001 --gid ahb --home-dir /app --shell /usr/sbin/nologin ahb
WORKDIR /app
ENV NODE_ENV=production \
  PORT=8000 \
  DATABASE_PATH=/app/data/app.db \
  EXPORT_DIR=/app/exports \
  CHROMIUM_PATH=/usr/bin/chromium
COPY --from=build /app/package.json ./package.json
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY bin ./bin
COPY templates ./templates
RUN mkdir -p /app/data /app/exports && chown ahb:ahb /app/data /app/exports
ARG AHB_VERSION=dev
ENV AHB_VERSION=${AHB_VERSION}
USER ahb
EXPOSE 8000
# No curl in the image: Node's fetch asks the health endpoint.
HEALTHCHECK --interval=5s --timeout=10s --start-period=30s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.PORT||8000)+'/api/health').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
CMD ["node", "bin/ahb.js", "serve"]
