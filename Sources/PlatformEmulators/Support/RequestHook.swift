import Synchronization

/// Something to do before each API request an emulator answers: the demo's sandbox uses it to
/// learn of commits pushed to its repository first, as GitHub tells Vercel and Railway of a push
/// before anyone can deploy it.
public final class RequestHook: Sendable {
    private let action = Mutex<(@Sendable () async -> Void)?>(nil)

    public init() {}

    public func set(_ body: (@Sendable () async -> Void)?) {
        action.withLock { $0 = body }
    }

    func run() async {
        if let body = action.withLock({ $0 }) { await body() }
    }
}
