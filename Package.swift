// swift-tools-version:6.1
// The CLIPNET staging deployment controller (`reconciler`) and the worker service it deploys
// (`clipnet-worker`). Module map: docs/architecture.md; contracts: docs/.
import PackageDescription

/// Settings every Swift target shares: Swift 6 mode is the default for tools-version 6.x;
/// `ExistentialAny` keeps protocol existentials visible at the use site.
let swiftSettings: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("MemberImportVisibility"),
    .enableUpcomingFeature("InternalImportsByDefault"),
]

let package = Package(
    name: "clipnet-reconciler",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "reconciler", targets: ["ReconcilerCLI"]),
        .executable(name: "reconciler-demo", targets: ["ReconcilerDemo"]),
        .executable(name: "clipnet-worker", targets: ["WorkerCLI"]),

        // For the benchmark package (bench/Package.swift) only, not a public API: the modules its
        // executables import. Three products, not one, because a product links all its modules
        // into every binary that uses it, and the idle-memory baselines must not grow: the bare
        // server's C libraries link the wrappers alone, the operator benchmark no worker code.
        .library(name: "ClipnetLibraryWrappers", targets: ["AsyncPrimitives", "ClipnetContracts", "GitWatch", "HTTPTransport", "PostgresClient"]),
        .library(
            name: "ClipnetReconcilerModules",
            targets: [
                "ClipnetConfig", "ClipnetJSON", "ClipnetMetrics", "KnownGoodStore", "Reconciler", "ReconcilerHTTP",
                "PlatformEmulators", "StagingSandbox", "RolloutSimulation", "ReconcilerTestSupport",
            ]
        ),
        .library(name: "ClipnetWorkerModules", targets: ["ClipnetJSON", "RedisClient", "WorkerEngine", "WorkerSandbox"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-log", from: "1.6.0"),
        .package(url: "https://github.com/apple/swift-metrics", from: "2.5.0"),
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.6.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.0.0"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.0.0"),
        .package(url: "https://github.com/apple/swift-crypto", from: "3.0.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.0.0"),
        .package(url: "https://github.com/apple/swift-http-types", from: "1.0.0"),
        // Hummingbird's own; named because the operator server reads request bytes as `ByteBuffer`.
        .package(url: "https://github.com/apple/swift-nio", from: "2.80.0"),
    ],
    targets: [
        // MARK: C libraries: a module map and a shim header each; never products, each imported
        // by exactly one wrapper module.
        .systemLibrary(name: "CGit2", pkgConfig: "libgit2", providers: [.apt(["libgit2-dev"])]),
        .systemLibrary(name: "CHiredis", providers: [.apt(["libhiredis-dev"])]),
        .systemLibrary(name: "CCurl", pkgConfig: "libcurl", providers: [.apt(["libcurl4-openssl-dev"])]),
        .systemLibrary(name: "CLibPQ", providers: [.apt(["libpq-dev"])]),

        // MARK: Small shared pieces
        .target(name: "AsyncPrimitives", swiftSettings: swiftSettings),

        .target(name: "ClipnetJSON", swiftSettings: swiftSettings),

        // The words both sides of a wire share, defined once: services and platforms, commit ids,
        // the rollout vocabulary, drift kinds and policies, the operator API's documents and
        // bodies, the store's served records, the worker heartbeat and keys (docs/contributing.md).
        .target(name: "ClipnetContracts", dependencies: ["ClipnetFormats"], swiftSettings: swiftSettings),

        // RFC 3339 timestamps and hex without ICU or per-byte formatting (hot in every pass).
        .target(name: "ClipnetFormats", swiftSettings: swiftSettings),

        // MARK: The one wrapper per C library
        .target(
            name: "GitWatch",
            dependencies: [
                "CGit2", "AsyncPrimitives", "ClipnetContracts",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "RedisClient",
            dependencies: ["CHiredis", "AsyncPrimitives", .product(name: "Logging", package: "swift-log")],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "HTTPTransport",
            dependencies: ["CCurl", "AsyncPrimitives"],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "PostgresClient",
            dependencies: ["CLibPQ", "AsyncPrimitives", .product(name: "Logging", package: "swift-log")],
            swiftSettings: swiftSettings
        ),

        // MARK: Product modules
        .target(
            name: "KnownGoodStore",
            dependencies: ["PostgresClient", "AsyncPrimitives", "ClipnetContracts", .product(name: "Logging", package: "swift-log")],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "ClipnetConfig",
            dependencies: ["Yams", "ClipnetFormats", "ClipnetContracts", .product(name: "Crypto", package: "swift-crypto")],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "Deployers",
            dependencies: [
                "ClipnetJSON", "ClipnetFormats", "ClipnetContracts",
                "HTTPTransport", "AsyncPrimitives",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
            ],
            swiftSettings: swiftSettings
        ),
        .target(name: "DriftDetector", dependencies: ["ClipnetContracts"], swiftSettings: swiftSettings),
        // Slack and signed-webhook notifications: what each channel has not been told, from the
        // store, delivered by a service of its own (docs/notifications.md).
        .target(
            name: "Notifications",
            dependencies: [
                "ClipnetContracts", "ClipnetFormats", "KnownGoodStore", "HTTPTransport", "AsyncPrimitives", "ClipnetJSON", "GitHubAPI",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: swiftSettings
        ),
        // The GitHub REST calls of the release gate and of deployment reporting.
        .target(
            name: "GitHubAPI",
            dependencies: ["ClipnetContracts", "ClipnetJSON", "HTTPTransport"],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "Reconciler",
            dependencies: [
                "Notifications", "GitHubAPI",
                "GitWatch", "Deployers", "DriftDetector", "ClipnetContracts", "ClipnetConfig", "KnownGoodStore", "AsyncPrimitives",
                "HTTPTransport", "RedisClient", "ClipnetJSON", "ClipnetFormats",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: swiftSettings
        ),
        // MARK: The operator surface: HTTP API, status page, metrics, logs and the CLI's client
        .target(
            name: "ClipnetLogging",
            dependencies: ["ClipnetJSON", .product(name: "Logging", package: "swift-log")],
            swiftSettings: swiftSettings
        ),
        // The one metrics bootstrap (swift-metrics on a Prometheus registry) of both binaries.
        .target(
            name: "ClipnetMetrics",
            dependencies: [
                .product(name: "CoreMetrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
            ],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "ReconcilerHTTP",
            dependencies: [
                .product(name: "NIOCore", package: "swift-nio"),
                "Reconciler", "KnownGoodStore", "ClipnetConfig", "ClipnetMetrics", "ClipnetFormats", "ClipnetContracts", "ClipnetJSON",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "ReconcilerClient",
            dependencies: ["ClipnetContracts", "HTTPTransport", "ClipnetFormats"],
            swiftSettings: swiftSettings
        ),
        // "did you mean" for unknown subcommands, shared by both command lines.
        .target(
            name: "CommandLineSupport",
            dependencies: [.product(name: "ArgumentParser", package: "swift-argument-parser")],
            swiftSettings: swiftSettings
        ),
        // What `reconciler run` and `reconciler-demo` share: the one composition of daemon, operator
        // server and services, and the listen check.
        .target(
            name: "ReconcilerRuntime",
            dependencies: [
                "Reconciler", "ReconcilerHTTP", "ClipnetConfig",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: swiftSettings
        ),
        // The product: no emulator, sandbox or Redis spawner is linked (the demo is its own binary).
        .executableTarget(
            name: "ReconcilerCLI",
            dependencies: [
                .product(name: "Crypto", package: "swift-crypto"), "KnownGoodStore",
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
                "CommandLineSupport", "Reconciler", "ReconcilerRuntime", "GitWatch", "ClipnetConfig", "ClipnetContracts", "ClipnetFormats",
                "ReconcilerClient", "ReconcilerHTTP", "HTTPTransport",
                "ClipnetLogging",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: swiftSettings
        ),
        // `reconciler-demo` (`make run`): the daemon against a throwaway staging on loopback.
        .executableTarget(
            name: "ReconcilerDemo",
            dependencies: [
                "AsyncPrimitives", "PlatformEmulators", .product(name: "UnixSignals", package: "swift-service-lifecycle"),
                "CommandLineSupport", "Reconciler", "ReconcilerRuntime", "ReconcilerHTTP", "StagingSandbox", "ClipnetConfig", "ClipnetContracts",
                "ClipnetLogging",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "WorkerEngine",
            dependencies: [
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
                "ClipnetJSON", "ClipnetFormats", "ClipnetContracts",
                "RedisClient", "HTTPTransport", "PostgresClient", "ClipnetConfig", "AsyncPrimitives",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: swiftSettings
        ),
        .executableTarget(
            name: "WorkerCLI",
            dependencies: [
                "CommandLineSupport", "ClipnetContracts", "WorkerEngine", "ClipnetMetrics", "WorkerSandbox", "ClipnetConfig", "RedisClient",
                "ClipnetJSON", "ClipnetLogging", "ClipnetFormats",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),

        // The clip pipeline on loopback (emulated RunPod, Cloudinary and Clipbot; given Redis and
        // PostgreSQL): `clipnet-worker demo` and the pipeline benchmark.
        .target(
            name: "WorkerSandbox",
            dependencies: [
                "WorkerEngine", "PlatformEmulators", "ClipnetConfig", "ClipnetJSON", "HTTPTransport", "RedisClient",
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),

        // MARK: Loopback emulators of Vercel, Railway, RunPod and Cloudinary, for tests and the demo
        .target(
            name: "PlatformEmulators",
            dependencies: [
                "ClipnetJSON",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),

        // A throwaway CLIPNET staging on loopback (emulators, simulated API, git repository with
        // the manifests): `reconciler-demo` and the reconciler's scenario tests.
        .target(
            name: "StagingSandbox",
            dependencies: ["PlatformEmulators", "ClipnetConfig", "ClipnetContracts", "RedisClient", "AsyncPrimitives", "HTTPTransport"],
            swiftSettings: swiftSettings
        ),

        // MARK: Test support and the test helper run as a child process (Tests/); the benchmarks are
        // a package of their own (bench/Package.swift)
        .target(
            name: "TestSupport",
            dependencies: ["AsyncPrimitives", .product(name: "Logging", package: "swift-log")],
            path: "Tests/TestSupport",
            swiftSettings: swiftSettings
        ),
        .target(
            name: "ReconcilerTestSupport",
            dependencies: [
                "Reconciler", "ReconcilerHTTP", "KnownGoodStore", "GitWatch", "DriftDetector", "ClipnetContracts", "ClipnetJSON", "Yams",
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            path: "Tests/ReconcilerTestSupport",
            swiftSettings: swiftSettings
        ),
        // The rollout machine's deterministic simulation: in-memory platforms, repository, store
        // and clock (tests and `make simulate`).
        .target(
            name: "RolloutSimulation",
            dependencies: [
                "Reconciler", "KnownGoodStore", "Deployers", "ClipnetConfig", "ClipnetContracts", "ClipnetFormats", "GitWatch", "AsyncPrimitives",
                .product(name: "Logging", package: "swift-log"),
            ],
            path: "Tests/RolloutSimulation",
            swiftSettings: swiftSettings
        ),
        .executableTarget(
            name: "StoreTorture",
            dependencies: ["ClipnetContracts", "KnownGoodStore"],
            path: "Tests/StoreTorture",
            swiftSettings: swiftSettings
        ),
        // MARK: Tests (swift-testing), one target per module
        .testTarget(name: "AsyncPrimitivesTests", dependencies: ["AsyncPrimitives"], swiftSettings: swiftSettings),
        .testTarget(name: "ClipnetJSONTests", dependencies: ["ClipnetJSON"], swiftSettings: swiftSettings),
        .testTarget(name: "ClipnetContractsTests", dependencies: ["ClipnetContracts"], swiftSettings: swiftSettings),
        .testTarget(name: "ClipnetFormatsTests", dependencies: ["ClipnetFormats"], swiftSettings: swiftSettings),
        .testTarget(
            name: "GitWatchTests",
            dependencies: [
                "AsyncPrimitives", .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"), "ClipnetContracts", "GitWatch",
                "TestSupport",
            ], swiftSettings: swiftSettings),
        .testTarget(name: "RedisClientTests", dependencies: ["AsyncPrimitives", "RedisClient", "TestSupport"], swiftSettings: swiftSettings),
        .testTarget(name: "HTTPTransportTests", dependencies: ["HTTPTransport", "TestSupport"], swiftSettings: swiftSettings),
        .testTarget(name: "PostgresClientTests", dependencies: ["PostgresClient", "TestSupport"], swiftSettings: swiftSettings),
        .testTarget(name: "ClipnetConfigTests", dependencies: ["ClipnetContracts", "ClipnetConfig", "TestSupport"], swiftSettings: swiftSettings),
        .testTarget(
            name: "DeployersTests",
            dependencies: [
                "AsyncPrimitives", .product(name: "CoreMetrics", package: "swift-metrics"), .product(name: "Logging", package: "swift-log"),
                "ClipnetContracts",
                "Deployers", "PlatformEmulators", "HTTPTransport", "ClipnetJSON", "TestSupport",
                .product(name: "MetricsTestKit", package: "swift-metrics"),
                .product(name: "Crypto", package: "swift-crypto"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "WorkerEngineTests",
            dependencies: [
                "ClipnetConfig", "ClipnetContracts", "ClipnetFormats", .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"), "WorkerEngine", "AsyncPrimitives", "ClipnetLogging",
                "RedisClient", "PostgresClient", "HTTPTransport", "PlatformEmulators", "ClipnetJSON", "TestSupport",
                .product(name: "Prometheus", package: "swift-prometheus"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "ReconcilerTests",
            dependencies: [
                "ClipnetLogging", .product(name: "Logging", package: "swift-log"),
                "ClipnetContracts",
                "AsyncPrimitives",
                "Reconciler", "GitWatch", "KnownGoodStore", "TestSupport", "StagingSandbox", "PlatformEmulators", "ClipnetConfig",
                "Deployers", "DriftDetector", "ReconcilerHTTP", "ReconcilerTestSupport", "HTTPTransport", "ClipnetJSON",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "ClipnetLoggingTests", dependencies: [.product(name: "Logging", package: "swift-log"), "ClipnetLogging"],
            swiftSettings: swiftSettings),
        .testTarget(
            name: "ReconcilerHTTPTests",
            dependencies: [
                "DriftDetector", .product(name: "Hummingbird", package: "hummingbird"), .product(name: "Logging", package: "swift-log"),
                "ClipnetContracts",
                "AsyncPrimitives",
                "ReconcilerHTTP", "ReconcilerTestSupport", "Reconciler", "KnownGoodStore", "GitWatch", "TestSupport",
                "ClipnetLogging", "ClipnetJSON", "Deployers", "PlatformEmulators", "HTTPTransport",
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "Metrics", package: "swift-metrics"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "ReconcilerClientTests",
            dependencies: [
                .product(name: "Logging", package: "swift-log"),
                "ClipnetContracts",
                "AsyncPrimitives",
                "ReconcilerClient", "ReconcilerHTTP", "ReconcilerTestSupport", "Reconciler", "KnownGoodStore", "HTTPTransport",
                "TestSupport", "GitWatch", "ClipnetConfig",
                "PlatformEmulators",
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(name: "DriftDetectorTests", dependencies: ["ClipnetContracts", "DriftDetector"], swiftSettings: swiftSettings),
        .testTarget(
            name: "NotificationsTests",
            dependencies: [
                "Notifications", "ClipnetContracts", "KnownGoodStore", "PlatformEmulators", "HTTPTransport", "ClipnetJSON", "RolloutSimulation",
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "RolloutSimulationTests",
            dependencies: ["ClipnetContracts", "RolloutSimulation", "Reconciler", "KnownGoodStore", "Deployers"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "KnownGoodStoreTests",
            dependencies: [
                "AsyncPrimitives", .product(name: "Logging", package: "swift-log"), "PostgresClient", "ClipnetContracts", "KnownGoodStore",
                "TestSupport",
            ], swiftSettings: swiftSettings),
        // The tarball of `make dist`, unpacked and used from an empty folder.
        .testTarget(
            name: "DistributionTests",
            dependencies: ["ClipnetConfig", "AsyncPrimitives", "TestSupport"],
            swiftSettings: swiftSettings
        ),
    ]
)
