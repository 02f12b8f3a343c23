# anseo: make run starts the server, make test runs every check.
GO      ?= go
VERSION ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
LDFLAGS := -s -w -X main.version=$(VERSION)

.PHONY: run build test lint generate bench gobench faults fuzz docker clean

## run: start anseo on the defaults (web :8080, telnet :2323 and :2424)
run:
	$(GO) run ./cmd/anseo

## build: a static binary in bin/anseo, built as the container image builds it
build:
	CGO_ENABLED=0 $(GO) build -trimpath -ldflags "$(LDFLAGS)" -o bin/anseo ./cmd/anseo

## test: formatting, vet, then every test with the race detector, the
## fault-injection tests at the real timescale (build tag faults) included
test: lint
	$(GO) test -race -tags faults -count=1 ./...

## lint: gofmt and go vet
lint:
	@out=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go')); \
	  if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi
	$(GO) vet ./...

## generate: regenerate templ output (*_templ.go, committed)
generate:
	$(GO) tool templ generate

## bench: load-test anseo beside the bare broadcaster (docs/performance.md):
## bin/anseo-bench starts a fresh bin/anseo for each run, pinned to CPU 0;
## the load runs on CPU 1. Each anseo transport runs once per history store
## in BENCH_STORES: memory (-db :memory:) and file (-db in a fresh directory
## under $TMPDIR, removed after; keep TMPDIR off tmpfs).
## Bigger runs: make bench BENCH_MEMBERS=100,1000,10000 BENCH_IDLE=19000
## Rooms: BENCH_ROOMS lists layouts, R (the members over R rooms) or R+K
## (each also in K quiet rooms), e.g. BENCH_ROOMS=1,10,1+49
## The sending runs come in BENCH_ROUNDS rounds, every server once in each,
## and a table of each server's medians follows.
BENCH_MEMBERS    ?= 1000
BENCH_ROOMS      ?= 1
BENCH_IDLE       ?= 2000
BENCH_DURATION   ?= 10s
BENCH_ROUNDS     ?= 3
BENCH_IDLE_HOLD  ?= 150s
BENCH_SCENARIOS  ?= saturate,fanout,idle
BENCH_TRANSPORTS ?= baseline,gorilla,telnet,ws
BENCH_STORES     ?= memory,file
BENCH_FLAGS      ?=
TASKSET := $(shell command -v taskset >/dev/null 2>&1 && echo taskset -c 1)
bench: build
	CGO_ENABLED=0 $(GO) build -trimpath -o bin/anseo-bench ./cmd/anseo-bench
	ulimit -n $$(ulimit -Hn); $(TASKSET) bin/anseo-bench suite -server bin/anseo \
	  -members $(BENCH_MEMBERS) -rooms $(BENCH_ROOMS) -idle $(BENCH_IDLE) -idle-hold $(BENCH_IDLE_HOLD) -duration $(BENCH_DURATION) -rounds $(BENCH_ROUNDS) \
	  -scenarios $(BENCH_SCENARIOS) -transports $(BENCH_TRANSPORTS) -stores $(BENCH_STORES) \
	  -server-cpu $(if $(TASKSET),0,"") $(BENCH_FLAGS)

## gobench: Go benchmarks with allocations (hub fan-out, rendering per transport)
gobench:
	$(GO) test -run '^$$' -bench . -benchmem ./...

## docker: build the container image anseo:$(VERSION)
docker:
	docker build --build-arg VERSION=$(VERSION) -t anseo:$(VERSION) .

## faults: the fault-injection tests alone, real processes at the real
## timescale (kill -9, NATS killed and wiped, slow clients, hang-ups, a
## failing disk), about a minute; make test runs them too. Those behind the
## build tag faults are left out of a bare go test ./... for a quick loop.
FAULTS ?= KillNine|Slow|OneAddress|HungUp|FullDisk|NotReady|Outage|EmptyStore|NATSRestart|Refusals
faults:
	$(GO) test -race -tags faults -count=1 -run '$(FAULTS)' ./...

## fuzz: run each fuzz target for FUZZTIME (the seed corpora also run in make test)
FUZZTIME ?= 30s
fuzz:
	@set -e; for pkg in $$($(GO) list ./...); do \
	  for target in $$($(GO) test -list '^Fuzz' $$pkg | grep '^Fuzz' || true); do \
	    echo "== $$pkg $$target"; \
	    $(GO) test -run '^$$' -fuzz "^$$target$$" -fuzztime $(FUZZTIME) $$pkg; \
	  done; \
	done

clean:
	rm -rf bin
