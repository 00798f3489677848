/// What `reconciler cleanup-preview` found and removed: the variables an earlier version of the
/// reconciler wrote to Vercel's `preview` target for a custom environment (staging), where every
/// pull-request preview could read them. Keys and ids only, never values.
public struct PreviewCleanup: Codable, Sendable, Equatable {
    public struct Variable: Codable, Sendable, Equatable {
        public var key: String
        /// The env variable's id (`env_…`).
        public var id: String
        public var type: String?
        /// Why it is taken to be the reconciler's own: `managedComment`, `sameValue` or
        /// `sameKeyAndType`.
        public var evidence: String

        public init(key: String, id: String, type: String?, evidence: String) {
            self.key = key
            self.id = id
            self.type = type
            self.evidence = evidence
        }
    }

    /// The revision whose manifest declared the variables compared against.
    public var revision: String?
    /// The leftovers found before anything was removed.
    public var found: [Variable]
    /// What was removed (empty unless `applied`).
    public var removed: [Variable]
    public var applied: Bool

    public init(revision: String?, found: [Variable], removed: [Variable], applied: Bool) {
        self.revision = revision
        self.found = found
        self.removed = removed
        self.applied = applied
    }
}
