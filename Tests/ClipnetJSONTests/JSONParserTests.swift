import ClipnetJSON
import Foundation
import Testing

@Suite struct JSONParserTests {
    static func parse(_ text: String) throws(JSONParseError) -> JSONValue { try JSONValue(parsing: Array(text.utf8)) }

    /// What Foundation's decoder makes of the same bytes: the reference this parser replaces.
    static func reference(_ bytes: [UInt8]) -> JSONValue? {
        try? JSONDecoder().decode(JSONValue.self, from: Data(bytes))
    }

    @Test func parsesEveryKindOfValue() throws {
        let value = try Self.parse(#" {"a": [1, -2.5, 3e2, true, false, null], "b": {"c": "d"}, "e": "", "f": {}, "g": []} "#)
        #expect(
            value == [
                "a": [1, .number(-2.5), 300, true, false, .null], "b": ["c": "d"], "e": "", "f": .object([:]), "g": .array([]),
            ])
    }

    @Test(arguments: [
        (#""\"\\\/\b\f\n\r\t""#, "\"\\/\u{08}\u{0C}\n\r\t"),
        (#""caf\u00e9 \u00E9""#, "café é"),
        (#""\ud83c\udfac clip""#, "🎬 clip"),
        ("\"raw ünïcødé 🎬\"", "raw ünïcødé 🎬"),
        (#""a\u0000b""#, "a\u{0}b"),
    ])
    func decodesStringEscapesAndUTF8(_ json: String, _ expected: String) throws {
        #expect(try Self.parse(json) == .string(expected))
    }

    @Test(arguments: [
        ("0", 0.0), ("-0", -0.0), ("17", 17), ("-17", -17), ("1764048000000", 1_764_048_000_000), ("0.5", 0.5),
        ("1e3", 1000), ("1E-2", 0.01), ("-2.5e+2", -250), ("123456789012345678901234567890", 1.2345678901234568e29),
        ("9007199254740993", 9_007_199_254_740_992), ("0.1", 0.1), ("2.2250738585072014e-308", 2.2250738585072014e-308),
    ])
    func parsesNumbersToTheNearestDouble(_ json: String, _ expected: Double) throws {
        #expect(try Self.parse(json) == .number(expected))
    }

    @Test(arguments: [
        "", " ", "{", "[", "]", "{]", "[1,,]", "[,]", "{,}", #"{"a":1,,}"#, "[,1]", #"{"a" 1}"#, #"{a:1}"#, "{'a':1}", "tru", "nul", "True",
        "01", "-", "1.", ".5", "1e", "1e+", "+1", "0x10", "NaN", "Infinity", "1e400", "-1e400", #""abc"#, #""\x""#, #""\u12""#,
        #""\ud83c""#, #""\udfac""#, #""\ud83c\u0041""#, "\"a\nb\"", "\"tab\there\"", "1 2", "{} {}", "[1] x", "/* */ 1",
    ])
    func refusesWhatIsNotOneJSONDocument(_ text: String) {
        #expect(throws: JSONParseError.self) { try Self.parse(text) }
        #expect(Self.reference(Array(text.utf8)) == nil, "Foundation accepts \(text.debugDescription) too")
    }

    @Test(arguments: [("[1,]", JSONValue.array([1])), ("[1, 2 ,\n]", JSONValue.array([1, 2])), (#"{"a":[1,],}"#, JSONValue.object(["a": [1]]))])
    func acceptsOneTrailingCommaAsFoundationDoes(_ text: String, _ expected: JSONValue) throws {
        #expect(try Self.parse(text) == expected)
        #expect(Self.reference(Array(text.utf8)) == expected)
    }

    @Test func refusesInvalidUTF8InAString() {
        let bytes: [UInt8] = [0x22, 0x61, 0xC3, 0x28, 0x22]  // "a<invalid>("
        #expect(throws: JSONParseError.self) { try JSONValue(parsing: bytes) }
    }

    @Test func skipsAUTF8ByteOrderMark() throws {
        #expect(try JSONValue(parsing: [0xEF, 0xBB, 0xBF] + Array("[1]".utf8)) == [1])
    }

    @Test func lastValueWinsForARepeatedKey() throws {
        #expect(try Self.parse(#"{"a":1,"a":2}"#) == ["a": 2])
    }

    @Test func nestingIsBoundedInsteadOfExhaustingTheStack() throws {
        let ok = String(repeating: "[", count: JSONValue.maximumDepth) + String(repeating: "]", count: JSONValue.maximumDepth)
        #expect(throws: Never.self) { try Self.parse(ok) }
        let deep = String(repeating: "[", count: 100_000) + String(repeating: "]", count: 100_000)
        let error = try #require(throws: JSONParseError.self) { try Self.parse(deep) }
        #expect(error.reason.contains("deeper"))
        #expect(error.offset == JSONValue.maximumDepth)
    }

    @Test func errorsSayWhereAndWhat() throws {
        let error = try #require(throws: JSONParseError.self) { try Self.parse(#"{"id": x}"#) }
        #expect(error.offset == 7)
        #expect(error.description == "unexpected character at byte 7")
        let end = try #require(throws: JSONParseError.self) { try Self.parse(#"{"id": "#) }
        #expect(end.description.hasPrefix("unexpected end of input"))
    }

    @Test func serializedValuesParseBackToThemselves() throws {
        var generator = SplitMix64(seed: 7)
        for _ in 0..<500 {
            let value = RandomJSON.value(depth: 0, using: &generator)
            #expect(try JSONValue(parsing: value.serialized) == value)
        }
    }

    /// Random documents, written in random but valid ways (whitespace, escapes, number forms), and
    /// random one-byte corruptions of them: accepted exactly when Foundation's decoder accepts
    /// them, and to the same value.
    @Test func agreesWithFoundationOnRandomAndCorruptedDocuments() throws {
        var generator = SplitMix64(seed: 2026_11_30)
        var accepted = 0
        var refused = 0
        for round in 0..<3000 {
            var bytes = Array(RandomJSON.text(RandomJSON.value(depth: 0, using: &generator), using: &generator).utf8)
            if round % 2 == 1, !bytes.isEmpty {
                let position = Int.random(in: 0..<bytes.count, using: &generator)
                switch Int.random(in: 0..<3, using: &generator) {
                case 0: bytes.remove(at: position)
                case 1: bytes.insert(RandomJSON.noise.randomElement(using: &generator)!, at: position)
                default: bytes[position] = RandomJSON.noise.randomElement(using: &generator)!
                }
            }
            let mine = try? JSONValue(parsing: bytes)
            let theirs = Self.reference(bytes)
            #expect(mine == theirs, "\(String(decoding: bytes, as: UTF8.self).debugDescription)")
            if mine == nil { refused += 1 } else { accepted += 1 }
        }
        #expect(accepted > 1000 && refused > 500)
    }
}

/// A small deterministic generator, so every run tests the same documents.
struct SplitMix64: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

enum RandomJSON {
    static let noise = Array(#"{}[]:,"\ 0123456789-+.eEtrufalsn/bu"#.utf8) + [0x00, 0x0A, 0xC3, 0xA9, 0xFF]
    static let characters: [String] = ["a", "Z", "0", " ", "\"", "\\", "/", "\n", "\t", "\u{01}", "é", "€", "🎬", "\u{7F}", "\u{2028}"]

    static func value<G: RandomNumberGenerator>(depth: Int, using generator: inout G) -> JSONValue {
        let kind = Int.random(in: 0..<(depth > 4 ? 5 : 7), using: &generator)
        switch kind {
        case 0: return .null
        case 1: return .bool(Bool.random(using: &generator))
        case 2: return .number(number(using: &generator))
        case 3, 4: return .string(string(using: &generator))
        case 5:
            return .array((0..<Int.random(in: 0...4, using: &generator)).map { _ in value(depth: depth + 1, using: &generator) })
        default:
            var members: [String: JSONValue] = [:]
            for _ in 0..<Int.random(in: 0...4, using: &generator) {
                members[string(using: &generator)] = value(depth: depth + 1, using: &generator)
            }
            return .object(members)
        }
    }

    static func number<G: RandomNumberGenerator>(using generator: inout G) -> Double {
        switch Int.random(in: 0..<4, using: &generator) {
        case 0: return Double(Int.random(in: -1000...1000, using: &generator))
        case 1: return Double(Int64.random(in: -1_000_000_000_000_000...1_000_000_000_000_000, using: &generator))
        case 2: return Double.random(in: -1e6...1e6, using: &generator)
        default:
            return Double(
                sign: .plus, exponent: Int.random(in: -300...300, using: &generator), significand: Double.random(in: 1..<2, using: &generator))
        }
    }

    static func string<G: RandomNumberGenerator>(using generator: inout G) -> String {
        (0..<Int.random(in: 0...6, using: &generator)).map { _ in characters.randomElement(using: &generator)! }.joined()
    }

    /// `value` as text, choosing whitespace, escapes and number spellings at random.
    static func text<G: RandomNumberGenerator>(_ value: JSONValue, using generator: inout G) -> String {
        func space() -> String { ["", "", " ", "\n  ", "\t"].randomElement(using: &generator)! }
        switch value {
        case .null: return "null"
        case .bool(let b): return b ? "true" : "false"
        case .number(let n):
            if n.rounded() == n, abs(n) < 1e15, Bool.random(using: &generator) { return String(Int64(n)) }
            return Bool.random(using: &generator) ? "\(n)" : String(format: "%.17e", n)
        case .string(let s): return quote(s, using: &generator)
        case .array(let a):
            return "[" + space() + a.map { text($0, using: &generator) }.joined(separator: space() + "," + space()) + space() + "]"
        case .object(let o):
            return "{" + space()
                + o.keys.sorted().map { key in
                    quote(key, using: &generator) + space() + ":" + space() + text(o[key]!, using: &generator)
                }.joined(separator: "," + space()) + space() + "}"
        }
    }

    static func quote<G: RandomNumberGenerator>(_ s: String, using generator: inout G) -> String {
        var out = "\""
        for scalar in s.unicodeScalars {
            let escape = Bool.random(using: &generator)
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "/" where escape: out += "\\/"
            case "\n": out += escape ? "\\n" : "\\u000a"
            case "\t": out += "\\t"
            case let c where c.value < 0x20: out += String(format: "\\u%04X", c.value)
            case let c where c.value > 0xFFFF && escape:
                let v = c.value - 0x10000
                out += String(format: "\\u%04x\\u%04x", 0xD800 + (v >> 10), 0xDC00 + (v & 0x3FF))
            case let c where c.value > 0x7F && escape: out += String(format: "\\u%04x", c.value)
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out + "\""
    }
}
