public import Foundation

/// The request and answer bodies of the operator API's actions (schemas in docs/openapi.yaml):
/// the server decodes the requests and encodes the answers, the CLI the other way round.
///
/// Request fields are all optional at decoding, so the server reports a missing one as
/// `invalid_request` naming the field rather than as a JSON error.
public struct PinRequest: Codable, Sendable, Equatable {
    public var revision: String?
    public var reason: String?
    public var force: Bool?
    /// Who is acting, for the shared token only (a named token's name wins).
    public var by: String?

    public init(revision: String?, reason: String?, force: Bool? = nil, by: String? = nil) {
        self.revision = revision
        self.reason = reason
        self.force = force
        self.by = by
    }
}

public struct UnpinRequest: Codable, Sendable, Equatable {
    public var reason: String?
    public var by: String?

    public init(reason: String?, by: String? = nil) {
        self.reason = reason
        self.by = by
    }
}

public struct RollbackRequest: Codable, Sendable, Equatable {
    /// A known-good revision; nil for the previous known-good record.
    public var to: String?
    public var reason: String?
    public var by: String?

    public init(to: String?, reason: String?, by: String? = nil) {
        self.to = to
        self.reason = reason
        self.by = by
    }
}

/// `POST /promote`: a known-good revision of this environment for the next one.
public struct PromoteRequest: Codable, Sendable, Equatable {
    public var revision: String?
    public var reason: String?
    public var by: String?

    public init(revision: String?, reason: String?, by: String? = nil) {
        self.revision = revision
        self.reason = reason
        self.by = by
    }
}

/// What a promotion did: the branch the next environment follows now points at `revision`.
public struct Promotion: Codable, Sendable, Equatable {
    public var revision: String
    public var branch: String
    /// Where the branch was before (nil: the promotion created it).
    public var previous: String?
    public var at: Date

    public init(revision: String, branch: String, previous: String?, at: Date) {
        self.revision = revision
        self.branch = branch
        self.previous = previous
        self.at = at
    }
}

public struct CleanupPreviewRequest: Codable, Sendable, Equatable {
    /// Remove what is found; without it, only list.
    public var apply: Bool?
    public var by: String?

    public init(apply: Bool?, by: String? = nil) {
        self.apply = apply
        self.by = by
    }
}

public struct ReconcileRequest: Codable, Sendable, Equatable {
    public var retry: Bool?
    public var by: String?

    public init(retry: Bool?, by: String? = nil) {
        self.retry = retry
        self.by = by
    }
}

public struct ReconcileAnswer: Codable, Sendable, Equatable {
    public var requested: String
    public var retry: Bool

    public init(retry: Bool) {
        requested = "reconcile"
        self.retry = retry
    }
}

public struct PinAnswer: Codable, Sendable, Equatable {
    public var pin: PinRecord

    public init(pin: PinRecord) { self.pin = pin }
}

public struct UnpinAnswer: Codable, Sendable, Equatable {
    public var unpinned: Bool
    /// The branch the environment follows again.
    public var following: String

    public init(following: String) {
        unpinned = true
        self.following = following
    }
}

/// `POST /unmark`: the body is an unpin's (an optional reason and who).
public typealias UnmarkRequest = UnpinRequest

/// What `POST /unmark` cleared, and what the environment follows now.
public struct UnmarkAnswer: Codable, Sendable, Equatable {
    /// The deployment request that no longer marks a build (nil: none stood).
    public var cleared: DeploymentRequest?
    /// What decides the desired revision now (`pin`, `mark` for a tag's mark, or `branch`).
    public var source: StatusDocument.Desired.Source

    public init(cleared: DeploymentRequest?, source: StatusDocument.Desired.Source) {
        self.cleared = cleared
        self.source = source
    }
}

public struct RollbackAnswer: Codable, Sendable, Equatable {
    public var rolledBackTo: KnownGoodRecord

    public init(rolledBackTo: KnownGoodRecord) { self.rolledBackTo = rolledBackTo }
}

/// `GET /history`: entries newest first.
public struct HistoryAnswer: Codable, Sendable, Equatable {
    public var entries: [HistoryEntry]

    public init(entries: [HistoryEntry]) { self.entries = entries }
}

/// Every refusal of the operator API: `{"error":{"code","message"}}`. Messages are for people
/// and never carry a secret, a stack trace or a file path.
public struct ErrorAnswer: Codable, Sendable, Equatable {
    public struct Detail: Codable, Sendable, Equatable {
        /// Stable, for scripts (`invalid_request`, `insufficient_role`, ...).
        public var code: String
        public var message: String

        public init(code: String, message: String) {
            self.code = code
            self.message = message
        }
    }

    public var error: Detail

    public init(code: String, message: String) { error = Detail(code: code, message: message) }
}
