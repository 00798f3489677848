# The two commands of the README: `make run` and `make test`. Each installs what it needs first.
SWIFT ?= swift
SWIFT_TEST_FLAGS ?=
HEAVY_SUITES = ConnectionHardeningTests|FetchMemoryTests|ClipEndToEndKillTests|ClipPipelineTests|RedisRestartTests|DaemonCrashTests

.PHONY: run test deps build release bench simulate clean

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
	bash scripts/with-test-services.sh $(SWIFT) test --skip-build --disable-xctest --skip "$(HEAVY_SUITES)|SimulationTests" $(SWIFT_TEST_FLAGS)
	# The suites that load both cores on their own (hundreds of large requests, hundreds of fetches,
	# ffmpeg), then the rollout simulation: run after the others, so that they do not starve the
	# suites that watch real processes and timeouts.
	bash scripts/with-test-services.sh $(SWIFT) test --skip-build --disable-xctest --filter "$(HEAVY_SUITES)" $(SWIFT_TEST_FLAGS)
	$(SWIFT) test --skip-build --disable-xctest --filter SimulationTests

# The long run of the rollout simulation (docs/reconciler.md, "Invariants"): 100,000 seeded
# sequences in a release build; prints the count, sequences per second and every violation.
SIM_SEQUENCES ?= 100000
simulate: deps
	mkdir -p bench/results
	$(SWIFT) build -c release --product Simulate
	"$$($(SWIFT) build -c release --show-bin-path)/Simulate" $(SIM_SEQUENCES) 40 1 | tee bench/results/simulate.txt

bench: deps
	bash bench/run.sh

clean:
	rm -rf .build
