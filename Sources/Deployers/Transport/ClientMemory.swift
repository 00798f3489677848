public import ClipnetContracts
import Synchronization

/// What a platform client remembers between calls, kept per platform account and project for the
/// whole process rather than per deployer value.
///
/// Why: the reconciler builds new deployers on every pass. A `Retry-After` must still hold on the
/// next pass (the request is never sent again earlier), the custom environment's id need not be
/// looked up again, and a Railway deployment this process created stays adoptable by its rollout.
final class ClientMemory: Sendable {
    let gate: RateLimitGate
    let customEnvironments = CustomEnvironmentCache()
    let created = CreatedDeployments()

    private init(gate: RateLimitGate) {
        self.gate = gate
    }

    private static let table = Mutex<[String: ClientMemory]>([:])

    /// The memory for `key` (platform, API base URL and project), made on first use.
    static func shared(_ key: String, scope: RateLimitGate.Scope) -> ClientMemory {
        table.withLock { table in
            if let memory = table[key] { return memory }
            let memory = ClientMemory(gate: RateLimitGate(scope: scope))
            table[key] = memory
            return memory
        }
    }
}

extension PlatformRequestCounter {
    private static let vercel = PlatformRequestCounter(platform: .vercel)
    private static let railway = PlatformRequestCounter(platform: .railway)

    /// The process-wide counter of `platform`: what deployers count into unless given another, so
    /// the status page can read the last hour however often deployers are rebuilt.
    public static func shared(for platform: Platform) -> PlatformRequestCounter {
        switch platform {
        case .vercel: return vercel
        case .railway: return railway
        }
    }
}
