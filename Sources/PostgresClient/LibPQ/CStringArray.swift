/// Calls `body` with an array of C strings (`const char * const *` for libpq), NULL where the
/// element is nil. The copies live exactly as long as the call.
func withCStringArray<Result>(
    _ strings: [String?], _ body: ([UnsafePointer<CChar>?]) throws -> Result
) rethrows -> Result {
    let copies: [UnsafeMutablePointer<CChar>?] = strings.map { string in
        guard let string else { return nil }
        let bytes = string.utf8CString
        let copy = UnsafeMutablePointer<CChar>.allocate(capacity: bytes.count)
        bytes.withUnsafeBufferPointer { copy.initialize(from: $0.baseAddress!, count: bytes.count) }
        return copy
    }
    defer {
        for copy in copies { copy?.deallocate() }
    }
    return try body(copies.map { $0.map { UnsafePointer($0) } })
}

extension String {
    /// libpq takes C strings, which end at the first NUL: a NUL inside would silently cut the
    /// value short, so it is refused instead.
    var containsNUL: Bool { utf8.contains(0) }
}
