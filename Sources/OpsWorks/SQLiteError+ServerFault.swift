import AWSJSON
import CSQLite
import SQLite

/// What a client is told when the store fails: the kind of fault, never the SQL or the path.
/// Each write runs in one transaction, so a failed call has written nothing.
extension SQLiteError: ServerFaultDescribing {
    public var clientMessage: String {
        switch primaryCode {
        case SQLITE_FULL:
            "The emulator's database is full (disk full or size cap reached); nothing was written."
        case SQLITE_BUSY, SQLITE_LOCKED:
            "The emulator's database is locked by another process; nothing was written. Try again."
        case SQLITE_READONLY:
            "The emulator's database is read-only; nothing was written."
        case SQLITE_CORRUPT, SQLITE_NOTADB:
            "The emulator's database file is damaged."
        case SQLITE_IOERR, SQLITE_CANTOPEN:
            "The emulator could not read or write its database file."
        default:
            "The emulator's database failed to process the request."
        }
    }
}
