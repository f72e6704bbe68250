import Foundation

/// A list answer, `{"<elementsKey>": [ … ], …}`, whose elements can be decoded one at a time as the body arrives.
public protocol StreamableList: Decodable, Sendable {
    associatedtype Element: Decodable
    /// The key of the array that is streamed (`workspaces`).
    static var elementsKey: String { get }
    /// The streamed array, set after the rest of the answer is decoded.
    var streamedElements: [Element] { get set }
}

/// Decodes a `StreamableList` from a body that arrives in pieces, holding one element's bytes at a time.
///
/// The pieces are scanned once. Bytes outside the streamed array are kept (for `{"workspaces":[…],"count":3}`
/// that is `{"workspaces":[],"count":3}`); each element is decoded with `SelectiveJSONDecoder` as soon as its
/// last byte is in, and its bytes are dropped. Memory is then the decoded elements plus the largest element,
/// not the whole body. `result()` decodes the kept bytes and puts the elements in.
public struct StreamedListDecoder<List: StreamableList>: ResponseBodyConsumer {
    private var mapper = StreamedListMapper<List, List.Element> { $0 }

    public init() {}

    public mutating func consume(_ bytes: UnsafeRawBufferPointer) throws { try mapper.consume(bytes) }

    /// The list, once the whole body has been consumed.
    public func result() throws -> List {
        var (list, elements) = try mapper.result()
        if mapper.streamed { list.streamedElements = elements }
        return list
    }

    /// Decodes a whole body at once (for answers that are already in memory).
    public static func decode(_ body: some ContiguousBytes) throws -> List {
        var decoder = Self()
        try body.withUnsafeBytes { try decoder.consume($0) }
        return try decoder.result()
    }
}

/// Like `StreamedListDecoder`, but each element goes through `transform` as soon as it is decoded and only what
/// `transform` returns is kept (nil drops the element): memory then follows the results, not the list.
public struct StreamedListMapper<List: StreamableList, Output>: ResponseBodyConsumer {
    private var scanner = ArrayStreamScanner(key: List.elementsKey)
    private var outputs: [Output] = []
    private var decoded = 0
    /// The bytes of the element being decoded, reused from one element to the next.
    private var buffer: JSONBytes?
    private let transform: (List.Element) throws -> Output?

    public init(_ transform: @escaping (List.Element) throws -> Output?) { self.transform = transform }

    /// Whether the list's array was found (and its elements streamed).
    public var streamed: Bool { scanner.streamed }

    public mutating func consume(_ bytes: UnsafeRawBufferPointer) throws {
        var results: [Output] = []
        var index = decoded
        var buffer = self.buffer
        self.buffer = nil
        let transform = self.transform
        try scanner.scan(bytes) { element, _ in
            let path: [any CodingKey] = [StringKey(List.elementsKey), IndexKey(intValue: index)]
            index += 1
            // The previous element's buffer, unless something still holds it or it is too small.
            if buffer == nil || !isKnownUniquelyReferenced(&buffer) || !buffer!.reuse(copying: element) {
                buffer = JSONBytes(copying: element, capacity: 2 * element.count)
            }
            let value = try SelectiveJSONDecoder().decode(List.Element.self, from: buffer!, codingPath: path)
            if let output = try transform(value) { results.append(output) }
        }
        self.buffer = buffer
        decoded = index
        outputs.append(contentsOf: results)
    }

    /// The rest of the list (its array empty) and the kept results, once the whole body has been consumed.
    public func result() throws -> (list: List, outputs: [Output]) {
        guard scanner.isComplete else {
            throw DecodingError.dataCorrupted(.init(codingPath: [], debugDescription: "The given data was not valid JSON: unexpected end of data"))
        }
        return (try SelectiveJSONDecoder().decode(List.self, from: JSONBytes.copy(scanner.rest)), outputs)
    }
}

/// A coding key given by its name.
struct StringKey: CodingKey {
    var stringValue: String
    var intValue: Int? { nil }
    init(_ name: String) { stringValue = name }
    init?(stringValue: String) { self.stringValue = stringValue }
    init?(intValue: Int) { nil }
}

/// Finds, across pieces, the elements of the array under one key of the top-level object.
///
/// Everything else is copied to `rest` unchanged, with the array left empty. Only the first array under the key
/// is streamed; when the document is not an object or the key holds no array, all of it goes to `rest`, and
/// decoding `rest` then fails or succeeds exactly as decoding the whole document would.
struct ArrayStreamScanner {
    private enum Mode { case outside, between, element }

    let key: [UInt8]
    private(set) var rest: [UInt8] = []
    private(set) var streamed = false
    private var element: [UInt8] = []
    private var mode = Mode.outside
    private var count = 0

    // Outside the array: where the scan is in the document.
    private var depth = 0
    private var inString = false
    private var escaped = false
    private var expectingKey = false
    private var keyStart: Int?
    private var keyMatches = false
    private var valuePending = false

    // Between elements: what may come next.
    private enum Expect { case elementOrEnd, element, commaOrEnd }
    private var expect = Expect.elementOrEnd

    // Inside an element.
    private var elementDepth = 0
    private var elementInString = false
    private var elementEscaped = false
    private var elementIsScalar = false

