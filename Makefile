# Targets a new contributor needs; .ci/run is the CI entry point and calls the same ones.
GO ?= go

.PHONY: all build test lint fmt vet staticcheck bench fuzz clean

all: lint test

build:
	$(GO) build -o bin/bbatch ./cmd/bbatch

test:
	$(GO) test -race -timeout 15m ./...

lint: fmt vet staticcheck

fmt:
	@out=$$(gofmt -l $$(git ls-files '*.go')); if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi

vet:
	$(GO) vet ./...

staticcheck:
	$(GO) tool staticcheck ./...

bench:
	./scripts/bench-chunk.sh

fuzz:
	$(GO) test -run '^$$' -fuzz FuzzRead -fuzztime 30s ./internal/dataset/

clean:
	rm -rf bin bbatch-out .bench
