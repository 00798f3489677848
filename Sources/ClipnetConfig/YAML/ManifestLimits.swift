/// Bounds on one YAML file (a manifest or the daemon configuration), checked before and while it
/// is parsed.
///
/// Why: a "billion laughs" alias bomb of a few hundred bytes expands to billions of nodes; it hung
/// `reconciler validate` and made every reconcile pass take minutes and gigabytes. Real manifests
/// are a few kilobytes, a few hundred nodes, less than ten levels deep and use no aliases, so the
/// defaults leave a wide margin. A file over a limit is refused with a `file:line:column`
/// diagnostic naming the limit.
public struct ManifestLimits: Sendable, Hashable {
    /// Largest file, in bytes.
    public var maximumBytes: Int
    /// Alias uses (`*name`) in one file.
    public var maximumAliases: Int
    /// Nodes (scalars, lists, mappings) after aliases are expanded.
    public var maximumNodes: Int
    /// Nesting of lists and mappings.
    public var maximumDepth: Int

    public static let defaults = ManifestLimits(maximumBytes: 1 << 20, maximumAliases: 100, maximumNodes: 100_000, maximumDepth: 64)

    public init(maximumBytes: Int, maximumAliases: Int, maximumNodes: Int, maximumDepth: Int) {
        self.maximumBytes = maximumBytes
        self.maximumAliases = maximumAliases
        self.maximumNodes = maximumNodes
        self.maximumDepth = maximumDepth
    }
}
