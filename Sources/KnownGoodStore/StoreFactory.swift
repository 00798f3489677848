public import Logging

/// Opens the backend a `StateStoreLocation` names.
public enum StoreFactory {
    public static func make(
        _ location: StateStoreLocation,
        logger: Logger = Logger(label: "clipnet.state")
    ) async throws -> any StateStore {
        switch location {
        case .file(let directory):
            return try FileStateStore(directory: directory, logger: logger)
        case .postgres(let url):
            return try await PostgresStateStore(url: url, logger: logger)
        }
    }
}
