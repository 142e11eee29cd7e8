#include <sqlite3.h>

/// sqlite3_config is variadic, which Swift cannot call; the one setting changed, wrapped.
/// Memory statistics take a global mutex on every allocation SQLite makes, for figures that
/// nothing here reads.
static inline int csqlite_disable_memory_statistics(void) {
    return sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
}
