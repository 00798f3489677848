import Dispatch
import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The many spellings of one host, reduced to what they connect to.
///
/// Why: the isolation checks compared host text, so `localhost`, `127.1`, `2130706433`,
/// `0x7f000001`, `127.000.000.001` and `[::ffff:127.0.0.1]` all passed for production's
/// `127.0.0.1`, and a staging worker wrote into production's Redis. Every spelling is read the way
/// a resolver would read it (`inet_aton`'s forms, IPv4-mapped IPv6), and, where a value is
/// ambiguous (`010.0.0.1` is 8.0.0.1 to `inet_aton` and 10.0.0.1 to other parsers), every reading
/// counts: the checks fail closed.
///
/// Loopback: every address of 127.0.0.0/8, `0.0.0.0`, `::1`, `::` and `localhost` (and names
/// under `.localhost`) reach the same machine, so each of them reads as all of them.
enum HostSpelling {
    /// The loopback readings every loopback spelling stands for.
    static let loopback: Set<String> = ["127.0.0.1", "[::1]", "localhost", "0.0.0.0"]

    /// Every host text `host` can mean, itself included: canonical IPv4 dotted quads, canonical
    /// bracketed IPv6, or the lowercased name. `host` as `Endpoint` keeps it (lowercase, IPv6 in
    /// brackets).
    static func readings(_ host: String) -> Set<String> {
        var result: Set<String> = [host]
        if host.hasPrefix("["), host.hasSuffix("]") {
            let literal = String(host.dropFirst().dropLast())
            if let bytes = ipv6(literal) {
                if let mapped = ipv4Mapped(bytes) {
                    result.insert(mapped)
                } else {
                    result.insert("[\(ipv6Text(bytes))]")
                }
            }
        } else {
            result.formUnion(ipv4Readings(host))
        }
        if result.contains(where: isLoopback) { result.formUnion(loopback) }
        return result
    }

    /// Whether a reading (as `readings` makes them) is a loopback host.
    static func isLoopback(_ reading: String) -> Bool {
        if reading == "localhost" || reading.hasSuffix(".localhost") { return true }
        if reading == "[::1]" || reading == "[::]" || reading == "0.0.0.0" { return true }
        if let first = reading.split(separator: ".").first, first == "127", ipv4Readings(reading).contains(reading) { return true }
        return false
    }

    // MARK: IPv4

    /// The dotted quads `text` can mean: as `inet_aton` reads it (1 to 4 parts, each decimal,
    /// octal with a leading 0 or hex with 0x; the last part fills the remaining bytes) and, when
    /// leading zeros are present, as plain decimal too. Empty when it is no IPv4 address.
    static func ipv4Readings(_ text: String) -> Set<String> {
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        guard (1...4).contains(parts.count), parts.allSatisfy({ !$0.isEmpty && $0.count <= 12 }) else { return [] }
        var result: Set<String> = []
        if let value = ipv4Value(parts, octal: true) { result.insert(dottedQuad(value)) }
        if parts.contains(where: { $0.count > 1 && $0.hasPrefix("0") && !$0.lowercased().hasPrefix("0x") }),
            let value = ipv4Value(parts, octal: false)
        {
            result.insert(dottedQuad(value))
        }
        return result
    }

    private static func ipv4Value(_ parts: [Substring], octal: Bool) -> UInt32? {
        var numbers: [UInt64] = []
        for part in parts {
            let lower = part.lowercased()
            let number: UInt64?
            if lower.hasPrefix("0x") {
                let digits = lower.dropFirst(2)
                number = digits.isEmpty ? 0 : UInt64(digits, radix: 16)
            } else if octal, lower.count > 1, lower.hasPrefix("0") {
                number = UInt64(lower.dropFirst(), radix: 8)
            } else {
                number = lower.allSatisfy(\.isASCII) ? UInt64(lower, radix: 10) : nil
            }
            guard let number else { return nil }
            numbers.append(number)
        }
        let leading = numbers.dropLast()
        guard leading.allSatisfy({ $0 <= 255 }), let last = numbers.last else { return nil }
        let lastLimit: UInt64 = [0xFFFF_FFFF, 0xFF_FFFF, 0xFFFF, 0xFF][leading.count]
        guard last <= lastLimit else { return nil }
        var value: UInt64 = 0
        for (index, number) in leading.enumerated() { value |= number << (24 - 8 * UInt64(index)) }
        return UInt32(value | last)
    }

    private static func dottedQuad(_ value: UInt32) -> String {
        "\(value >> 24).\((value >> 16) & 0xFF).\((value >> 8) & 0xFF).\(value & 0xFF)"
    }

    // MARK: IPv6

