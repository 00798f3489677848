/// Polls `condition` every 20 ms until it holds, for at most `limit`: for outcomes that depend on
/// another process, a retry interval or a background service. The limit is a guard against a
/// hung test, never a timing assertion.
public func eventually(within limit: Duration = .seconds(30), _ condition: () async throws -> Bool) async rethrows -> Bool {
    let deadline = ContinuousClock.now.advanced(by: limit)
    while ContinuousClock.now < deadline {
        if try await condition() { return true }
        try? await Task.sleep(for: .milliseconds(20))
    }
    return try await condition()
}
