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

/// A loopback port nobody listens on: bound to learn a free number, then closed.
func closedLoopbackPort() throws -> Int {
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    guard fd >= 0 else { throw POSIXError(.EIO) }
    defer { close(fd) }
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    address.sin_port = 0
    var length = socklen_t(MemoryLayout<sockaddr_in>.size)
    let bound = withUnsafeMutablePointer(to: &address) { pointer in
        pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { socketAddress in
            bind(fd, socketAddress, length) == 0 && getsockname(fd, socketAddress, &length) == 0
        }
    }
    guard bound else { throw POSIXError(.EADDRINUSE) }
    return Int(UInt16(bigEndian: address.sin_port))
}