    private static func ipv6(_ literal: String) -> [UInt8]? {
        // A zone (`%eth0`) does not change the address.
        let address = literal.split(separator: "%", maxSplits: 1).first.map(String.init) ?? literal
        var storage = in6_addr()
        guard inet_pton(AF_INET6, address, &storage) == 1 else { return nil }
        return withUnsafeBytes(of: &storage) { Array($0) }
    }

    /// `::ffff:a.b.c.d` (mapped) and `::a.b.c.d` (compatible, deprecated but still parsed) as
    /// the IPv4 address they carry.
    private static func ipv4Mapped(_ bytes: [UInt8]) -> String? {
        guard bytes.count == 16, bytes[0..<10].allSatisfy({ $0 == 0 }) else { return nil }
        let marker = (bytes[10], bytes[11])
        let tail = Array(bytes[12..<16])
        if marker == (0xFF, 0xFF) || (marker == (0, 0) && tail[0] != 0) {
            return tail.map(String.init).joined(separator: ".")
        }
        return nil
    }

    /// A NUL-terminated C buffer as text.
    static func text(of buffer: [CChar]) -> String {
        String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    private static func ipv6Text(_ bytes: [UInt8]) -> String {
        var storage = in6_addr()
        withUnsafeMutableBytes(of: &storage) { $0.copyBytes(from: bytes) }
        var buffer = [CChar](repeating: 0, count: Int(INET6_ADDRSTRLEN))
        guard inet_ntop(AF_INET6, &storage, &buffer, socklen_t(buffer.count)) != nil else { return "" }
        return text(of: buffer).lowercased()
    }
}

/// Name resolution for the isolation checks, injected so tests do not depend on DNS.
///
/// The rule for a name with several addresses: the value names the other environment's resource
/// when *any* of them does (and when the name itself does); a name that does not resolve is
/// compared by name only.
public struct HostResolver: Sendable {
    /// The addresses `name` resolves to, as text (`10.0.0.5`, `::1`).
    let addresses: @Sendable (_ name: String) -> [String]

    public init(addresses: @escaping @Sendable (_ name: String) -> [String]) {
        self.addresses = addresses
    }

    /// No resolution: spellings are normalised, names compared as names.
    public static let none = HostResolver { _ in [] }

    /// The system resolver (`getaddrinfo`), for the worker's start-up guard.
    public static let system = HostResolver { name in
        var hints = addrinfo()
        hints.ai_family = AF_UNSPEC
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        var list: UnsafeMutablePointer<addrinfo>?
        guard getaddrinfo(name, nil, &hints, &list) == 0, let first = list else { return [] }
        defer { freeaddrinfo(first) }
        var result: [String] = []
        var cursor: UnsafeMutablePointer<addrinfo>? = first
        while let entry = cursor {
            var buffer = [CChar](repeating: 0, count: 1025)
            if getnameinfo(entry.pointee.ai_addr, entry.pointee.ai_addrlen, &buffer, socklen_t(buffer.count), nil, 0, NI_NUMERICHOST) == 0 {
                result.append(HostSpelling.text(of: buffer))
            }
            cursor = entry.pointee.ai_next
        }
        return Array(Set(result)).sorted()
    }

    /// The system resolver, bounded: a lookup that takes longer than `timeout` counts as not
    /// resolving (the name is then compared by name only). For the reconciler's preflight and
    /// `reconciler validate`, which must not hang on a slow DNS server. The lookup runs on a
    /// dispatch thread; the caller waits on its own thread (never the cooperative pool).
    public static func system(timeout: Duration) -> HostResolver {
        bounded(.system, timeout: timeout)
    }

    /// `resolver`, with each lookup bounded by `timeout` (empty when it takes longer).
    static func bounded(_ resolver: HostResolver, timeout: Duration) -> HostResolver {
        HostResolver { name in
            let result = Mutex<[String]?>(nil)
            let done = DispatchSemaphore(value: 0)
            DispatchQueue.global(qos: .utility).async {
                let addresses = resolver.addresses(name)
                result.withLock { $0 = addresses }
                done.signal()
            }
            let (seconds, attoseconds) = timeout.components
            let nanoseconds = Int(seconds) * 1_000_000_000 + Int(attoseconds / 1_000_000_000)
            guard done.wait(timeout: .now() + .nanoseconds(nanoseconds)) == .success else { return [] }
            return result.withLock { $0 } ?? []
        }
    }

    /// The host readings of `host` (as `Endpoint` keeps it) and of every address it resolves to.
    func readings(of host: String) -> Set<String> {
        var result = HostSpelling.readings(host)
        let isLiteral = host.hasPrefix("[") || !HostSpelling.ipv4Readings(host).isEmpty
        guard !isLiteral else { return result }
        for address in addresses(host) {
            let spelled = address.contains(":") ? "[\(address.lowercased())]" : address
            result.formUnion(HostSpelling.readings(spelled))
        }
        return result
    }
}
