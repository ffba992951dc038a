// swift-tools-version:6.1
import PackageDescription

// Strict, explicit code everywhere: Swift 6 language mode is the default for tools 6.x.
let settings: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
]

let package = Package(
    name: "Railyard",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "railyard", targets: ["railyard"]),
        .library(name: "Money", targets: ["Money"]),
        .library(name: "Ledger", targets: ["Ledger"]),
        .library(name: "Crypto", targets: ["RailyardCrypto"]),
        // x402 paywall middleware, facilitator clients and the paying client, for any Hummingbird app.
        .library(name: "X402", targets: ["X402"]),
    ],
    dependencies: [
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", from: "2.28.1"),
        .package(url: "https://github.com/hummingbird-project/hummingbird-auth.git", from: "2.5.0"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-crypto.git", from: "4.5.2"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-metrics.git", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus.git", from: "2.4.1"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/async-http-client.git", from: "1.37.0"),
        .package(url: "https://github.com/vapor/sql-kit.git", from: "3.36.0"),
        .package(url: "https://github.com/vapor/postgres-kit.git", from: "2.17.0"),
        .package(url: "https://github.com/vapor/jwt-kit.git", from: "5.8.0"),
        .package(url: "https://github.com/apple/swift-http-types.git", from: "1.8.0"),
        // Already built for Hummingbird; named here only for the benchmark's raw NIO floor.
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
    ],
    targets: [
        // MARK: kernel
        .target(name: "Money", swiftSettings: settings),
        .systemLibrary(name: "CSecp256k1", pkgConfig: "libsecp256k1", providers: [.apt(["libsecp256k1-dev"])]),
        .systemLibrary(name: "CQREncode", pkgConfig: "libqrencode", providers: [.apt(["libqrencode-dev"])]),
        .systemLibrary(name: "CSQLite3", pkgConfig: "sqlite3", providers: [.apt(["libsqlite3-dev"])]),
        .target(
            name: "RailyardCrypto",
            dependencies: ["CSecp256k1", .product(name: "Crypto", package: "swift-crypto")],
            path: "Sources/Crypto",
            swiftSettings: settings
        ),
        .target(
            name: "Storage",
            dependencies: [
                "CSQLite3",
                .product(name: "SQLKit", package: "sql-kit"),
                .product(name: "PostgresKit", package: "postgres-kit"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: settings
        ),
        .target(
            name: "Ledger",
            dependencies: ["Money", "Storage", .product(name: "Crypto", package: "swift-crypto")],
            swiftSettings: settings
        ),
        .target(
            name: "Chains",
            dependencies: [
                "Money", "Storage", "RailyardCrypto",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: settings
        ),
        .target(
            name: "X402",
            dependencies: [
                "Chains", "RailyardCrypto", "Storage", "Ledger", "Money", "HTTP", "Events",
                .product(name: "SQLKit", package: "sql-kit"), .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"), .product(name: "HTTPTypes", package: "swift-http-types"),
            ],
            swiftSettings: settings
        ),
        .target(
            name: "Events",
            dependencies: [
                "Storage",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: settings
        ),
        .target(
            name: "HTTP",
            dependencies: [
                "Money", "Storage", "CQREncode",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdCore", package: "hummingbird"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "JWTKit", package: "jwt-kit"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
            ],
            swiftSettings: settings
        ),
        // MARK: features
        .target(
            name: "Merchants",
            dependencies: [
                "Money", "Ledger", "Storage", "Events", "HTTP", "RailyardCrypto",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdBcrypt", package: "hummingbird-auth"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
            ],
            swiftSettings: settings
        ),
        .target(
            name: "Payments",
            dependencies: [
                "Chains", "RailyardCrypto", "Storage", "Ledger", "Money", "HTTP", "Events",
                .product(name: "SQLKit", package: "sql-kit"), .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: settings
        ),
        // MARK: composition
        .target(
            name: "App",
            dependencies: [
                "Money", "Ledger", "Storage", "Events", "HTTP", "Merchants", "Chains", "X402", "Payments",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
            ],
            swiftSettings: settings
        ),
        .executableTarget(
            name: "railyard",
            dependencies: [
                "App", "Ledger", "Storage", "RailyardCrypto",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
            ],
            swiftSettings: settings
        ),
        // MARK: benchmarks (run with Benchmarks/run.sh)
        .executableTarget(
            name: "RailyardBench",
            dependencies: [
                "App", "HTTP", "Ledger", "Storage", "RailyardCrypto", "CSecp256k1", "CSQLite3", "X402",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "NIOCore", package: "swift-nio"), .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ],
            path: "Benchmarks/RailyardBench",
            swiftSettings: settings
        ),
        // MARK: tests
        .target(
            name: "TestSupport",
            dependencies: [
                "Storage",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            path: "Tests/Support",
            swiftSettings: settings
        ),
        .testTarget(name: "MoneyTests", dependencies: ["Money"], swiftSettings: settings),
        .testTarget(name: "CryptoTests", dependencies: ["RailyardCrypto"], swiftSettings: settings),
        .testTarget(
            name: "EventsTests",
            dependencies: [
                "Events", "Storage", "TestSupport",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Crypto", package: "swift-crypto"),
            ],
            swiftSettings: settings
        ),
        .testTarget(
            name: "ChainsTests",
            dependencies: [
                "Chains", "Storage", "Money", "TestSupport", "RailyardCrypto",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Crypto", package: "swift-crypto"),
            ],
            swiftSettings: settings
        ),
        .testTarget(
            name: "X402Tests",
            dependencies: [
                "X402", "Chains", "Storage", "RailyardCrypto", "TestSupport", "Ledger", "Money", "Events", .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Hummingbird", package: "hummingbird"), .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
            ],
            swiftSettings: settings
        ),
        .testTarget(
            name: "HarnessTests",
            dependencies: ["RailyardCrypto", .product(name: "AsyncHTTPClient", package: "async-http-client")],
            swiftSettings: settings
        ),
        .testTarget(name: "StorageTests", dependencies: ["Storage", "TestSupport", .product(name: "SQLKit", package: "sql-kit")], swiftSettings: settings),
        .testTarget(name: "LedgerTests", dependencies: ["Ledger", "Storage", "Money", "TestSupport"], swiftSettings: settings),
        .testTarget(
            name: "AppTests",
            dependencies: [
                "App", "Merchants", "Events", "HTTP", "Ledger", "Storage", "Money", "TestSupport", "Chains", "RailyardCrypto", "X402", "Payments",
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Crypto", package: "swift-crypto"),
            ],
            swiftSettings: settings
        ),
    ]
)
