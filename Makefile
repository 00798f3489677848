# The two commands of the README: `make run` and `make test`. Each installs what it needs first.
SWIFT ?= swift
SWIFT_TEST_FLAGS ?=

.PHONY: run test deps build release bench clean

deps:
	@bash scripts/ensure-packages.sh

build: deps
	$(SWIFT) build

release: deps
	$(SWIFT) build -c release

# The main job on its embedded default: the whole product on loopback with its status page
# (README, "From clone to the status page").
run: deps
	$(SWIFT) build --product reconciler
	"$$($(SWIFT) build --show-bin-path)/reconciler" demo --manifests "$(CURDIR)/deploy"

# Throwaway Redis and PostgreSQL on loopback for the duration of the suite, stopped even on failure.
test: deps
	$(SWIFT) build --build-tests
	bash scripts/with-test-services.sh $(SWIFT) test --skip-build --disable-xctest $(SWIFT_TEST_FLAGS)

bench: deps
	bash bench/run.sh

clean:
	rm -rf .build
