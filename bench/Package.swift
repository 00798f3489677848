// swift-tools-version:6.1
// The CLIPNET benchmarks (docs/benchmarks.md): executables of their own package, so the product
// package ships no benchmark or test machinery. Build from the repository root with
// `swift build --package-path bench -c release --product NAME`; the scripts beside this file do.
import PackageDescription

/// The root package's settings (see there).
let swiftSettings: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("MemberImportVisibility"),
    .enableUpcomingFeature("InternalImportsByDefault"),
]

/// The root package's products, by the name given to its path dependency below (not the checkout
/// directory's name, which is the dependency's identity and may be anything).
let clipnet = "clipnet-reconciler"

let package = Package(
    name: "clipnet-benchmarks",
    platforms: [.macOS(.v15)],
    dependencies: [
        .package(name: clipnet, path: ".."),
        .package(url: "https://github.com/apple/swift-log", from: "1.6.0"),
        .package(url: "https://github.com/apple/swift-metrics", from: "2.5.0"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.6.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.0.0"),
        .package(url: "https://github.com/apple/swift-crypto", from: "3.0.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.0.0"),
    ],
    targets: [
        // The rollout machine's deterministic simulation, many random sequences (`make simulate`).
        .executableTarget(
            name: "Simulate",
            dependencies: [.product(name: "ClipnetReconcilerModules", package: clipnet)],
            path: "simulate",
            swiftSettings: swiftSettings
        ),
        .executableTarget(
            name: "FoundationBench",
            dependencies: [
                .product(name: "ClipnetLibraryWrappers", package: clipnet),
                .product(name: "ClipnetReconcilerModules", package: clipnet),
            ],
            path: "FoundationBench",
            swiftSettings: swiftSettings
        ),

        // Thousands of git fetches with resident memory sampled (bench/git-soak).
        .executableTarget(
            name: "GitSoakBench",
            dependencies: [.product(name: "ClipnetLibraryWrappers", package: clipnet)],
            path: "git-soak",
            swiftSettings: swiftSettings
        ),

        .executableTarget(
            name: "WorkerBench",
            dependencies: [
                .product(name: "ClipnetWorkerModules", package: clipnet),
                .product(name: "ClipnetLibraryWrappers", package: clipnet),
                .product(name: "Logging", package: "swift-log"),
            ],
            path: "worker-bench",
            swiftSettings: swiftSettings
        ),

        .executableTarget(
            name: "ReconcilerBench",
            dependencies: [
                .product(name: "ClipnetReconcilerModules", package: clipnet),
                .product(name: "ClipnetLibraryWrappers", package: clipnet),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            path: "reconciler-bench",
            swiftSettings: swiftSettings
        ),
        .executableTarget(
            name: "PlatformBudgetBench",
            dependencies: [
                .product(name: "ClipnetReconcilerModules", package: clipnet),
                .product(name: "Logging", package: "swift-log"),
            ],
            path: "platform-budget",
            swiftSettings: swiftSettings
        ),
        .executableTarget(
            name: "OperatorBench",
            dependencies: [
                .product(name: "ClipnetReconcilerModules", package: clipnet),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
            ],
            path: "operator-bench",
            swiftSettings: swiftSettings
        ),
        .executableTarget(
            name: "BareMetricsServer",
            dependencies: [
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Logging", package: "swift-log"),
            ],
            path: "bare-metrics-server",
            swiftSettings: swiftSettings
        ),
        .executableTarget(
            name: "BareServerWithCLibraries",
            dependencies: [
                .product(name: "ClipnetLibraryWrappers", package: clipnet),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Logging", package: "swift-log"),
            ],
            path: "bare-server-c-libraries",
            swiftSettings: swiftSettings
        ),
    ]
)
