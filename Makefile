# sealts — every entry point a developer, CI or a new user needs.
# `make demo` and `make test` do all their own setup on a fresh Debian machine (as root).
SHELL := /bin/bash
N ?= 5
ID ?= 0
INIT ?= systemd
# --test-timeout bounds each test file too: the real-cluster files (HA with its renewal, the 3 + 2
# upgrade) take 10-25 minutes; every test in them has its own, tighter bound.
NODE_TEST := node --import tsx --import ./test/setup/isolated-home.ts --test --test-concurrency=1 --test-timeout=2700000

KUBE_VERSION ?=

.PHONY: deps npm-deps debian-deps build typecheck kube-bins test unit e2e demo fleet-up fleet-down bench clean

# Debian packages the fleet, the tests and the benchmarks need (installed only when missing).
debian-deps:
	@bash scripts/install-debian-deps.sh

npm-deps: node_modules/.package-lock.json
node_modules/.package-lock.json: package-lock.json package.json
	npm ci --no-audit --no-fund
	@touch $@

deps: debian-deps npm-deps

build: npm-deps
	npm run build

typecheck: npm-deps
	npx tsc -p tsconfig.json --noEmit

# The real Kubernetes binaries, etcd, pause, CoreDNS and containerd for KUBE_VERSION, or else for
# every release of the version table (the default one, and the next minor the upgrade test goes to),
# built from the Go module proxy into /var/cache/sealts-kube/VERSION; a few stats once built. The
# real rootfs, the real-cluster tests and the kubeadm test oracle all use them. Time-bounded so a
# dead proxy fails the run instead of hanging it.
KUBE_RELEASES = $(or $(KUBE_VERSION),$(shell node -p "Object.keys(require('./pkg/versions/kubernetes.json').releases).join(' ')"))
kube-bins: debian-deps
	for v in $(KUBE_RELEASES); do timeout 4800 scripts/kube-bins.sh $$v || exit 1; done

# The whole suite: type-check, unit tests, fleet tests, e2e and benchmark smoke runs.
test: deps typecheck kube-bins
	$(NODE_TEST) $$(find test bench -name '*.test.ts' | sort)

unit: npm-deps
	$(NODE_TEST) $$(find test -path test/e2e -prune -o -path test/fleet -prune -o -name '*.test.ts' -print | sort)

e2e: deps
	$(NODE_TEST) $$(find test/e2e -name '*.test.ts' | sort)

fleet-up: deps
	npx tsx test/fleet/cli.ts up --n $(N) --id $(ID) --init $(INIT)

fleet-down: npm-deps
	npx tsx test/fleet/cli.ts down --id $(ID)

demo: deps build kube-bins
	bash scripts/demo.sh

# Full-size benchmarks on the fleet (minutes each); figures go to bench/RESULTS.md by hand.
bench: deps kube-bins
	npx tsx bench/fanout.ts
	npx tsx bench/push.ts
	npx tsx bench/push-memory.ts
	npx tsx bench/pki.ts
	npx tsx bench/apply.ts
	npx tsx bench/real-apply.ts

clean:
	rm -rf dist sealts-*.tgz
