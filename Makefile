# Build, run and test the router. `make help` lists the targets.

GO       ?= go
BIN      := bin
PKGS     := ./...
# Bounded so a hung test fails the run instead of holding CI.
TEST_TIMEOUT ?= 15m

.PHONY: help build run sim test test-short vet clean

help: ## list targets
	@grep -E '^[a-z0-9-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  %-12s %s\n", $$1, $$2}'

build: ## build bin/router and bin/cxone-sim (static, no cgo)
	CGO_ENABLED=0 $(GO) build -trimpath -o $(BIN)/router ./cmd/router
	CGO_ENABLED=0 $(GO) build -trimpath -o $(BIN)/cxone-sim ./cmd/cxone-sim

run: ## run everything in one process: embedded NATS, ingest, workers, CXone simulator
	$(GO) run ./cmd/router dev

sim: ## run the CXone simulator on :8090
	$(GO) run ./cmd/cxone-sim

vet: ## go vet every package
	$(GO) vet $(PKGS)

test: vet ## vet, then run every test with the race detector
	$(GO) test -race -count=1 -timeout $(TEST_TIMEOUT) $(PKGS)

test-short: ## run the tests without the race detector, skipping the slow ones
	$(GO) test -short -count=1 $(PKGS)

# Time each fuzz target runs in `make fuzz`.
FUZZTIME ?= 10s

.PHONY: fuzz
fuzz: ## run every Fuzz function in the module for FUZZTIME each (go test takes one -fuzz target per run)
	@set -e; for file in $$(grep -rl --include='*_test.go' '^func Fuzz' --exclude-dir=.git .); do \
		pkg=./$$(dirname $${file#./}); \
		for name in $$(sed -n 's/^func \(Fuzz[A-Za-z0-9_]*\)(.*/\1/p' $$file); do \
			echo "fuzz $$pkg $$name for $(FUZZTIME)"; \
			$(GO) test -run '^$$' -fuzz "^$$name\$$" -fuzztime $(FUZZTIME) $$pkg; \
		done; \
	done

# Benchmarks: not part of `make test`. All servers listen on 127.0.0.1.
BENCH_BIN := $(BIN)/bench

.PHONY: bench
bench: ## run the benchmarks (about 5 minutes) and write docs/benchmarks.md
	$(GO) build -o $(BENCH_BIN)/router ./cmd/router
	$(GO) build -o $(BENCH_BIN)/cxone-sim ./cmd/cxone-sim
	$(GO) build -o $(BENCH_BIN)/nats-server github.com/nats-io/nats-server/v2
	$(GO) build -o $(BENCH_BIN)/routerbench ./bench/cmd/routerbench
	mkdir -p docs
	$(BENCH_BIN)/routerbench -bin $(BENCH_BIN) -out docs/benchmarks.md -go $(GO)

clean: ## remove built binaries and the dev data directory
	rm -rf $(BIN) data

# Containers. Every image is built FROM scratch out of static binaries built
# here and the host's CA bundle, so a build pulls no image; only `go build`
# may fetch modules. Compose is `docker compose` (v2) when present, else
# docker-compose (v1.27 or later).
DOCKER          ?= docker
COMPOSE         ?= $(shell $(DOCKER) compose version >/dev/null 2>&1 && echo "$(DOCKER) compose" || echo docker-compose)
COMPOSE_FILES   ?= -f docker-compose.yml
WORKERS         ?= 3
IMAGE_DIR       := $(BIN)/image
CA_BUNDLE       ?= /etc/ssl/certs/ca-certificates.crt
# The nats-server version that go.mod pins, without the leading v.
NATS_VERSION     = $(patsubst v%,%,$(shell $(GO) list -m -f '{{.Version}}' github.com/nats-io/nats-server/v2))
ROUTER_IMAGE    ?= router:dev
CXONE_SIM_IMAGE ?= cxone-sim:dev
NATS_LOCAL_IMAGE = router-nats:$(NATS_VERSION)
NATS_IMAGE      ?= $(NATS_LOCAL_IMAGE)
IMAGE_ENV        = ROUTER_IMAGE=$(ROUTER_IMAGE) CXONE_SIM_IMAGE=$(CXONE_SIM_IMAGE) NATS_IMAGE=$(NATS_IMAGE)

.PHONY: images e2e compose-up compose-down

images: ## build the images router:dev, cxone-sim:dev and router-nats:<pinned nats-server version>, FROM scratch
	@test -r $(CA_BUNDLE) || { echo "make images: CA bundle $(CA_BUNDLE) not found; set CA_BUNDLE to a PEM file of CA certificates" >&2; exit 1; }
	rm -rf $(IMAGE_DIR) && mkdir -p $(IMAGE_DIR)/nats-data
	cp $(CA_BUNDLE) $(IMAGE_DIR)/ca-certificates.crt
	cp build/nats.conf $(IMAGE_DIR)/nats.conf
	GOOS=linux GOARCH=$$($(DOCKER) version -f '{{.Server.Arch}}') CGO_ENABLED=0 sh -c '\
	  $(GO) build -trimpath -ldflags="-s -w" -o $(IMAGE_DIR)/router ./cmd/router && \
	  $(GO) build -trimpath -ldflags="-s -w" -o $(IMAGE_DIR)/cxone-sim ./cmd/cxone-sim && \
	  $(GO) build -trimpath -ldflags="-s -w" -o $(IMAGE_DIR)/nats-server github.com/nats-io/nats-server/v2'
	$(DOCKER) build -q -f build/router.Dockerfile -t $(ROUTER_IMAGE) $(IMAGE_DIR)
	$(DOCKER) build -q -f build/cxone-sim.Dockerfile -t $(CXONE_SIM_IMAGE) $(IMAGE_DIR)
	$(DOCKER) build -q -f build/nats.Dockerfile -t $(NATS_LOCAL_IMAGE) $(IMAGE_DIR)

compose-up: images ## start NATS, ingest, WORKERS workers (default 3) and the CXone simulator with Compose, on the local images
	$(IMAGE_ENV) $(COMPOSE) $(COMPOSE_FILES) up -d --scale worker=$(WORKERS)

compose-down: ## stop the Compose services; their volumes stay (add -v by hand to delete them)
	$(IMAGE_ENV) $(COMPOSE) $(COMPOSE_FILES) down

e2e: ## build the images, then run the end-to-end tests against Docker (needs a Docker engine)
	@$(DOCKER) info >/dev/null 2>&1 || { echo "make e2e: Docker is unavailable: 'docker info' reached no Docker engine, so the end-to-end tests cannot run" >&2; exit 1; }
	$(MAKE) images
	$(IMAGE_ENV) COMPOSE="$(COMPOSE)" TESTCONTAINERS_RYUK_DISABLED=true \
	  $(GO) test -tags e2e -count=1 -timeout 25m -v ./e2e/...
