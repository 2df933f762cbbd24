# syntax=docker/dockerfile:1
# The toolchain the native SQLite addon builds with, shared by the build and runtime-deps stages.
FROM node:20.20-bookworm-slim AS toolchain
WORKDIR /app
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 make g++ \
 && rm -rf /var/lib/apt/lists/*

# Build stage: full install, TypeScript compiled to dist/.
FROM toolchain AS build
COPY package.json package-lock.json ./
RUN npm ci
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
COPY connectors ./connectors
COPY bench ./bench
RUN npm run build

# Runtime dependencies only, compiled against the same Node ABI as the runtime image.
FROM toolchain AS deps
COPY package.json package-lock.json ./
RUN npm ci --omit=dev

FROM node:20.20-bookworm-slim
ENV NODE_ENV=production
# The exposed port must answer from outside the container: listen on every interface here.
ENV COSELL_SYNC_HTTP_HOST=0.0.0.0
WORKDIR /app
COPY --from=deps /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
# The console's templates and assets are read from the source tree at run time.
COPY src/http/console/views ./src/http/console/views
COPY src/http/console/assets ./src/http/console/assets
COPY package.json ./
COPY config ./config
RUN mkdir -p /app/data && chown -R node:node /app/data
USER node
VOLUME ["/app/data"]
EXPOSE 8080
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s CMD node -e "fetch('http://127.0.0.1:8080/healthz').then(r=>process.exit(r.ok?0:1)).catch(()=>process.exit(1))"
ENTRYPOINT ["node", "dist/src/cli/bin.js"]
# Give the configuration with COSELL_SYNC_CONFIG (or `start --config FILE`); `sandbox` runs the bundled simulators.
CMD ["start"]
