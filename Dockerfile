# manifest-hook server image: `docker build -t manifest-hook .` (or `buildah build`).
# Run: docker run -p 8080:8080 -v manifest-hook-state:/data \
#        -v ./manifest-hook.yaml:/config/manifest-hook.yaml:ro manifest-hook
# One container per state volume: the SQLite state is single-writer (docs/deploying.md).

ARG NODE_IMAGE=node:22-alpine

# Build: the esbuild bundle of the CLI and server. Install scripts are skipped; esbuild's JS API
# finds its platform binary package without its postinstall check.
FROM ${NODE_IMAGE} AS build
WORKDIR /src
COPY package.json package-lock.json ./
RUN npm ci --ignore-scripts --no-audit --no-fund
COPY scripts ./scripts
COPY src ./src
# scripts/build.mjs also bundles bench/ (which uses test/support/); only cli.mjs is kept.
COPY bench ./bench
COPY test/support ./test/support
COPY tsconfig.json ./
RUN node scripts/build.mjs --quiet

# Runtime: Node and one self-contained bundle (its dependencies are inlined), nothing else.
FROM ${NODE_IMAGE}
ENV NODE_ENV=production \
    MANIFEST_HOOK_DATA=/data/state.db
WORKDIR /app
COPY --from=build /src/dist/cli.mjs /src/dist/cli.mjs.LEGAL.txt ./dist/
COPY schema ./schema
COPY package.json ./
# The official Node images have the unprivileged user `node` (uid 1000); the state volume is its.
RUN mkdir -p /data /config && chown node:node /data
USER node
VOLUME ["/data"]
# The config is looked for as manifest-hook.json, .yaml or .yml in the working directory.
WORKDIR /config
EXPOSE 8080
HEALTHCHECK --interval=30s --timeout=5s --start-period=10s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:8080/healthz').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
# The memory flags `npm start` uses (docs/performance.md); --disable-warning: node:sqlite is experimental on Node 22.
ENTRYPOINT ["node", "--max-semi-space-size=4", "--heap-growing-percent=30", "--v8-pool-size=1", "--disable-warning=ExperimentalWarning", "/app/dist/cli.mjs", "serve"]
CMD ["--host", "0.0.0.0", "--port", "8080"]
