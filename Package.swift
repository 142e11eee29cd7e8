// swift-tools-version:6.0
import PackageDescription

let package = Package(
    name: "opsworks-local",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "opsworks-local", targets: ["opsworks-local"]),
        // The emulator in-process: a Swift test starts it on a free port and points an SDK at it.
        .library(name: "OpsWorksLocal", targets: ["OpsWorksLocal"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.0"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.0"),
    ],
    targets: [
        .systemLibrary(
            name: "CSQLite",
            pkgConfig: "sqlite3",
            providers: [.apt(["libsqlite3-dev"])]
        ),
        .target(name: "Threads"),
        .target(name: "SQLite", dependencies: ["CSQLite", "Threads"]),
        .target(name: "HTTPServer", dependencies: ["Threads", .product(name: "Logging", package: "swift-log")]),
        .target(name: "AWSJSON", dependencies: ["HTTPServer", .product(name: "Logging", package: "swift-log")]),
        .target(name: "OpsWorks", dependencies: ["AWSJSON", "HTTPServer", "SQLite", "CSQLite", "Threads", .product(name: "Logging", package: "swift-log")]),
        .target(
            name: "OpsWorksLocal",
            dependencies: ["OpsWorks", "AWSJSON", "HTTPServer", "Threads", .product(name: "Logging", package: "swift-log")]
        ),
        .executableTarget(
            name: "opsworks-local",
            dependencies: [
                "OpsWorksLocal", "OpsWorks",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        // libFuzzer targets (scripts/fuzz.sh builds them with -sanitize=fuzzer); in a normal build
        // they are replay tools that run a corpus through the same entry point.
        .target(name: "CFuzzerDriver", path: "Fuzz/CFuzzerDriver"),
        .target(name: "FuzzSupport", dependencies: ["CFuzzerDriver"], path: "Fuzz/FuzzSupport"),
        .executableTarget(name: "fuzz-http-parser", dependencies: ["HTTPServer", "FuzzSupport"], path: "Fuzz/HTTPParserFuzzer"),
        .executableTarget(
            name: "fuzz-request-path",
            dependencies: ["OpsWorksLocal", "OpsWorks", "AWSJSON", "HTTPServer", "FuzzSupport", .product(name: "Logging", package: "swift-log")],
            path: "Fuzz/RequestPathFuzzer"
        ),
        .testTarget(name: "SQLiteTests", dependencies: ["SQLite"]),
        .testTarget(name: "HTTPServerTests", dependencies: ["HTTPServer"]),
        .testTarget(name: "AWSJSONTests", dependencies: ["AWSJSON", "HTTPServer"]),
        .testTarget(name: "OpsWorksTests", dependencies: ["OpsWorks", "AWSJSON", "SQLite"]),
        // A user's test, in the shape of the README's example: the library product and nothing else.
        .testTarget(name: "OpsWorksLocalTests", dependencies: ["OpsWorksLocal"]),
        .testTarget(
            name: "EndToEndTests",
            dependencies: ["opsworks-local", "OpsWorksLocal", "OpsWorks", "HTTPServer", .product(name: "Logging", package: "swift-log")]
        ),
    ]
)

// One set of settings for every target: Swift 6 language mode everywhere. No unsafe flags: SwiftPM
// refuses them in a package used as a dependency, and OpsWorksLocal is a library product.
for target in package.targets where target.type != .system && target.name != "CFuzzerDriver" {
    target.swiftSettings = (target.swiftSettings ?? []) + [.swiftLanguageMode(.v6)]
}
