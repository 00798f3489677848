import ClipnetJSON

/// A recursive-descent parser for the subset of GraphQL in `GraphQLDocument`.
struct GraphQLParser {
    private enum Token: Equatable {
        case punctuator(Character)
        case name(String)
        case int(String)
        case float(String)
        case string(String)
        case spread
        case end
    }

    private var tokens: [Token] = []
    private var position = 0

    static func parse(_ source: String) throws(GraphQLSyntaxError) -> GraphQLDocument {
        var parser = GraphQLParser()
        parser.tokens = try tokenize(source)
        return try parser.document()
    }

    // MARK: Grammar

    private mutating func document() throws(GraphQLSyntaxError) -> GraphQLDocument {
        let document: GraphQLDocument
        switch peek {
        case .punctuator("{"):
            document = GraphQLDocument(operation: .query, name: nil, variables: [], selections: try selectionSet())
        case .name(let word) where word == "query" || word == "mutation":
            advance()
            var name: String?
            if case .name(let operationName) = peek {
                name = operationName
                advance()
            }
            let variables = peek == .punctuator("(") ? try variableDefinitions() : []
            document = GraphQLDocument(
                operation: word == "query" ? .query : .mutation, name: name, variables: variables, selections: try selectionSet())
        case .name(let word):
            throw GraphQLSyntaxError(
                message: word == "subscription" || word == "fragment"
                    ? "\(word) is not supported by this server" : "Syntax Error: Unexpected Name \"\(word)\".")
        default:
            throw unexpected()
        }
        guard peek == .end else {
            throw GraphQLSyntaxError(message: "This anonymous operation must be the only defined operation.")
        }
        return document
    }

    private mutating func variableDefinitions() throws(GraphQLSyntaxError) -> [GraphQLDocument.VariableDefinition] {
        try expect("(")
        var definitions: [GraphQLDocument.VariableDefinition] = []
        while peek != .punctuator(")") {
            try expect("$")
            let name = try name()
            try expect(":")
            let type = try typeReference()
            var defaultValue: GraphQLValue?
            if peek == .punctuator("=") {
                advance()
                defaultValue = try value(constant: true)
            }
            definitions.append(.init(name: name, type: type, defaultValue: defaultValue))
        }
        advance()
        return definitions
    }

    private mutating func typeReference() throws(GraphQLSyntaxError) -> String {
        var type: String
        if peek == .punctuator("[") {
            advance()
            type = "[" + (try typeReference()) + "]"
            try expect("]")
        } else {
            type = try name()
        }
        if peek == .punctuator("!") {
            advance()
            type += "!"
        }
        return type
    }

    private mutating func selectionSet() throws(GraphQLSyntaxError) -> [GraphQLDocument.Field] {
        try expect("{")
        var fields: [GraphQLDocument.Field] = []
        while peek != .punctuator("}") {
            if peek == .spread { throw GraphQLSyntaxError(message: "fragments are not supported by this server") }
            fields.append(try field())
        }
        advance()
        guard !fields.isEmpty else { throw GraphQLSyntaxError(message: "Syntax Error: Expected Name, found \"}\".") }
        return fields
    }

    private mutating func field() throws(GraphQLSyntaxError) -> GraphQLDocument.Field {
        var alias: String?
        var name = try name()
        if peek == .punctuator(":") {
            advance()
            alias = name
            name = try self.name()
        }
        var arguments: [(String, GraphQLValue)] = []
        if peek == .punctuator("(") {
            advance()
            while peek != .punctuator(")") {
                let argument = try self.name()
                try expect(":")
                arguments.append((argument, try value(constant: false)))
            }
            advance()
        }
        if peek == .punctuator("@") { throw GraphQLSyntaxError(message: "directives are not supported by this server") }
        let selections = peek == .punctuator("{") ? try selectionSet() : nil
        return GraphQLDocument.Field(alias: alias, name: name, arguments: arguments, selections: selections)
    }

