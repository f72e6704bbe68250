import Foundation

/// Decodes a `Decodable` type from JSON by reading only the keys the type asks for.
///
/// Foundation's `JSONDecoder` first turns the whole document into a map of every value, then hands the type
/// what it asks for; for a workspace list that is 9 KB per workspace of which fleet-mcp reads under a tenth.
/// This decoder walks the bytes instead: an object is indexed (key and value positions, nothing built) when
/// the type opens it, the values the type asks for are decoded from their bytes, and every other value is
/// skipped by counting brackets. Dates decode as `CoderJSON.decoder()` decodes them (`CoderDate`).
///
/// Why a hand-written reader: none of the packages in reach offers a Codable decoder that skips subtrees.
/// Foundation's `JSONDecoder` and `JSONSerialization` build the whole document; swift-nio, Hummingbird,
/// Vapor and the OpenAPI runtime all decode JSON through `JSONDecoder`; SwiftProtobuf's JSON reader skips
/// unknown fields but only into generated protobuf messages, not the Codable models every other part of
/// fleet-mcp uses. `SelectiveJSONDecoderTests` check that this decoder and `JSONDecoder` agree on every shared
/// cassette and on generated workspaces.
///
/// Differences, by design: subtrees that are skipped are only checked for balanced brackets and quotes, so
/// malformed JSON inside a value the type never reads goes unnoticed (`JSONDecoder` refuses the document).
public struct SelectiveJSONDecoder: Sendable {
    public init() {}

    public func decode<T: Decodable>(_ type: T.Type, from data: some ContiguousBytes) throws -> T {
        try decode(type, from: JSONBytes.copy(data))
    }

    /// Decodes `bytes` (copied), reporting errors under `codingPath` (an element's place in its document).
    func decode<T: Decodable>(_ type: T.Type, from bytes: UnsafeRawBufferPointer, codingPath: [any CodingKey]) throws -> T {
        try decode(type, from: JSONBytes(copying: bytes), codingPath: codingPath)
    }

    func decode<T: Decodable>(_ type: T.Type, from json: JSONBytes, codingPath: [any CodingKey] = []) throws -> T {
        var start = 0
        json.skipWhitespace(&start, json.count)
        if let readable = T.self as? any JSONReadable.Type {
            // One forward pass; no index of containers needed.
            var reader = JSONReader(json, start, json.count)
            let value: T
            do { value = try readable.init(reading: &reader) as! T } catch let error as DecodingError { throw error.under(path: codingPath) }
            var rest = reader.position
            json.skipWhitespace(&rest, json.count)
            guard rest == json.count else {
                throw DecodingError.dataCorrupted(
                    .init(codingPath: codingPath, debugDescription: "The given data was not valid JSON: garbage at byte \(rest)"))
            }
            return value
        }
        let end: Int
        do {
            try json.indexContainers()
            var ordinal = 0
            end = try json.valueEnd(start, json.count, ordinal: &ordinal)
            var rest = end
            json.skipWhitespace(&rest, json.count)
            if rest < json.count { throw JSONScanError.unexpected(json[rest], rest) }
        } catch {
            throw DecodingError.dataCorrupted(.init(codingPath: codingPath, debugDescription: "The given data was not valid JSON: \(error)"))
        }
        let root = SelectiveDecoding(json, start, end, ordinal: 0, parent: nil, key: nil, prefix: codingPath)
        return try root.unbox(type, start, end, ordinal: 0, key: nil)
    }
}

/// One value of the document, as a `Decoder` and as its own single-value container.
final class SelectiveDecoding: Decoder, SingleValueDecodingContainer {
    let json: JSONBytes
    /// The value's first byte and the index just past it.
    let start: Int
    let end: Int
    /// The value's number in `JSONBytes.containers`, when it is an object or an array.
    let ordinal: Int
    private let parent: SelectiveDecoding?
    private let key: (any CodingKey)?
    /// The root's place in a larger document, for errors.
    private let prefix: [any CodingKey]

    init(
        _ json: JSONBytes, _ start: Int, _ end: Int, ordinal: Int, parent: SelectiveDecoding?, key: (any CodingKey)?,
        prefix: [any CodingKey] = []
    ) {
        self.json = json
        self.start = start
        self.end = end
        self.ordinal = ordinal
        self.parent = parent
        self.key = key
        self.prefix = prefix
    }

    var codingPath: [any CodingKey] { path(appending: nil) }
    var userInfo: [CodingUserInfoKey: Any] { [:] }

    func path(appending last: (any CodingKey)?) -> [any CodingKey] {
        var keys: [any CodingKey] = last.map { [$0] } ?? []
        var node: SelectiveDecoding? = self
        var root = self
        while let current = node {
            if let key = current.key { keys.append(key) }
            root = current
            node = current.parent
        }
        return root.prefix + keys.reversed()
    }

    func container<Key: CodingKey>(keyedBy type: Key.Type) throws -> KeyedDecodingContainer<Key> {
        KeyedDecodingContainer(try SelectiveKeyedContainer<Key>(self))
    }

    func unkeyedContainer() throws -> any UnkeyedDecodingContainer { try SelectiveUnkeyedContainer(self) }

    func singleValueContainer() throws -> any SingleValueDecodingContainer { self }

    // MARK: - Values at a position

