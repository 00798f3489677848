# The two commands of the README: `make run` and `make test`. Each installs what it needs first.
SWIFT ?= swift
SWIFT_TEST_FLAGS ?=
BRANCH ?= $(shell git -C "$(CURDIR)" rev-parse --verify -q refs/heads/develop >/dev/null && echo develop || git -C "$(CURDIR)" rev-parse --abbrev-ref HEAD)

.PHONY: run test deps build release bench clean

deps:
	@bash scripts/ensure-packages.sh

build: deps
	$(SWIFT) build

release: deps
	$(SWIFT) build -c release

# Until the demo lands, `make run` watches this repository's own branch through libgit2 into
# state/ and prints each new head (see README).
run: deps
	$(SWIFT) build --product reconciler
	"$$($(SWIFT) build --show-bin-path)/reconciler" watch --repository "$(CURDIR)" --branch "$(BRANCH)" --state state

# Throwaway Redis and PostgreSQL on loopback for the duration of the suite, stopped even on failure.
test: deps
	$(SWIFT) build --build-tests
	bash scripts/with-test-services.sh $(SWIFT) test --skip-build --disable-xctest $(SWIFT_TEST_FLAGS)

bench: deps
	bash bench/run.sh

clean:
	rm -rf .build
