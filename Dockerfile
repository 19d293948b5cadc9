# syntax=docker/dockerfile:1
# One image for every process: web (default), worker and scheduler differ only by command.
# Node 24 LTS in production (Node 20 reached end-of-life in April 2026); the code also runs on Node 20 for development.
FROM node:24-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY scripts ./scripts
COPY src ./src
COPY db ./db
# the admin UI (Vite) is built into dist/admin by the same npm run build and shipped with dist/
COPY admin ./admin
RUN npm run build && npm prune --omit=dev

FROM node:24-bookworm-slim
ENV NODE_ENV=production PORT=8000 HOST=0.0.0.0 DATA_DIR=/data
WORKDIR /app
RUN useradd --system --uid 10001 emporium && mkdir -p /data && chown emporium /data
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY --from=build /app/db ./db
COPY package.json ./
USER emporium
EXPOSE 8000
HEALTHCHECK --interval=15s --timeout=3s --start-period=20s CMD node -e "fetch('http://127.0.0.1:'+process.env.PORT+'/health/').then(r=>process.exit(r.ok?0:1)).catch(()=>process.exit(1))"
# the tracing preload does nothing unless OTEL_EXPORTER_OTLP_ENDPOINT is set (docs/operations.md)
CMD ["node", "--import", "./dist/src/core/tracing.js", "dist/src/server.js"]
