// swift-tools-version:6.0
import PackageDescription

let package = Package(
    name: "opsworks-local",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "opsworks-local", targets: ["opsworks-local"]),
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
        .target(name: "SQLite", dependencies: ["CSQLite"]),
        .target(name: "HTTPServer", dependencies: [.product(name: "Logging", package: "swift-log")]),
        .target(name: "AWSJSON", dependencies: ["HTTPServer", .product(name: "Logging", package: "swift-log")]),
        .target(name: "OpsWorks", dependencies: ["AWSJSON", "HTTPServer", "SQLite", .product(name: "Logging", package: "swift-log")]),
        .executableTarget(
            name: "opsworks-local",
            dependencies: [
                "OpsWorks", "HTTPServer",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .testTarget(name: "SQLiteTests", dependencies: ["SQLite"]),
        .testTarget(name: "HTTPServerTests", dependencies: ["HTTPServer"]),
        .testTarget(name: "AWSJSONTests", dependencies: ["AWSJSON"]),
        .testTarget(name: "OpsWorksTests", dependencies: ["OpsWorks", "AWSJSON", "SQLite"]),
        .testTarget(name: "EndToEndTests", dependencies: ["opsworks-local"]),
    ]
)

// One set of settings for every target: Swift 6 language mode everywhere.
for target in package.targets where target.type != .system {
    target.swiftSettings = (target.swiftSettings ?? []) + [.swiftLanguageMode(.v6)]
}
