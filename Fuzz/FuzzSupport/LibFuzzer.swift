#if FUZZING
import CFuzzerDriver

/// Hands the process to libFuzzer with `entry` as the target; returns libFuzzer's exit status.
public func runLibFuzzer(_ entry: @convention(c) (UnsafePointer<UInt8>?, Int) -> Int32) -> Int32 {
    var argc = CommandLine.argc
    var argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>? = CommandLine.unsafeArgv
    return LLVMFuzzerRunDriver(&argc, &argv, entry)
}
#endif
