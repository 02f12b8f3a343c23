# anseo: make run starts the server, make test runs every check.
GO      ?= go
VERSION ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
LDFLAGS := -s -w -X main.version=$(VERSION)

.PHONY: run build test lint generate bench fuzz docker clean

## run: start anseo on the defaults (web :8080, telnet :2323)
run:
	$(GO) run ./cmd/anseo

## build: a static binary in bin/anseo, built as the container image builds it
build:
	CGO_ENABLED=0 $(GO) build -trimpath -ldflags "$(LDFLAGS)" -o bin/anseo ./cmd/anseo

## test: formatting, vet, then every test with the race detector
test: lint
	$(GO) test -race -count=1 ./...

## lint: gofmt and go vet
lint:
	@out=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go')); \
	  if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi
	$(GO) vet ./...

## generate: regenerate templ output (*_templ.go, committed)
generate:
	$(GO) tool templ generate

## bench: Go benchmarks with allocations
bench:
	$(GO) test -run '^$$' -bench . -benchmem ./...

## docker: build the container image anseo:$(VERSION)
docker:
	docker build --build-arg VERSION=$(VERSION) -t anseo:$(VERSION) .

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
