# syntax=docker/dockerfile:1
# The Bollard controller image: `make image` (scripts/image.sh) builds it when a Docker engine
# answers. Three stages: build (all dependencies, tsc → dist/), deps (production dependencies
# only), runtime (node slim + dist + production node_modules, non-root). Keep NODE_VERSION in
# step with scripts/node.sh; for reproducible releases pin the digest too, e.g.
#   --build-arg NODE_IMAGE=node:24.9.0-bookworm-slim@sha256:<digest from `docker buildx imagetools inspect`>
ARG NODE_VERSION=24.9.0
ARG NODE_IMAGE=node:${NODE_VERSION}-bookworm-slim

FROM ${NODE_IMAGE} AS build
WORKDIR /src
COPY package.json package-lock.json ./
# --ignore-scripts: nothing the build needs runs an install script (tsc 7 ships its binary as an
# optional platform package), and no dependency gets to run code at install time.
# Not `npm ci`: see the Makefile (the lockfile cannot list other platforms' optional binaries).
RUN npm install --no-save --ignore-scripts --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
RUN node node_modules/tsc7/bin/tsc -p tsconfig.build.json \
 && node dist/main.js controller --help > /dev/null

FROM ${NODE_IMAGE} AS deps
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm install --no-save --omit=dev --ignore-scripts --no-audit --no-fund && npm cache clean --force

FROM ${NODE_IMAGE}
ARG VERSION=0.0.0-dev
ARG REVISION=unknown
ARG CREATED=unknown
LABEL org.opencontainers.image.title="bollard" \
      org.opencontainers.image.description="Kubernetes ingress controller with a Node.js data plane and Let's Encrypt on many replicas" \
      org.opencontainers.image.source="https://github.com/bollard/bollard" \
      org.opencontainers.image.url="https://github.com/bollard/bollard" \
      org.opencontainers.image.documentation="https://github.com/bollard/bollard/tree/main/docs" \
      org.opencontainers.image.licenses="Apache-2.0" \
      org.opencontainers.image.vendor="Bollard" \
      org.opencontainers.image.version="${VERSION}" \
      org.opencontainers.image.revision="${REVISION}" \
      org.opencontainers.image.created="${CREATED}"
ENV NODE_ENV=production
WORKDIR /app
COPY --from=deps /app/node_modules ./node_modules
COPY --from=build /src/dist ./dist
COPY package.json ./
# Numeric, so Kubernetes' runAsNonRoot can verify it; the chart runs as the same 65532.
# Nothing is writable: the chart mounts a read-only root filesystem with an emptyDir on /tmp.
USER 65532:65532
# HTTP, HTTPS, admin (/metrics, /healthz, /readyz). Unprivileged ports: no capability needed.
EXPOSE 8080 8443 10254
# A fixed 16 MiB young generation (src/workers/serving-v8-flags.ts, kept in step by a test): the
# controller allocates in bursts (relists, rebuilds) and V8's default lets RSS grow past 400 MiB
# at 5,000 Ingresses (~235 MiB with it, bench/convergence.ts); the data plane, in this process
# when --workers is 1, stops faulting pages in at the start of every burst of traffic.
ENTRYPOINT ["node", "--min-semi-space-size=16", "--max-semi-space-size=16", "dist/main.js", "controller"]
