// swift-tools-version:6.0
import PackageDescription

// One target per box of DESIGN.md. Data flows one way:
// Kafka -> decode -> operators -> encode -> Kafka; no module reaches back up.
let swift5: [SwiftSetting] = [.swiftLanguageMode(.v5)]

let package = Package(
    name: "weir",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "weir", targets: ["weir"]),
        .library(name: "WeirEngine", targets: ["WeirEngine"]),
        .library(name: "WeirPipelines", targets: ["WeirPipelines"]),
        .library(name: "WeirJobs", targets: ["WeirJobs"]),
        .library(name: "WeirTesting", targets: ["WeirTesting"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/apple/swift-log", from: "1.6.0"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.6.0"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.0.0"),
        .package(url: "https://github.com/swift-server/async-http-client", from: "1.37.0"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.0"),
        .package(url: "https://github.com/apple/swift-nio-ssl", from: "2.37.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
    ],
    targets: [
        .systemLibrary(name: "CRdKafka", pkgConfig: "rdkafka", providers: [.apt(["librdkafka-dev"])]),
        .systemLibrary(name: "CAvro", pkgConfig: "avro-c", providers: [.apt(["libavro-dev"])]),
        .systemLibrary(name: "CYajl", pkgConfig: "yajl", providers: [.apt(["libyajl-dev"])]),
        .systemLibrary(name: "CZstd", pkgConfig: "libzstd", providers: [.apt(["libzstd-dev"])]),
        .systemLibrary(name: "CSnappy", pkgConfig: "snappy", providers: [.apt(["libsnappy-dev"])]),
        .target(name: "WeirKafka", dependencies: ["CRdKafka", .product(name: "Logging", package: "swift-log")],
                swiftSettings: swift5),
        .target(name: "WeirFormats", dependencies: [
            "CYajl", "CAvro",
            .product(name: "AsyncHTTPClient", package: "async-http-client"),
            .product(name: "NIOCore", package: "swift-nio"),
            .product(name: "NIOHTTP1", package: "swift-nio"),
            .product(name: "NIOSSL", package: "swift-nio-ssl"),
            .product(name: "Logging", package: "swift-log"),
        ], swiftSettings: swift5),
        // The embedded Confluent-compatible schema registry (an HTTP server), kept
        // out of WeirFormats so the codec module every task links carries no server.
        .target(name: "WeirSchemaRegistry", dependencies: [
            "WeirFormats",
            .product(name: "Hummingbird", package: "hummingbird"),
            .product(name: "HummingbirdCore", package: "hummingbird"),
            .product(name: "HummingbirdTLS", package: "hummingbird"),
            .product(name: "NIOSSL", package: "swift-nio-ssl"),
            .product(name: "Logging", package: "swift-log"),
            .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
        ], swiftSettings: swift5),
        .target(name: "WeirEngine", dependencies: [
            "WeirKafka", "WeirFormats", "WeirParquet",
            .product(name: "Logging", package: "swift-log"),
            .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
        ], swiftSettings: swift5),
        .target(name: "WeirPipelines", dependencies: ["WeirEngine", "WeirFormats", "WeirKafka", "Yams"],
                swiftSettings: swift5),
        // The job manager: job lifecycle and ids, and what running a pipeline takes
        // (its jobs, drain, start-up report, savepoint trigger), shared by `weir run`,
        // `weir dev` and `weir serve`. New modules use Swift 6 language mode.
        .target(name: "WeirJobs", dependencies: [
            "WeirEngine", "WeirPipelines", "WeirKafka",
            .product(name: "Logging", package: "swift-log"),
            .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            .product(name: "UnixSignals", package: "swift-service-lifecycle"),
        ]),
        // Pipeline tests (`weir test`): test files run through `PipelineTestDriver`
        // (WeirEngine), compared, reported (text, JUnit) and updated (golden files).
        .target(name: "WeirTesting", dependencies: ["WeirEngine", "WeirPipelines", "WeirFormats", "WeirKafka"]),
        // The REST API (and, next, metrics and the web UI) over the job manager.
        .target(name: "WeirServer", dependencies: [
            "WeirJobs", "WeirEngine", "WeirKafka", "WeirFormats",
            .product(name: "Hummingbird", package: "hummingbird"),
            .product(name: "HummingbirdCore", package: "hummingbird"),
            .product(name: "HummingbirdTLS", package: "hummingbird"),
            .product(name: "NIOSSL", package: "swift-nio-ssl"),
            .product(name: "Prometheus", package: "swift-prometheus"),
            .product(name: "Logging", package: "swift-log"),
            .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
        ]),
        // The Parquet writer, written from the specification; depends on nothing of
        // Weir's (only the compressors), so it builds and tests on its own.
        // Its column writers are classes whose buffers are appended to per value;
        // dynamic exclusivity checks on them cost a third of the write time, and
        // no method re-enters another, so they are compiled out.
        .target(name: "WeirParquet", dependencies: ["CZstd", "CSnappy"],
                swiftSettings: [.unsafeFlags(["-enforce-exclusivity=unchecked"])]),
        // Release-build benchmark and file generator for the independent readers.
        .executableTarget(name: "parquet-bench", dependencies: ["WeirParquet"]),
        .executableTarget(name: "weir", dependencies: [
            "WeirPipelines", "WeirEngine", "WeirJobs", "WeirServer", "WeirKafka", "WeirFormats", "WeirSchemaRegistry", "WeirTesting",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
            .product(name: "Logging", package: "swift-log"),
            .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            .product(name: "UnixSignals", package: "swift-service-lifecycle"),
            .product(name: "AsyncHTTPClient", package: "async-http-client"),
            .product(name: "NIOCore", package: "swift-nio"),
            .product(name: "NIOHTTP1", package: "swift-nio"),
        ], swiftSettings: swift5),
        .testTarget(name: "WeirKafkaTests", dependencies: ["WeirKafka"], swiftSettings: swift5),
        .testTarget(name: "WeirFormatsTests", dependencies: ["WeirFormats", "WeirSchemaRegistry", "CAvro"], swiftSettings: swift5),
        .testTarget(name: "WeirSchemaRegistryTests", dependencies: ["WeirSchemaRegistry", "WeirFormats"], swiftSettings: swift5),
        .testTarget(name: "WeirEngineTests", dependencies: ["WeirEngine", "WeirKafka", "WeirFormats"], exclude: ["reference"], swiftSettings: swift5),
        .testTarget(name: "WeirPipelinesTests", dependencies: ["WeirPipelines", "WeirEngine", "WeirFormats"], swiftSettings: swift5),
        .testTarget(name: "WeirJobsTests", dependencies: ["WeirJobs", "WeirEngine", "WeirKafka", "WeirPipelines"]),
        .testTarget(name: "WeirTestingTests", dependencies: ["WeirTesting", "WeirEngine", "WeirPipelines", "WeirFormats", "WeirKafka"]),
        .testTarget(name: "WeirParquetTests", dependencies: ["WeirParquet"]),
        .testTarget(name: "WeirServerTests", dependencies: ["WeirServer", "WeirJobs", "WeirEngine"]),
        .testTarget(name: "weirTests", dependencies: ["WeirPipelines", "WeirEngine", "WeirJobs", "WeirKafka", "WeirFormats", "WeirSchemaRegistry"], exclude: ["reference", "interop"], swiftSettings: swift5),
    ]
)
