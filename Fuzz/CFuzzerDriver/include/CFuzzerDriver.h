#include <stddef.h>
#include <stdint.h>

// libFuzzer's driver (compiler-rt); linked in by -sanitize=fuzzer. SwiftPM renames an
// executable's main, so the fuzz targets call the driver from their own main instead.
int LLVMFuzzerRunDriver(int *argc, char ***argv, int (*callback)(const uint8_t *data, size_t size));
