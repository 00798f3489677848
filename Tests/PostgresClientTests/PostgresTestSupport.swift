import Foundation
import PostgresClient
import TestSupport

/// The throwaway server's URL (from scripts/with-test-services.sh); throws when it is missing,
/// so these tests fail loudly instead of skipping.
func serverURL() throws -> String {
    try TestServices.postgresURL()
}

func connect(options: PostgresConnection.Options = .init()) async throws -> PostgresConnection {
    try await PostgresConnection.connect(url: try serverURL(), options: options)
}

/// A table name no other test uses.
func uniqueTableName() -> String {
    "t_" + UUID().uuidString.prefix(8).lowercased()
}

/// The server URL with `password` put in as the user's password, or with the path replaced.
func serverURL(password: String? = nil, database: String? = nil, port: Int? = nil) throws -> String {
    var components = URLComponents(string: try serverURL())!
    if let password { components.password = password }
    if let database { components.path = "/" + database }
    if let port { components.port = port }
    return components.string!
}
