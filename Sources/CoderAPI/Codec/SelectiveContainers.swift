import Foundation

/// Where one member of an object sits: its key (quotes included) and its value.
struct ObjectMember {
    var keyStart: Int
    var keyEnd: Int
    var valueStart: Int
    var valueEnd: Int
    /// The value's number in `JSONBytes.containers`, when it is an object or an array.
    var ordinal: Int
    /// The key has escape sequences, so it must be decoded before it is compared.
    var keyEscaped: Bool
}

/// An object's members, indexed once when a type opens the object; values are read only when asked for.
struct SelectiveKeyedContainer<Key: CodingKey>: KeyedDecodingContainerProtocol {
    let decoder: SelectiveDecoding
    let members: [ObjectMember]

    init(_ decoder: SelectiveDecoding) throws {
        self.decoder = decoder
        let json = decoder.json
        guard json[decoder.start] == 0x7B else { throw decoder.mismatch([String: Any].self, decoder.start, decoder.end, nil) }
        var members: [ObjectMember] = []
        let end = decoder.end
        var i = decoder.start + 1
        var ordinal = decoder.ordinal + 1
        do {
            json.skipWhitespace(&i, end)
            if i < end, json[i] == 0x7D {
                self.members = []
                return
            }
            while true {
                guard i < end, json[i] == 0x22 else { throw JSONScanError.unexpected(i < end ? json[i] : 0, i) }
                let keyEnd = try json.stringEnd(i, end)
                var escaped = false
                for k in (i + 1)..<(keyEnd - 1) where json[k] == 0x5C {
                    escaped = true
                    break
                }
                var colon = keyEnd
                json.skipWhitespace(&colon, end)
                guard colon < end, json[colon] == 0x3A else { throw JSONScanError.unexpected(colon < end ? json[colon] : 0, colon) }
                var valueStart = colon + 1
                json.skipWhitespace(&valueStart, end)
                let valueOrdinal = ordinal
                let valueEnd = try json.valueEnd(valueStart, end, ordinal: &ordinal)
                members.append(
                    ObjectMember(
                        keyStart: i, keyEnd: keyEnd, valueStart: valueStart, valueEnd: valueEnd, ordinal: valueOrdinal,
                        keyEscaped: escaped))
                i = valueEnd
                json.skipWhitespace(&i, end)
                guard i < end else { throw JSONScanError.unexpectedEnd(i) }
                if json[i] == 0x7D { break }
                guard json[i] == 0x2C else { throw JSONScanError.unexpected(json[i], i) }
                i += 1
                json.skipWhitespace(&i, end)
            }
        } catch let error as JSONScanError {
            throw decoder.corrupted(nil, "The given data was not valid JSON: \(error)")
        }
        self.members = members
    }

    var codingPath: [any CodingKey] { decoder.codingPath }

    var allKeys: [Key] {
        members.compactMap { member in (try? keyText(member)).flatMap { Key(stringValue: $0) } }
    }

    private func keyText(_ member: ObjectMember) throws -> String { try decoder.json.string(member.keyStart, member.keyEnd) }

    /// The member named `key` (the first, when a key repeats).
    private func member(_ key: Key) -> ObjectMember? {
        var name = key.stringValue
        let json = decoder.json
        let plain = name.withUTF8 { wanted in members.first { !$0.keyEscaped && json.rawEquals($0.keyStart, $0.keyEnd, wanted) } }
        return plain ?? members.first { $0.keyEscaped && (try? keyText($0)) == name }
    }

    private func required(_ key: Key) throws -> ObjectMember {
        guard let member = member(key) else {
            throw DecodingError.keyNotFound(
                key, .init(codingPath: codingPath, debugDescription: "No value associated with key \(key) (\"\(key.stringValue)\")."))
        }
        return member
    }

    func contains(_ key: Key) -> Bool { member(key) != nil }

    func decodeNil(forKey key: Key) throws -> Bool {
        let member = try required(key)
        return decoder.isNull(member.valueStart, member.valueEnd)
    }

    func decode(_ type: Bool.Type, forKey key: Key) throws -> Bool {
        let m = try required(key)
        return try decoder.bool(m.valueStart, m.valueEnd, key)
    }

    func decode(_ type: String.Type, forKey key: Key) throws -> String {
        let m = try required(key)
        return try decoder.string(m.valueStart, m.valueEnd, key)
    }

