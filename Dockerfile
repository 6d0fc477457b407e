# Multi-stage build for the AI HTML Builder server. NODE_IMAGE is an argument so hosts without registry access can
# build on a local stand-in image. The runtime image is flattened (FROM scratch) from a trimmed root filesystem: no
# compiler, npm, headers, docs or build-host files, only the packages the server loads, and Chromium's headless shell.
# Each stage ends with labels naming it and the app (AHB_APP, the container name, from `ahb deploy`): after a build the
# deploy tags them as the next build's cache and removes older ones, so no untagged stage image is left behind.
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
RUN npm run build && npm prune --omit=dev --no-audit --no-fund && node scripts/prune-runtime.mjs
ARG AHB_APP=ahb
LABEL ahb.stage=build ahb.stage.app=${AHB_APP}

FROM ${NODE_IMAGE} AS rootfs
# chromium-common depends on x11-utils and xdg-utils, which pull Mesa and LLVM (~200 MB) that the headless shell
# never loads: they are purged, and ldd proves the shell and its bundled libraries still resolve every library.
RUN apt-get update \
  && apt-get install -y --no-install-recommends chromium-headless-shell \
    fonts-dejavu-core fonts-wqy-zenhei fonts-noto-color-emoji \
  && dpkg --purge --force-depends x11-utils xdg-utils libgl1-mesa-dri libglx-mesa0 libglx0 libgl1 libllvm15 \
    libz3-4 libxml2 libicu72 libsensors5 libsensors-config libedit2 libelf1 libxaw7 libxmu6 libxmuu1 libxt6 \
    libxpm4 libxft2 libxtst6 libxv1 libxxf86dga1 libxinerama1 libxkbfile1 libfontenc1 libsm6 libice6 \
    libdrm-amdgpu1 libdrm-intel1 libdrm-nouveau2 libdrm-radeon1 libpciaccess0 libglvnd0 libglapi-mesa \
    libxcb-glx0 libxcb-dri2-0 libxcb-dri3-0 libxcb-present0 libxcb-sync1 libxshmfence1 libxxf86vm1 \
  && rm -rf /var/lib/apt/lists/* /var/cache/* /var/log/* /usr/share/doc /usr/share/man /usr/share/info \
    /usr/share/locale /usr/share/lintian /usr/lib/chromium/libVkLayer_khronos_validation.so \
    /usr/include/node /usr/local/include/node /usr/lib/node_modules /usr/local/lib/node_modules \
    /usr/bin/npm /usr/bin/npx /usr/local/bin/npm /usr/local/bin/npx /usr/local/bin/corepack /opt/yarn* \
    /usr/local/bin/yarn /usr/local/bin/yarnpkg /usr/etc/npmrc /usr/local/etc/npmrc /etc/ssl/host-ca-bundle.pem \
    /root/.npm /tmp/* \
  && for lib in /usr/lib/chromium/chromium-headless-shell /usr/lib/chromium/*.so; do \
    if ldd "$lib" | grep 'not found'; then echo "unresolved library in $lib" >&2; exit 1; fi; done \
  && groupadd --system --gid 10001 ahb \
  && useradd --system --uid 10001 --gid ahb --home-dir /app --shell /usr/sbin/nologin ahb \
  && mkdir -p /app/data /app/exports && chown ahb:ahb /app/data /app/exports
COPY --from=build /app/package.json /app/package.json
COPY --from=build /app/node_modules /app/node_modules
COPY --from=build /app/dist /app/dist
ARG AHB_APP=ahb
LABEL ahb.stage=rootfs ahb.stage.app=${AHB_APP}

FROM scratch AS runtime
COPY --from=rootfs / /
WORKDIR /app
# HOME and XDG dirs under /tmp: the root filesystem is read-only at run time (tmpfs on /tmp, src/ops/docker/spec.ts).
ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
  HOME=/tmp \
  XDG_CONFIG_HOME=/tmp/.config \
  XDG_CACHE_HOME=/tmp/.cache \
  NODE_ENV=production \
  PORT=8000 \
  DATABASE_PATH=/app/data/app.db \
  EXPORT_DIR=/app/exports \
  CHROMIUM_PATH=/usr/bin/chromium-headless-shell
ARG AHB_VERSION=dev
ENV AHB_VERSION=${AHB_VERSION}
USER ahb
EXPOSE 8000
# No curl in the image: Node's fetch asks the health endpoint.
HEALTHCHECK --interval=5s --timeout=10s --start-period=30s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.PORT||8000)+'/api/health').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
CMD ["node", "dist/server-bundle/main.js"]
