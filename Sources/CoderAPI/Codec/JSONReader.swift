import Foundation

/// A type with a hand-written decoder that reads its JSON front to back in one pass (`JSONReader`).
///
/// `SelectiveJSONDecoder` uses it instead of `init(from:)` wherever the type occurs: for the workspace views, the
/// `Decodable` machinery (a keyed container per object, generic calls per field) cost more than reading the bytes.
/// Each conformance must decode exactly what its `init(from:)` decodes; `SelectiveJSONDecoderTests` compare the two.
protocol JSONReadable {
    init(reading reader: inout JSONReader) throws
}

/// The name of an object member, as the bytes between its quotes (escapes resolved), matched with `case "name":`.
struct JSONKey {
    let bytes: UnsafeRawBufferPointer

    static func ~= (pattern: StaticString, key: JSONKey) -> Bool {
        let count = pattern.utf8CodeUnitCount
        guard count == key.bytes.count else { return false }
        return count == 0 || memcmp(pattern.utf8Start, key.bytes.baseAddress!, count) == 0
    }

    var text: String { String(decoding: bytes, as: UTF8.self) }
}

/// Reads one JSON value front to back: objects member by member, skipping what the caller leaves unread.
///
/// Errors are `DecodingError`s like `JSONDecoder`'s, with the coding path filled in as they propagate.
struct JSONReader {
    let json: JSONBytes
    /// The next unread byte.
    private(set) var position: Int
    let end: Int
    /// Identifiers read lately, handed out again for the same bytes (see `identifier()`).
    private var identifiers: [String] = []
    private var nextSlot = 0

    init(_ json: JSONBytes, _ start: Int, _ end: Int) {
        self.json = json
        self.position = start
        self.end = end
    }

    // MARK: - Structure

    /// Calls `member` for each member of the object at the cursor, in document order; a member `member` does not
    /// read is skipped.
    @inline(__always)
    mutating func object(_ member: (JSONKey, inout JSONReader) throws -> Void) throws {
        try expect(0x7B, "a dictionary")
        position += 1
        skipWhitespace()
        if position < end, json[position] == 0x7D {
            position += 1
            return
        }
        while true {
            guard position < end, json[position] == 0x22 else { throw corrupted("expected a key") }
            let keyStart = position
            let keyEnd = try scan { try json.stringEnd(keyStart, end) }
            position = keyEnd
            skipWhitespace()
            guard position < end, json[position] == 0x3A else { throw corrupted("expected ':'") }
            position += 1
            skipWhitespace()
            let valueStart = position
            try Self.withKey(json, keyStart, keyEnd) { key in
                do {
                    try member(key, &self)
                    if position == valueStart { try skip() }
                } catch let error as DecodingError {
                    throw error.under(StringKey(key.text))
                }
            }
            skipWhitespace()
            guard position < end else { throw corrupted("unexpected end of an object") }
            if json[position] == 0x7D {
                position += 1
                return
            }
            guard json[position] == 0x2C else { throw corrupted("expected ',' or '}'") }
            position += 1
            skipWhitespace()
        }
    }

    /// The elements of the array at the cursor, each read by `element`.
    @inline(__always)
    mutating func array<T>(_ element: (inout JSONReader) throws -> T) throws -> [T] {
        try expect(0x5B, "an array")
        position += 1
        skipWhitespace()
        var items: [T] = []
        if position < end, json[position] == 0x5D {
            position += 1
            return items
        }
        while true {
            do { items.append(try element(&self)) } catch let error as DecodingError {
                throw error.under(IndexKey(intValue: items.count))
            }
            skipWhitespace()
            guard position < end else { throw corrupted("unexpected end of an array") }
            if json[position] == 0x5D {
                position += 1
                // Arrays grow by doubling; a list of views keeps them, so drop the spare capacity.
                guard items.capacity - items.count > 2 else { return items }
                return Array(unsafeUninitializedCapacity: items.count) { buffer, count in
                    count = buffer.initialize(fromContentsOf: items)
                }
            }
            guard json[position] == 0x2C else { throw corrupted("expected ',' or ']'") }
            position += 1
            skipWhitespace()
        }
    }