    /// Decodes the value at `start..<end` of this document, a child of this value under `key`.
    func unbox<T: Decodable>(_ type: T.Type, _ start: Int, _ end: Int, ordinal: Int, key: (any CodingKey)?) throws -> T {
        if T.self == String.self { return try string(start, end, key) as! T }
        if T.self == Date.self { return try date(start, end, key) as! T }
        if T.self == Int.self { return try integer(Int.self, start, end, key) as! T }
        if T.self == Bool.self { return try bool(start, end, key) as! T }
        if T.self == Double.self { return try floating(Double.self, start, end, key) as! T }
        if let readable = T.self as? any JSONReadable.Type {
            var reader = JSONReader(json, start, end)
            do { return try readable.init(reading: &reader) as! T } catch let error as DecodingError {
                throw error.under(path: path(appending: key))
            }
        }
        return try T(from: SelectiveDecoding(json, start, end, ordinal: ordinal, parent: self, key: key))
    }

    func isNull(_ start: Int, _ end: Int) -> Bool { json[start] == 0x6E && json.isLiteral(start, end, "null") }

    func string(_ start: Int, _ end: Int, _ key: (any CodingKey)?) throws -> String {
        guard json[start] == 0x22 else { throw mismatch(String.self, start, end, key) }
        do { return try json.string(start, end) } catch { throw corrupted(key, "\(error)") }
    }

    func bool(_ start: Int, _ end: Int, _ key: (any CodingKey)?) throws -> Bool {
        if json.isLiteral(start, end, "true") { return true }
        if json.isLiteral(start, end, "false") { return false }
        throw mismatch(Bool.self, start, end, key)
    }

    func integer<T: FixedWidthInteger>(_ type: T.Type, _ start: Int, _ end: Int, _ key: (any CodingKey)?) throws -> T {
        guard json[start] == 0x2D || (0x30...0x39).contains(json[start]) else { throw mismatch(T.self, start, end, key) }
        let integral: Bool
        do { integral = try json.number(start, end).integral } catch { throw corrupted(key, "\(error)") }
        guard let value = json.integer(T.self, start, end, integral: integral) else {
            throw corrupted(key, "Number \(json.text(start, end)) is not representable in Swift.")
        }
        return value
    }

    func floating<T: BinaryFloatingPoint & LosslessStringConvertible>(_ type: T.Type, _ start: Int, _ end: Int, _ key: (any CodingKey)?) throws -> T {
        guard json[start] == 0x2D || (0x30...0x39).contains(json[start]) else { throw mismatch(T.self, start, end, key) }
        do { _ = try json.number(start, end) } catch { throw corrupted(key, "\(error)") }
        guard let value = T(json.text(start, end)), value.isFinite else {
            throw corrupted(key, "Number \(json.text(start, end)) is not representable in Swift.")
        }
        return value
    }

    func date(_ start: Int, _ end: Int, _ key: (any CodingKey)?) throws -> Date {
        let text = try string(start, end, key)
        guard let date = CoderDate.parse(text) else { throw corrupted(key, "Not an RFC 3339 time: \(text)") }
        return date
    }

    // MARK: - Errors

    func mismatch(_ type: Any.Type, _ start: Int, _ end: Int, _ key: (any CodingKey)?) -> DecodingError {
        let path = path(appending: key)
        if isNull(start, end) {
            return .valueNotFound(type, .init(codingPath: path, debugDescription: "Cannot get \(type) -- found null value instead"))
        }
        let found: String =
            switch json[start] {
            case 0x22: "a string"
            case 0x7B: "a dictionary"
            case 0x5B: "an array"
            case 0x74, 0x66: "bool"
            default: "number"
            }
        return .typeMismatch(type, .init(codingPath: path, debugDescription: "Expected to decode \(type) but found \(found) instead."))
    }

    func corrupted(_ key: (any CodingKey)?, _ reason: String) -> DecodingError {
        .dataCorrupted(.init(codingPath: path(appending: key), debugDescription: reason))
    }

    // MARK: - SingleValueDecodingContainer

    func decodeNil() -> Bool { isNull(start, end) }
    func decode(_ type: Bool.Type) throws -> Bool { try bool(start, end, nil) }
    func decode(_ type: String.Type) throws -> String { try string(start, end, nil) }
    func decode(_ type: Double.Type) throws -> Double { try floating(Double.self, start, end, nil) }
    func decode(_ type: Float.Type) throws -> Float { try floating(Float.self, start, end, nil) }
    func decode(_ type: Int.Type) throws -> Int { try integer(Int.self, start, end, nil) }
    func decode(_ type: Int8.Type) throws -> Int8 { try integer(Int8.self, start, end, nil) }
    func decode(_ type: Int16.Type) throws -> Int16 { try integer(Int16.self, start, end, nil) }
    func decode(_ type: Int32.Type) throws -> Int32 { try integer(Int32.self, start, end, nil) }
    func decode(_ type: Int64.Type) throws -> Int64 { try integer(Int64.self, start, end, nil) }
    func decode(_ type: UInt.Type) throws -> UInt { try integer(UInt.self, start, end, nil) }
    func decode(_ type: UInt8.Type) throws -> UInt8 { try integer(UInt8.self, start, end, nil) }
    func decode(_ type: UInt16.Type) throws -> UInt16 { try integer(UInt16.self, start, end, nil) }
    func decode(_ type: UInt32.Type) throws -> UInt32 { try integer(UInt32.self, start, end, nil) }
    func decode(_ type: UInt64.Type) throws -> UInt64 { try integer(UInt64.self, start, end, nil) }

    func decode<T: Decodable>(_ type: T.Type) throws -> T {
        if T.self == String.self { return try string(start, end, nil) as! T }
        if T.self == Date.self { return try date(start, end, nil) as! T }
        return try T(from: self)
    }
}