    init(key: String) { self.key = Array(key.utf8) }

    /// Whether the document so far ends outside every value (the whole body has then been seen).
    var isComplete: Bool { mode == .outside && depth == 0 && !inString }

    /// Scans one piece; `found` gets each element that ends in it, with its position among this piece's elements.
    mutating func scan(_ piece: UnsafeRawBufferPointer, found: (UnsafeRawBufferPointer, Int) throws -> Void) throws {
        var i = 0
        var foundHere = 0
        let n = piece.count
        while i < n {
            switch mode {
            case .outside:
                i = try outside(piece, from: i)
            case .between:
                let c = piece[i]
                if c == 0x20 || c == 0x0A || c == 0x0D || c == 0x09 {
                    i += 1
                    continue
                }
                switch (c, expect) {
                case (0x5D, .elementOrEnd), (0x5D, .commaOrEnd):
                    rest.append(c)
                    mode = .outside
                    i += 1
                case (0x2C, .commaOrEnd):
                    expect = .element
                    i += 1
                case (_, .element) where c != 0x2C && c != 0x5D, (_, .elementOrEnd) where c != 0x2C && c != 0x5D:
                    mode = .element
                    elementDepth = 0
                    elementInString = false
                    elementEscaped = false
                    elementIsScalar = c != 0x7B && c != 0x5B && c != 0x22
                default:
                    throw DecodingError.dataCorrupted(
                        .init(
                            codingPath: [StringKey(String(decoding: key, as: UTF8.self))],
                            debugDescription: "The given data was not valid JSON: unexpected '\(Unicode.Scalar(c))' in the array"))
                }
            case .element:
                let (end, done) = elementEnd(piece, from: i)
                element.append(contentsOf: UnsafeRawBufferPointer(rebasing: piece[i..<end]))
                i = end
                if done {
                    try element.withUnsafeBytes { try found($0, foundHere) }
                    foundHere += 1
                    count += 1
                    element.removeAll(keepingCapacity: true)
                    mode = .between
                    expect = .commaOrEnd
                }
            }
        }
    }

    /// Copies bytes outside the streamed array to `rest` until the array opens or the piece ends.
    private mutating func outside(_ piece: UnsafeRawBufferPointer, from start: Int) throws -> Int {
        var i = start
        let n = piece.count
        while i < n {
            let c = piece[i]
            if inString {
                rest.append(c)
                i += 1
                if escaped {
                    escaped = false
                } else if c == 0x5C {
                    escaped = true
                } else if c == 0x22 {
                    inString = false
                    if let begin = keyStart {
                        keyMatches = rest.count - 1 - begin == key.count && rest[begin..<(rest.count - 1)].elementsEqual(key)
                        keyStart = nil
                    }
                }
                continue
            }
            let whitespace = c == 0x20 || c == 0x0A || c == 0x0D || c == 0x09
            if valuePending, !whitespace {
                valuePending = false
                if keyMatches, c == 0x5B, !streamed {
                    rest.append(c)
                    streamed = true
                    mode = .between
                    expect = .elementOrEnd
                    return i + 1
                }
            }
            rest.append(c)
            i += 1
            switch c {
            case 0x22:
                inString = true
                if depth == 1, expectingKey {
                    keyStart = rest.count
                    expectingKey = false
                }
            case 0x7B:
                depth += 1
                if depth == 1 { expectingKey = true }
            case 0x5B: depth += 1
            case 0x7D, 0x5D: depth -= 1
            case 0x2C where depth == 1:
                expectingKey = true
                keyMatches = false
            case 0x3A where depth == 1: valuePending = true
            default: break
            }
        }
        return i
    }

    /// How far the current element goes in this piece, and whether it ends there.
    private mutating func elementEnd(_ piece: UnsafeRawBufferPointer, from start: Int) -> (Int, Bool) {
        var i = start
        let n = piece.count
        if elementIsScalar {
            while i < n {
                let c = piece[i]
                if c == 0x2C || c == 0x5D || c == 0x20 || c == 0x0A || c == 0x0D || c == 0x09 { return (i, true) }
                i += 1
            }
            return (i, false)
        }
        // Locals, not properties, in the loop: it runs over every byte of the list.
        var depth = elementDepth, inString = elementInString, escaped = elementEscaped
        defer {
            elementDepth = depth
            elementInString = inString
            elementEscaped = escaped
        }
        while i < n {
            if inString {
                if escaped {
                    escaped = false
                    i += 1
                    continue
                }
                while i < n {
                    let c = piece[i]
                    if c == 0x22 || c == 0x5C { break }
                    i += 1
                }
                guard i < n else { return (n, false) }
                if piece[i] == 0x5C {
                    escaped = true
                    i += 1
                    continue
                }
                inString = false
                i += 1
                if depth == 0 { return (i, true) }
                continue
            }
            switch piece[i] {
            case 0x22: inString = true
            case 0x7B, 0x5B: depth += 1
            case 0x7D, 0x5D:
                depth -= 1
                if depth == 0 { return (i + 1, true) }
            default: break
            }
            i += 1
        }
        return (n, false)
    }
}
