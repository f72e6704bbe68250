// swift-tools-version:6.1
import PackageDescription

let package = Package(
    name: "fleet-mcp",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "fleet-mcp", targets: ["fleet-mcp"]),
        .library(name: "CoderAPI", targets: ["CoderAPI"]),
        .library(name: "Fleet", targets: ["Fleet"]),
        .library(name: "FleetMCP", targets: ["FleetMCP"]),
        .library(name: "CoderSandbox", targets: ["CoderSandbox"]),
        .library(name: "FleetHTTP", targets: ["FleetHTTP"]),
    ],
    dependencies: [
        .package(url: "https://github.com/modelcontextprotocol/swift-sdk", exact: "0.12.1"),
        .package(url: "https://github.com/swift-server/async-http-client", exact: "1.37.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", exact: "2.28.1"),
        .package(url: "https://github.com/apple/swift-argument-parser", exact: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log", exact: "1.16.2"),
        .package(url: "https://github.com/jpsim/Yams", exact: "6.2.2"),
        .package(url: "https://github.com/apple/swift-http-types", exact: "1.8.0"),
        .package(url: "https://github.com/onevcat/Rainbow", exact: "4.2.2"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", exact: "2.13.0"),
        .package(url: "https://github.com/apple/swift-metrics", exact: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus", exact: "2.4.1"),
        .package(url: "https://github.com/vapor/jwt-kit", exact: "5.8.0"),
        .package(url: "https://github.com/apple/swift-crypto", exact: "4.5.2"),
        .package(url: "https://github.com/x-sheep/swift-property-based", exact: "2.0.1"),
    ],
    targets: [
        // Coder's wire types, the HTTP client, and the transport seam (live / replay / record).
        .target(
            name: "CoderAPI",
            dependencies: [
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Yams", package: "Yams"),
            ]
        ),
        // The domain: projects, roles, agents, tasks, pull requests — built on CoderAPI.
        .target(
            name: "Fleet",
            dependencies: ["CoderAPI", .product(name: "Logging", package: "swift-log")]
        ),
        // The MCP surface: tool definitions and the server wiring.
        .target(
            name: "FleetMCP",
            dependencies: [
                "Fleet", "CoderAPI",
                .product(name: "MCP", package: "swift-sdk"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        // The embedded Coder-compatible server with simulated Claude Code agents.
        .target(
            name: "CoderSandbox",
            dependencies: [
                "CoderAPI",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Yams", package: "Yams"),
            ]
        ),
        // MCP Streamable HTTP for a team: per-user identity (token hashes, OAuth JWTs), health, metrics, shutdown.
        .target(
            name: "FleetHTTP",
            dependencies: [
                "CoderAPI", "Fleet", "FleetMCP",
                .product(name: "MCP", package: "swift-sdk"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "JWTKit", package: "jwt-kit"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Yams", package: "Yams"),
            ]
        ),
        // Fleet events to webhooks (JSON, Slack, ntfy: one NotificationSink each), with a delivery state file.
        .target(
            name: "FleetNotify",
            dependencies: ["CoderAPI", "Fleet", .product(name: "Logging", package: "swift-log")]
        ),
        // The command line: serve, sandbox, demo.
        .target(
            name: "FleetCLI",
            dependencies: [
                "CoderAPI", "Fleet", "FleetMCP", "CoderSandbox", "FleetHTTP", "FleetNotify",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "MCP", package: "swift-sdk"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Rainbow", package: "Rainbow"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
            ]
        ),
        .executableTarget(name: "fleet-mcp", dependencies: ["FleetCLI", "CMallocTuning"]),
        // glibc's mallopt for the executable (Swift's Glibc module does not export malloc.h).
        .target(name: "CMallocTuning"),
        // Latency, Coder requests and bytes per tool call, by fleet size, beside the reference: Scripts/bench.sh.
        .executableTarget(
            name: "fleet-bench",
            dependencies: [
                "CoderAPI", "FleetMCP", "CoderSandbox",
                .product(name: "MCP", package: "swift-sdk"), .product(name: "Logging", package: "swift-log"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .testTarget(
            name: "CoderAPITests",
            dependencies: [
                "CoderAPI",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "PropertyBased", package: "swift-property-based"),
            ]
        ),
        .testTarget(
            name: "FleetTests",
            dependencies: ["Fleet", "CoderAPI"]
        ),
        .testTarget(
            name: "CoderSandboxTests",
            dependencies: [
                "CoderSandbox", "CoderAPI",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
            ]
        ),
        .testTarget(
            name: "FleetCLITests",
            dependencies: ["FleetCLI", "FleetNotify", "CoderAPI", "Fleet"]
        ),
        .testTarget(
            name: "FleetHTTPTests",
            dependencies: [
                "FleetHTTP", "FleetMCP", "Fleet", "CoderAPI", "CoderSandbox",
                .product(name: "MCP", package: "swift-sdk"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "JWTKit", package: "jwt-kit"),
                .product(name: "Crypto", package: "swift-crypto"),
            ]
        ),
        .testTarget(
            name: "FleetMCPTests",
            dependencies: [
                "CoderAPI", "Fleet", "FleetMCP", "CoderSandbox",
                .product(name: "MCP", package: "swift-sdk"),
            ],
            exclude: ["__snapshots__"]
        ),
    ]
)