    /// Passes over the value at the cursor.
    @inline(__always)
    mutating func skip() throws {
        let start = position
        position = try scan { try json.skipValue(start, end) }
    }

    // MARK: - Values

    /// `nil` for `null`, else the value `read` reads (as `decodeIfPresent` does for a present key).
    @inline(__always)
    mutating func optional<T>(_ read: (inout JSONReader) throws -> T) throws -> T? {
        if position < end, json[position] == 0x6E, json.isLiteral(position, min(end, position + 4), "null") {
            position += 4
            return nil
        }
        return try read(&self)
    }

    @inline(__always)
    mutating func string() throws -> String {
        try expect(0x22, "a string", String.self)
        let start = position
        let stop = try scan { try json.stringEnd(start, end) }
        position = stop
        return try scan { try json.string(start, stop) }
    }

    /// A string that tends to repeat within one document (a workspace's, agent's or app's id in each status): equal
    /// bytes give the same `String` storage, so a list of views holds each id once, not once per mention.
    mutating func identifier() throws -> String {
        try expect(0x22, "a string", String.self)
        let start = position
        let stop = try scan { try json.stringEnd(start, end) }
        let length = stop - start - 2
        // Up to 15 bytes a String is stored inline; sharing saves nothing.
        if length > 15 {
            let raw = UnsafeRawBufferPointer(rebasing: json.bytes[(start + 1)..<(stop - 1)])
            for index in identifiers.indices {
                let same = identifiers[index].utf8.withContiguousStorageIfAvailable { known in
                    known.count == length && memcmp(known.baseAddress!, raw.baseAddress!, length) == 0
                }
                if same == true {
                    position = stop
                    return identifiers[index]
                }
            }
        }
        let text = try scan { try json.string(start, stop) }
        position = stop
        if length > 15 {
            if identifiers.count < 16 { identifiers.append(text) } else { identifiers[nextSlot] = text }
            nextSlot = (nextSlot + 1) % 16
        }
        return text
    }

    @inline(__always)
    mutating func date() throws -> Date {
        try expect(0x22, "a string", Date.self)
        let start = position
        let stop = try scan { try json.stringEnd(start, end) }
        position = stop
        let raw = UnsafeRawBufferPointer(rebasing: json.bytes[(start + 1)..<(stop - 1)])
        if !raw.contains(0x5C), let date = CoderDate.parse(utf8: raw) { return date }
        let text = try scan { try json.string(start, stop) }
        guard let date = CoderDate.parse(text) else {
            throw DecodingError.dataCorrupted(.init(codingPath: [], debugDescription: "Not an RFC 3339 time: \(text)"))
        }
        return date
    }

    @inline(__always)
    mutating func bool() throws -> Bool {
        if json.isLiteral(position, min(end, position + 4), "true") {
            position += 4
            return true
        }
        if json.isLiteral(position, min(end, position + 5), "false") {
            position += 5
            return false
        }
        throw mismatch(Bool.self, "bool")
    }

    @inline(__always)
    mutating func int() throws -> Int {
        guard position < end, json[position] == 0x2D || (0x30...0x39).contains(json[position]) else { throw mismatch(Int.self, "number") }
        let start = position
        let (stop, integral) = try scan { try json.number(start, end) }
        guard let value = json.integer(Int.self, start, stop, integral: integral) else {
            let number = json.text(start, stop)
            throw DecodingError.dataCorrupted(.init(codingPath: [], debugDescription: "Number \(number) is not representable in Swift."))
        }
        position = stop
        return value
    }

    @inline(__always)
    mutating func open<E: OpenEnum>(_ type: E.Type) throws -> E { E(rawValue: try string()) }

    @inline(__always)
    mutating func read<T: JSONReadable>(_ type: T.Type) throws -> T { try T(reading: &self) }