    func decode(_ type: Double.Type, forKey key: Key) throws -> Double {
        let m = try required(key)
        return try decoder.floating(Double.self, m.valueStart, m.valueEnd, key)
    }

    func decode(_ type: Float.Type, forKey key: Key) throws -> Float {
        let m = try required(key)
        return try decoder.floating(Float.self, m.valueStart, m.valueEnd, key)
    }

    func decode(_ type: Int.Type, forKey key: Key) throws -> Int { try integer(key) }
    func decode(_ type: Int8.Type, forKey key: Key) throws -> Int8 { try integer(key) }
    func decode(_ type: Int16.Type, forKey key: Key) throws -> Int16 { try integer(key) }
    func decode(_ type: Int32.Type, forKey key: Key) throws -> Int32 { try integer(key) }
    func decode(_ type: Int64.Type, forKey key: Key) throws -> Int64 { try integer(key) }
    func decode(_ type: UInt.Type, forKey key: Key) throws -> UInt { try integer(key) }
    func decode(_ type: UInt8.Type, forKey key: Key) throws -> UInt8 { try integer(key) }
    func decode(_ type: UInt16.Type, forKey key: Key) throws -> UInt16 { try integer(key) }
    func decode(_ type: UInt32.Type, forKey key: Key) throws -> UInt32 { try integer(key) }
    func decode(_ type: UInt64.Type, forKey key: Key) throws -> UInt64 { try integer(key) }

    private func integer<T: FixedWidthInteger>(_ key: Key) throws -> T {
        let m = try required(key)
        return try decoder.integer(T.self, m.valueStart, m.valueEnd, key)
    }

    func decode<T: Decodable>(_ type: T.Type, forKey key: Key) throws -> T {
        let m = try required(key)
        return try decoder.unbox(T.self, m.valueStart, m.valueEnd, ordinal: m.ordinal, key: key)
    }

    func decodeIfPresent<T: Decodable>(_ type: T.Type, forKey key: Key) throws -> T? {
        guard let m = member(key), !decoder.isNull(m.valueStart, m.valueEnd) else { return nil }
        return try decoder.unbox(T.self, m.valueStart, m.valueEnd, ordinal: m.ordinal, key: key)
    }

    func decodeIfPresent(_ type: String.Type, forKey key: Key) throws -> String? {
        guard let m = member(key), !decoder.isNull(m.valueStart, m.valueEnd) else { return nil }
        return try decoder.string(m.valueStart, m.valueEnd, key)
    }

    func decodeIfPresent(_ type: Bool.Type, forKey key: Key) throws -> Bool? {
        guard let m = member(key), !decoder.isNull(m.valueStart, m.valueEnd) else { return nil }
        return try decoder.bool(m.valueStart, m.valueEnd, key)
    }

    func decodeIfPresent(_ type: Int.Type, forKey key: Key) throws -> Int? {
        guard let m = member(key), !decoder.isNull(m.valueStart, m.valueEnd) else { return nil }
        return try decoder.integer(Int.self, m.valueStart, m.valueEnd, key)
    }

    func decodeIfPresent(_ type: Double.Type, forKey key: Key) throws -> Double? {
        guard let m = member(key), !decoder.isNull(m.valueStart, m.valueEnd) else { return nil }
        return try decoder.floating(Double.self, m.valueStart, m.valueEnd, key)
    }

    private func child(_ key: Key) throws -> SelectiveDecoding {
        let m = try required(key)
        return SelectiveDecoding(decoder.json, m.valueStart, m.valueEnd, ordinal: m.ordinal, parent: decoder, key: key)
    }

    func nestedContainer<NestedKey: CodingKey>(keyedBy type: NestedKey.Type, forKey key: Key) throws -> KeyedDecodingContainer<NestedKey> {
        try child(key).container(keyedBy: type)
    }

    func nestedUnkeyedContainer(forKey key: Key) throws -> any UnkeyedDecodingContainer { try child(key).unkeyedContainer() }

    func superDecoder() throws -> any Decoder { try superDecoder(forKey: Key(stringValue: "super")!) }

    func superDecoder(forKey key: Key) throws -> any Decoder {
        // Like JSONDecoder: a missing key gives a decoder of null.
        guard member(key) != nil else { return SelectiveDecoding(JSONBytes.null, 0, 4, ordinal: 0, parent: decoder, key: key) }
        return try child(key)
    }
}

