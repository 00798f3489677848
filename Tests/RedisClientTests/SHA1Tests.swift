import RedisClient
import Testing

/// RedisScript names scripts by SHA-1, which must match what Redis computes, or every EVALSHA
/// would miss and reload the script.
@Suite struct SHA1Tests {
    @Test(arguments: [
        ("", "da39a3ee5e6b4b0d3255bfef95601890afd80709"),
        ("abc", "a9993e364706816aba3e25717850c26c9cd0d89d"),
        ("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq", "84983e441c3bd26ebaae4aa1f95129e5e54670f1"),
        ("return 1", "e0e1f9fabfc9d4800c877a703b823ac0578ff8db"),
    ])
    func scriptHashMatchesKnownVectors(source: String, expected: String) {
        #expect(RedisScript(source).sha1 == expected)
    }
}