    // MARK: - Helpers

    private mutating func skipWhitespace() { json.skipWhitespace(&position, end) }

    /// Fails unless the value at the cursor starts with `byte`, naming what was expected.
    private func expect(_ byte: UInt8, _ what: String, _ type: Any.Type = Any.self) throws {
        guard position < end else { throw corrupted("unexpected end of data") }
        guard json[position] != byte else { return }
        let found: String =
            switch json[position] {
            case 0x22: "a string"
            case 0x7B: "a dictionary"
            case 0x5B: "an array"
            case 0x74, 0x66: "bool"
            case 0x6E: "null"
            default: "number"
            }
        throw mismatch(type, found, expected: what)
    }

    private func mismatch(_ type: Any.Type, _ found: String, expected: String? = nil) -> DecodingError {
        if position < end, json[position] == 0x6E {
            return .valueNotFound(type, .init(codingPath: [], debugDescription: "Cannot get \(expected ?? "\(type)") -- found null value instead"))
        }
        return .typeMismatch(type, .init(codingPath: [], debugDescription: "Expected to decode \(expected ?? "\(type)") but found \(found) instead."))
    }

    private func corrupted(_ reason: String) -> DecodingError {
        .dataCorrupted(.init(codingPath: [], debugDescription: "The given data was not valid JSON: \(reason) at byte \(position)"))
    }

    private func scan<T>(_ body: () throws -> T) throws -> T {
        do { return try body() } catch {
            throw DecodingError.dataCorrupted(.init(codingPath: [], debugDescription: "The given data was not valid JSON: \(error)"))
        }
    }

    /// The key of the member whose name spans `start..<end` (quotes included), unescaped when it must be.
    private static func withKey(_ json: JSONBytes, _ start: Int, _ end: Int, _ body: (JSONKey) throws -> Void) throws {
        let raw = UnsafeRawBufferPointer(rebasing: json.bytes[(start + 1)..<(end - 1)])
        guard raw.contains(0x5C) else { return try body(JSONKey(bytes: raw)) }
        var name: String
        do { name = try json.string(start, end) } catch {
            throw DecodingError.dataCorrupted(.init(codingPath: [], debugDescription: "The given data was not valid JSON: \(error)"))
        }
        try name.withUTF8 { try body(JSONKey(bytes: UnsafeRawBufferPointer($0))) }
    }
}

/// A required member that was absent.
@inline(__always)
func required<T>(_ value: T?, _ key: StaticString) throws -> T {
    guard let value else {
        let name = key.description
        throw DecodingError.keyNotFound(StringKey(name), .init(codingPath: [], debugDescription: "No value associated with key \"\(name)\"."))
    }
    return value
}

extension DecodingError {
    /// The same error one level down: `key` goes in front of its coding path.
    func under(_ key: any CodingKey) -> DecodingError {
        switch self {
        case .typeMismatch(let type, let context): .typeMismatch(type, context.under(key))
        case .valueNotFound(let type, let context): .valueNotFound(type, context.under(key))
        case .keyNotFound(let missing, let context): .keyNotFound(missing, context.under(key))
        case .dataCorrupted(let context): .dataCorrupted(context.under(key))
        @unknown default: self
        }
    }
}

extension DecodingError {
    /// The same error under `path`.
    func under(path: [any CodingKey]) -> DecodingError { path.reversed().reduce(self) { $0.under($1) } }
}

extension DecodingError.Context {
    func under(_ key: any CodingKey) -> DecodingError.Context {
        DecodingError.Context(codingPath: [key] + codingPath, debugDescription: debugDescription, underlyingError: underlyingError)
    }
}

/// Members read once: a repeated key keeps its first value, as `JSONDecoder` does.
struct SeenMembers {
    private var bits: UInt64 = 0
    /// True the first time `index` is passed.
    mutating func first(_ index: Int) -> Bool {
        let mask: UInt64 = 1 << UInt64(index)
        defer { bits |= mask }
        return bits & mask == 0
    }
}