/// An array's elements, read front to back.
struct SelectiveUnkeyedContainer: UnkeyedDecodingContainer {
    let decoder: SelectiveDecoding
    /// The next element's first byte, or the closing bracket.
    private var position: Int
    /// The number in `JSONBytes.containers` of the next container from `position` on.
    private var ordinal: Int
    private(set) var currentIndex = 0
    private(set) var isAtEnd = false

    init(_ decoder: SelectiveDecoding) throws {
        self.decoder = decoder
        guard decoder.json[decoder.start] == 0x5B else { throw decoder.mismatch([Any].self, decoder.start, decoder.end, nil) }
        position = decoder.start + 1
        ordinal = decoder.ordinal + 1
        decoder.json.skipWhitespace(&position, decoder.end)
        isAtEnd = position < decoder.end && decoder.json[position] == 0x5D
    }

    var codingPath: [any CodingKey] { decoder.codingPath }

    var count: Int? {
        var copy = self
        var n = currentIndex
        while !copy.isAtEnd {
            guard (try? copy.skip()) != nil else { return nil }
            n += 1
        }
        return n
    }

    private var indexKey: IndexKey { IndexKey(intValue: currentIndex) }

    /// The next element's end, and the container number after it; an error when there is none.
    private func next<T>(_ type: T.Type) throws -> (end: Int, ordinal: Int) {
        guard !isAtEnd else {
            throw DecodingError.valueNotFound(
                type, .init(codingPath: decoder.path(appending: indexKey), debugDescription: "Unkeyed container is at end."))
        }
        var after = ordinal
        do { return (try decoder.json.valueEnd(position, decoder.end, ordinal: &after), after) } catch {
            throw decoder.corrupted(indexKey, "The given data was not valid JSON: \(error)")
        }
    }

    /// Moves past the element that ends at `next.end`.
    private mutating func advance(past next: (end: Int, ordinal: Int)) throws {
        let json = decoder.json
        ordinal = next.ordinal
        var i = next.end
        json.skipWhitespace(&i, decoder.end)
        guard i < decoder.end else { throw decoder.corrupted(nil, "The given data was not valid JSON: unexpected end of an array") }
        currentIndex += 1
        if json[i] == 0x5D {
            isAtEnd = true
            position = i
            return
        }
        guard json[i] == 0x2C else { throw decoder.corrupted(nil, "The given data was not valid JSON: expected ',' at byte \(i)") }
        i += 1
        json.skipWhitespace(&i, decoder.end)
        position = i
    }

    private mutating func skip() throws { try advance(past: try next(Any.self)) }

    mutating func decodeNil() throws -> Bool {
        let next = try next(Any?.self)
        guard decoder.isNull(position, next.end) else { return false }
        try advance(past: next)
        return true
    }

    mutating func decode<T: Decodable>(_ type: T.Type) throws -> T {
        let next = try next(T.self)
        let value = try decoder.unbox(T.self, position, next.end, ordinal: ordinal, key: indexKey)
        try advance(past: next)
        return value
    }

    mutating func decode(_ type: String.Type) throws -> String {
        let next = try next(String.self)
        let value = try decoder.string(position, next.end, indexKey)
        try advance(past: next)
        return value
    }

    private func child(_ end: Int) -> SelectiveDecoding {
        SelectiveDecoding(decoder.json, position, end, ordinal: ordinal, parent: decoder, key: indexKey)
    }

    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy type: NestedKey.Type) throws -> KeyedDecodingContainer<NestedKey> {
        let next = try next(KeyedDecodingContainer<NestedKey>.self)
        let container = try child(next.end).container(keyedBy: type)
        try advance(past: next)
        return container
    }

    mutating func nestedUnkeyedContainer() throws -> any UnkeyedDecodingContainer {
        let next = try next((any UnkeyedDecodingContainer).self)
        let container = try child(next.end).unkeyedContainer()
        try advance(past: next)
        return container
    }

    mutating func superDecoder() throws -> any Decoder {
        let next = try next((any Decoder).self)
        let decoder = child(next.end)
        try advance(past: next)
        return decoder
    }
}

/// The coding key of an array element.
struct IndexKey: CodingKey {
    var intValue: Int?
    var stringValue: String { "Index \(intValue ?? 0)" }
    init(intValue: Int) { self.intValue = intValue }
    init?(stringValue: String) { nil }
}

extension JSONBytes {
    /// `null`, for decoders of absent keys.
    static let null: JSONBytes = Array("null".utf8).withUnsafeBytes { JSONBytes(copying: $0) }
}
