# Build, run and test the router. `make help` lists the targets.

GO       ?= go
BIN      := bin
PKGS     := ./...
# Bounded so a hung test fails the run instead of holding CI.
TEST_TIMEOUT ?= 15m

.PHONY: help build run sim test test-short vet clean

help: ## list targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  %-12s %s\n", $$1, $$2}'

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

clean: ## remove built binaries and the dev data directory
	rm -rf $(BIN) data
