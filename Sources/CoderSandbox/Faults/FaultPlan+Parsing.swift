import Foundation
import Yams

/// A fault specification that cannot be read, with what is wrong.
public struct FaultSpecError: Error, Sendable, CustomStringConvertible {
    public var description: String
    init(_ description: String) { self.description = description }
}

extension FaultPlan {
    /// Parses the compact syntax (see ``FaultPlan``).
    public init(parsing spec: String, seed: UInt64? = nil) throws {
        var rules: [FaultRule] = []
        let texts = spec.split(whereSeparator: { $0 == ";" || $0 == "\n" }).map { $0.trimmingCharacters(in: .whitespaces) }
        for text in texts where !text.isEmpty && !text.hasPrefix("#") {
            guard let colon = text.lastIndex(of: ":") else { throw FaultSpecError("rule \"\(text)\" has no \":\" before its faults") }
            let route = String(text[..<colon])
            let faults = try String(text[text.index(after: colon)...]).split(separator: ",").map { try Fault(parsing: String($0)) }
            rules.append(try FaultRule(route: route, faults: faults))
        }
        guard !rules.isEmpty else { throw FaultSpecError("no rules in \"\(spec)\"") }
        self.init(rules: rules, seed: seed)
    }

    /// Reads a YAML or JSON file:
    ///
    /// ```yaml
    /// seed: 7                     # optional
    /// rules:
    ///   - route: "POST /api/v2/workspaces/*/builds"
    ///     faults: "409@0.5"       # a string in the compact syntax, or a list of them
    ///   - route: "*"
    ///     faults: ["401-after=500"]
    /// ```
    public static func load(_ url: URL) throws -> FaultPlan {
        let text = try String(contentsOf: url, encoding: .utf8)
        guard let document = try Yams.load(yaml: text) as? [String: Any] else { throw FaultSpecError("\(url.path): not a mapping") }
        guard let entries = document["rules"] as? [[String: Any]] else { throw FaultSpecError("\(url.path): no \"rules\" list") }
        var rules: [FaultRule] = []
        for entry in entries {
            guard let route = entry["route"] as? String else { throw FaultSpecError("\(url.path): a rule without \"route\"") }
            let texts: [String]
            switch entry["faults"] {
            case let text as String: texts = text.split(separator: ",").map(String.init)
            case let list as [Any]: texts = list.map { "\($0)" }
            default: throw FaultSpecError("\(url.path): rule \"\(route)\" has no \"faults\"")
            }
            rules.append(try FaultRule(route: route, faults: texts.map { try Fault(parsing: $0) }))
        }
        let seed: UInt64? =
            switch document["seed"] {
            case let number as Int: UInt64(truncatingIfNeeded: number)
            case let text as String: UInt64(text)
            default: nil
            }
        return FaultPlan(rules: rules, seed: seed)
    }

    /// What `--faults` takes: the path of a YAML/JSON file, or a specification in the compact syntax.
    public static func resolve(_ specOrPath: String, seed: UInt64? = nil) throws -> FaultPlan {
        let lower = specOrPath.lowercased()
        if FileManager.default.fileExists(atPath: specOrPath) || [".yaml", ".yml", ".json"].contains(where: { lower.hasSuffix($0) }) {
            var plan = try load(URL(fileURLWithPath: specOrPath))
            if let seed { plan.seed = seed }
            return plan
        }
        return try FaultPlan(parsing: specOrPath, seed: seed)
    }
}

extension FaultRule {
    /// `POST /api/v2/workspaces/*/builds`, `/api/v2/workspaces` or `*`.
    init(route: String, faults: [Fault]) throws {
        let parts = route.trimmingCharacters(in: .whitespaces).split(separator: " ", omittingEmptySubsequences: true).map(String.init)
        switch parts.count {
        case 1: self.init(pattern: parts[0], faults: faults)
        case 2 where parts[0].allSatisfy(\.isLetter): self.init(method: parts[0], pattern: parts[1], faults: faults)
        default: throw FaultSpecError("route \"\(route)\" is not \"[METHOD] /path\" or \"*\"")
        }
        guard pattern == "*" || pattern == "**" || pattern.hasPrefix("/") else {
            throw FaultSpecError("route pattern \"\(pattern)\" must start with \"/\" (or be \"*\")")
        }
    }
}

extension Fault {
    /// One fault in the compact syntax, e.g. `503@0.1`, `latency=200ms`, `401-after=500`.
    public init(parsing raw: String) throws {
        let text = raw.trimmingCharacters(in: .whitespaces).lowercased()
        func rate(_ value: Substring) throws -> Double {
            guard let rate = Double(value), rate >= 0, rate <= 1 else { throw FaultSpecError("rate \"\(value)\" in \"\(raw)\" is not from 0 to 1") }
            return rate
        }
        if let value = text.dropPrefix("latency=") {
            self = .latency(try Self.duration(value, in: raw))
        } else if let value = text.dropPrefix("spike=") {
            let parts = value.split(separator: "@", maxSplits: 1)
            guard parts.count == 2 else { throw FaultSpecError("\"\(raw)\" should be spike=DURATION@RATE") }
            self = .spike(try Self.duration(parts[0], in: raw), rate: try rate(parts[1]))
        } else if let value = text.dropPrefix("401-after=") {
            guard let count = Int(value), count >= 0 else { throw FaultSpecError("\"\(raw)\" should be 401-after=N") }
            self = .revokeAfter(count)
        } else {
            let parts = text.split(separator: "@", maxSplits: 1)
            guard parts.count == 2 else { throw FaultSpecError("unknown fault \"\(raw)\"") }
            switch parts[0] {
            case "500", "502", "503", "409": self = .status(Int(parts[0])!, rate: try rate(parts[1]))
            case "429":
                let pieces = parts[1].split(separator: "/", maxSplits: 1)
                let seconds = pieces.count == 2 ? Int(pieces[1].trimmingCharacters(in: CharacterSet(charactersIn: "s"))) : 1
                guard let seconds, seconds >= 0 else { throw FaultSpecError("\"\(raw)\" should be 429@RATE/SECONDS") }
                self = .rateLimited(rate: try rate(pieces[0]), retryAfter: seconds)
            case "hang": self = .hang(rate: try rate(parts[1]))
            case "reset": self = .reset(rate: try rate(parts[1]))
            case "truncate": self = .truncate(rate: try rate(parts[1]))
            case "malformed": self = .malformed(rate: try rate(parts[1]))
            default: throw FaultSpecError("unknown fault \"\(raw)\" (status codes: 500, 502, 503, 429, 409)")
            }
        }
    }

    static func duration(_ text: Substring, in raw: String) throws -> Duration {
        if let value = text.dropSuffix("ms"), let number = Double(value), number >= 0 { return .milliseconds(number) }
        if let value = text.dropSuffix("s"), let number = Double(value), number >= 0 { return .milliseconds(number * 1000) }
        throw FaultSpecError("duration \"\(text)\" in \"\(raw)\" should be a number followed by ms or s")
    }
}

extension StringProtocol {
    fileprivate func dropPrefix(_ prefix: String) -> SubSequence? { hasPrefix(prefix) ? dropFirst(prefix.count) : nil }
    fileprivate func dropSuffix(_ suffix: String) -> SubSequence? { hasSuffix(suffix) ? dropLast(suffix.count) : nil }
}
