import Foundation

/// Runs each file (or each file of each folder) given through a fuzz entry point; what libFuzzer
/// would run, without libFuzzer, so a corpus and its regressions replay in any build.
public func replay(_ paths: some Sequence<String>, through entry: (UnsafePointer<UInt8>?, Int) -> Int32) {
    var count = 0
    for path in paths {
        var isFolder: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isFolder) else {
            FileHandle.standardError.write(Data("no such input: \(path)\n".utf8))
            exit(2)
        }
        let files = isFolder.boolValue
            ? ((try? FileManager.default.contentsOfDirectory(atPath: path)) ?? []).sorted().map { "\(path)/\($0)" }
            : [path]
        for file in files {
            guard let data = FileManager.default.contents(atPath: file) else { continue }
            let bytes = [UInt8](data)
            _ = bytes.withUnsafeBufferPointer { entry($0.baseAddress, $0.count) }
            count += 1
        }
    }
    print("replayed \(count) inputs")
}