    private mutating func value(constant: Bool) throws(GraphQLSyntaxError) -> GraphQLValue {
        let token = peek
        advance()
        switch token {
        case .punctuator("$") where !constant:
            return .variable(try name())
        case .int(let text), .float(let text):
            return .literal(.number(Double(text) ?? 0))
        case .string(let text):
            return .literal(.string(text))
        case .name("true"): return .literal(.bool(true))
        case .name("false"): return .literal(.bool(false))
        case .name("null"): return .literal(.null)
        case .name(let enumValue): return .literal(.string(enumValue))
        case .punctuator("["):
            var items: [GraphQLValue] = []
            while peek != .punctuator("]") { items.append(try value(constant: constant)) }
            advance()
            return .list(items)
        case .punctuator("{"):
            var fields: [String: GraphQLValue] = [:]
            while peek != .punctuator("}") {
                let key = try name()
                try expect(":")
                fields[key] = try value(constant: constant)
            }
            advance()
            return .object(fields)
        default:
            position -= 1
            throw unexpected()
        }
    }

    // MARK: Tokens

    private var peek: Token { position < tokens.count ? tokens[position] : .end }
    private mutating func advance() { position += 1 }

    private mutating func name() throws(GraphQLSyntaxError) -> String {
        guard case .name(let name) = peek else { throw unexpected() }
        advance()
        return name
    }

    private mutating func expect(_ character: Character) throws(GraphQLSyntaxError) {
        guard peek == .punctuator(character) else {
            throw GraphQLSyntaxError(message: "Syntax Error: Expected \"\(character)\", found \(describe(peek)).")
        }
        advance()
    }

    private func unexpected() -> GraphQLSyntaxError {
        GraphQLSyntaxError(message: "Syntax Error: Unexpected \(describe(peek)).")
    }

    private func describe(_ token: Token) -> String {
        switch token {
        case .punctuator(let c): return "\"\(c)\""
        case .name(let n): return "Name \"\(n)\""
        case .int(let t), .float(let t): return "Number \"\(t)\""
        case .string: return "String"
        case .spread: return "\"...\""
        case .end: return "<EOF>"
        }
    }

    private static func tokenize(_ source: String) throws(GraphQLSyntaxError) -> [Token] {
        var tokens: [Token] = []
        let chars = Array(source)
        var i = 0
        while i < chars.count {
            let c = chars[i]
            if c.isWhitespace || c == "," || c == "\u{FEFF}" {
                i += 1
                continue
            }
            if c == "#" {
                while i < chars.count, !chars[i].isNewline { i += 1 }
                continue
            }
            if "{}()[]:!$=@|&".contains(c) {
                tokens.append(.punctuator(c))
                i += 1
                continue
            }
            if c == ".", i + 2 < chars.count, chars[i + 1] == ".", chars[i + 2] == "." {
                tokens.append(.spread)
                i += 3
                continue
            }
            if c == "_" || c.isLetter {
                var j = i
                while j < chars.count, chars[j] == "_" || chars[j].isLetter || chars[j].isNumber { j += 1 }
                tokens.append(.name(String(chars[i..<j])))
                i = j
                continue
            }
            if c == "-" || c.isNumber {
                var j = i + 1
                var isFloat = false
                while j < chars.count, chars[j].isNumber || ".eE+-".contains(chars[j]) {
                    if ".eE".contains(chars[j]) { isFloat = true }
                    j += 1
                }
                let text = String(chars[i..<j])
                tokens.append(isFloat ? .float(text) : .int(text))
                i = j
                continue
            }
            if c == "\"" {
                if i + 2 < chars.count, chars[i + 1] == "\"", chars[i + 2] == "\"" {
                    throw GraphQLSyntaxError(message: "block strings are not supported by this server")
                }
                var j = i + 1
                var text = ""
                while j < chars.count, chars[j] != "\"" {
                    if chars[j] == "\\", j + 1 < chars.count {
                        j += 1
                        switch chars[j] {
                        case "n": text.append("\n")
                        case "t": text.append("\t")
                        case "r": text.append("\r")
                        case "u" where j + 4 < chars.count:
                            let hex = String(chars[(j + 1)...(j + 4)])
                            if let code = UInt32(hex, radix: 16), let scalar = Unicode.Scalar(code) { text.unicodeScalars.append(scalar) }
                            j += 4
                        default: text.append(chars[j])
                        }
                    } else {
                        text.append(chars[j])
                    }
                    j += 1
                }
                guard j < chars.count else { throw GraphQLSyntaxError(message: "Syntax Error: Unterminated string.") }
                tokens.append(.string(text))
                i = j + 1
                continue
            }
            throw GraphQLSyntaxError(message: "Syntax Error: Unexpected character: \"\(c)\".")
        }
        return tokens
    }
}
