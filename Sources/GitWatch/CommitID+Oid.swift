internal import CGit2
import ClipnetContracts

/// The bridge between `CommitID` (the contracts' commit id) and libgit2's binary object id.
extension CommitID {
    init(oid: git_oid) {
        var oid = oid
        var buffer = [CChar](repeating: 0, count: Int(GIT_OID_HEXSZ) + 1)
        git_oid_fmt(&buffer, &oid)
        self.init(buffer.withUnsafeBufferPointer { String(cString: $0.baseAddress!) })!
    }

    var oid: git_oid {
        var oid = git_oid()
        _ = git_oid_fromstr(&oid, hex)
        return oid
    }
}
