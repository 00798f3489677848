import ArgumentParser
import ClipnetContracts
import Foundation
import Reconciler

/// `-o json` / `--json` on the read commands: the same documents as the HTTP API, for scripts and
/// `jq`; `-o text` (the default) is for people.
struct OutputOptions: ParsableArguments {
    enum Format: String, ExpressibleByArgument, CaseIterable {
        case text, json
    }

    @Option(name: [.customShort("o"), .customLong("output")], help: "text (default) or json.")
    var format: Format = .text

    @Flag(help: "Same as -o json.")
    var json = false

    var isJSON: Bool { json || format == .json }

    /// Prints `value` as the API encodes it (sorted keys, RFC 3339 times), one document.
    func printJSON(_ value: some Encodable) throws {
        let encoder = StatusDocument.encoder()
        encoder.outputFormatting.insert(.prettyPrinted)
        FileHandle.standardOutput.write(try encoder.encode(value) + Data("\n".utf8))
    }
}
