import Crypto

/// Comparisons of secrets that take the same time whatever the inputs, so response timing tells
/// an attacker nothing about how much of a guess was right.
enum ConstantTime {
    /// Whether two strings are equal, compared through their SHA-256 digests: fixed length (the
    /// comparison does not stop early and leaks no length), then every byte XORed together.
    static func equal(_ a: String, _ b: String) -> Bool {
        equalBytes(Array(SHA256.hash(data: Array(a.utf8))), Array(SHA256.hash(data: Array(b.utf8))))
    }

    /// Byte-wise comparison that always looks at every byte of equal-length inputs.
    static func equalBytes(_ a: [UInt8], _ b: [UInt8]) -> Bool {
        guard a.count == b.count else { return false }
        var difference: UInt8 = 0
        for index in a.indices { difference |= a[index] ^ b[index] }
        return difference == 0
    }
}
