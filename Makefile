# The two commands of the README: `make run` and `make test`. Each installs what it needs first.
SWIFT ?= swift
SWIFT_TEST_FLAGS ?=
# The suite runs in groups, one after the other: all of it at once on two cores starves the
# tests that watch real processes, sockets and timeouts.
SECOND_GROUP = WorkerEngineTests|GitWatchTests|KnownGoodStoreTests|DeployersTests
# Suites that run on their own, each in its own process, after the groups: the simulation (CPU
# bound), and the fetch-memory check, which reads the test process's resident memory that suites
# running beside it would grow.
ALONE_SUITES = SimulationTests|FetchMemoryTests
HEAVY_SUITES = ConnectionHardeningTests|ClipEndToEndKillTests|ClipPipelineTests|RedisRestartTests|DaemonCrashTests|DistributionTarballTests|ProductLinkTests|DemoStoryTests|DemoShutdownTests|InitFirstRunTests

.PHONY: run test deps build release dist bench simulate format clean

# What every target needs (the C libraries, git); `make test` and `make bench` add their own.
deps:
	@bash scripts/ensure-packages.sh build

build: deps
	$(SWIFT) build

release: deps
	$(SWIFT) build -c release

# The versioned tarball of both binaries (release, Swift runtime linked statically, the commit in
# --version), the systemd units, the example configuration, the schema and the docs:
# .build/dist/clipnet-<version>-linux-<arch>.tar.gz (docs/deploying.md).
dist:
	@bash scripts/ensure-packages.sh dist
	SWIFT="$(SWIFT)" bash scripts/make-dist.sh

# The main job on its embedded default: the whole product on loopback with its status page
# (README, "From clone to the status page").
# PORT chooses the status page's port (default 8080).
PORT ?= 8080
run:
	@bash scripts/ensure-packages.sh run
	$(SWIFT) build --product reconciler
	$(SWIFT) build --product reconciler-demo
	"$$($(SWIFT) build --show-bin-path)/reconciler-demo" --manifests "$(CURDIR)/deploy" --port $(PORT)

# Throwaway Redis and PostgreSQL on loopback for the duration of the suite, stopped even on failure.
test:
	@bash scripts/ensure-packages.sh test
	$(SWIFT) build --build-tests
	# Every group runs even when one fails (CI shows all of it); the target fails if any did.
	@status=0; \
	bash scripts/with-test-services.sh $(SWIFT) test --skip-build --disable-xctest --skip "$(SECOND_GROUP)|$(HEAVY_SUITES)|$(ALONE_SUITES)" $(SWIFT_TEST_FLAGS) || status=1; \
	bash scripts/with-test-services.sh $(SWIFT) test --skip-build --disable-xctest --filter "$(SECOND_GROUP)" --skip "$(HEAVY_SUITES)|$(ALONE_SUITES)" $(SWIFT_TEST_FLAGS) || status=1; \
	bash scripts/with-test-services.sh $(SWIFT) test --skip-build --disable-xctest --filter "$(HEAVY_SUITES)" $(SWIFT_TEST_FLAGS) || status=1; \
	$(SWIFT) test --skip-build --disable-xctest --filter SimulationTests || status=1; \
	$(SWIFT) test --skip-build --disable-xctest --filter FetchMemoryTests || status=1; \
	exit $$status

# The long run of the rollout simulation (docs/reconciler.md, "Invariants"): 100,000 seeded
# sequences in a release build; prints the count, sequences per second and every violation.
SIM_SEQUENCES ?= 100000
simulate: deps
	mkdir -p bench/results
	$(SWIFT) build --package-path bench -c release --product Simulate
	"$$($(SWIFT) build --package-path bench -c release --show-bin-path)/Simulate" $(SIM_SEQUENCES) 40 1 | tee bench/results/simulate.txt

bench:
	@bash scripts/ensure-packages.sh bench
	bash bench/run.sh

# Formats every Swift file with the toolchain's swift-format and the settings in .swift-format.
format:
	find Sources Tests bench -name '*.swift' -not -path '*/.build/*' | xargs $(SWIFT) format format --in-place --configuration .swift-format

clean:
	rm -rf .build
