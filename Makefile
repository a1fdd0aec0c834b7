# Targets a new contributor needs; .ci/run is the CI entry point and calls the same ones.
GO ?= go

.PHONY: all build test lint fmt vet staticcheck bench fuzz clean node-tools

all: lint test

build:
	$(GO) build -o bin/bbatch ./cmd/bbatch

# The tests need the npm tools (asl-validator, aws-local-stepfunctions, the CDK); they install
# from the lockfiles the first time.
test: node-tools
	$(GO) test -race -timeout 25m ./...

node-tools: node_modules/.package-lock.json internal/asl/conformance/node_modules/.package-lock.json

node_modules/.package-lock.json: package-lock.json
	npm ci --no-audit --no-fund

internal/asl/conformance/node_modules/.package-lock.json: internal/asl/conformance/package-lock.json
	npm ci --prefix internal/asl/conformance --no-audit --no-fund

lint: fmt vet staticcheck

fmt:
	@out=$$(gofmt -l $$(git ls-files '*.go')); if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi

vet:
	$(GO) vet ./...

staticcheck:
	$(GO) tool staticcheck ./...

bench:
	./scripts/bench-chunk.sh
	./scripts/bench-run.sh

# Each parser on the data path, FUZZTIME each (go test fuzzes one target at a time).
FUZZTIME ?= 30s
fuzz:
	$(GO) test -run '^$$' -fuzz '^FuzzRead$$' -fuzztime $(FUZZTIME) ./internal/dataset/
	$(GO) test -run '^$$' -fuzz '^FuzzValid$$' -fuzztime $(FUZZTIME) ./internal/dataset/
	$(GO) test -run '^$$' -fuzz '^FuzzValidString$$' -fuzztime $(FUZZTIME) ./internal/dataset/
	$(GO) test -run '^$$' -fuzz '^FuzzStream$$' -fuzztime $(FUZZTIME) ./internal/dataset/
	$(GO) test -run '^$$' -fuzz '^FuzzStringMasks$$' -fuzztime $(FUZZTIME) ./internal/dataset/
	$(GO) test -run '^$$' -fuzz '^FuzzCheckLinesSIMD$$' -fuzztime $(FUZZTIME) ./internal/dataset/
	$(GO) test -run '^$$' -fuzz '^FuzzValueMasked$$' -fuzztime $(FUZZTIME) ./internal/dataset/
	$(GO) test -run '^$$' -fuzz '^FuzzParseOutputLine$$' -fuzztime $(FUZZTIME) ./internal/reconcile/
	$(GO) test -run '^$$' -fuzz '^FuzzAppendAnswer$$' -fuzztime $(FUZZTIME) ./internal/round/
	$(GO) test -run '^$$' -fuzz '^FuzzParseRecord$$' -fuzztime $(FUZZTIME) ./internal/bedrockemu/
	$(GO) test -run '^$$' -fuzz '^FuzzJSONScan$$' -fuzztime $(FUZZTIME) ./internal/bedrockemu/
	$(GO) test -run '^$$' -fuzz '^FuzzParse$$' -fuzztime $(FUZZTIME) ./internal/fakemodel/
	$(GO) test -run '^$$' -fuzz '^FuzzInvoke$$' -fuzztime $(FUZZTIME) ./internal/fakemodel/

clean:
	rm -rf bin bbatch-out .bench
