import Foundation

/// One JSON document's bytes, owned, and the scanning primitives of `SelectiveJSONDecoder`.
///
/// Scanning works on raw bytes and builds nothing: `skipValue` walks a subtree by counting brackets outside
/// strings, which is what lets the decoder pass over the parts of Coder's answers that fleet-mcp never reads.
final class JSONBytes: @unchecked Sendable {
    /// The allocation; the document is its first `count` bytes.
    let bytes: UnsafeRawBufferPointer
    private(set) var count: Int

    init(copying source: UnsafeRawBufferPointer, capacity: Int = 0) {
        let storage = UnsafeMutableRawBufferPointer.allocate(byteCount: max(source.count, capacity, 1), alignment: 1)
        if let base = source.baseAddress { storage.baseAddress!.copyMemory(from: base, byteCount: source.count) }
        bytes = UnsafeRawBufferPointer(storage)
        count = source.count
    }

    /// A copy of `source`'s bytes.
    static func copy(_ source: some ContiguousBytes) -> JSONBytes { source.withUnsafeBytes { JSONBytes(copying: $0) } }

    /// Replaces the document with a copy of `source` in the same allocation, when it fits (for decoding one list
    /// element after another without an allocation each).
    func reuse(copying source: UnsafeRawBufferPointer) -> Bool {
        guard source.count <= bytes.count else { return false }
        if let base = source.baseAddress { UnsafeMutableRawPointer(mutating: bytes.baseAddress!).copyMemory(from: base, byteCount: source.count) }
        count = source.count
        containers.removeAll(keepingCapacity: true)
        indexed = false
        return true
    }

    deinit { bytes.deallocate() }

    @inline(__always) subscript(_ index: Int) -> UInt8 { bytes[index] }

    // MARK: - Scanning

    @inline(__always) func skipWhitespace(_ index: inout Int, _ end: Int) {
        while index < end {
            let c = bytes[index]
            guard c == 0x20 || c == 0x0A || c == 0x0D || c == 0x09 else { return }
            index += 1
        }
    }

    /// The index just past the string that starts (with its quote) at `index`.
    @inline(__always) func stringEnd(_ index: Int, _ end: Int) throws(JSONScanError) -> Int {
        // Most strings are short (keys, UUIDs): a plain loop; longer ones go to memchr.
        var i = index + 1
        let inline = min(end, i + 48)
        while i < inline {
            let c = bytes[i]
            if c == 0x22 { return i + 1 }
            i += c == 0x5C ? 2 : 1
        }
        guard let base = bytes.baseAddress else { throw JSONScanError.unexpectedEnd(index) }
        var from = i
        while from < end, let found = memchr(base + from, 0x22, end - from) {
            let quote = base.distance(to: UnsafeRawPointer(found))
            // The quote ends the string unless an odd number of backslashes escapes it.
            var k = quote - 1
            while k > index, bytes[k] == 0x5C { k -= 1 }
            if (quote - 1 - k) % 2 == 0 { return quote + 1 }
            from = quote + 1
        }
        throw JSONScanError.unexpectedEnd(index)
    }

    /// Where each object and array of the document ends, in document order of their openings.
    ///
    /// Built in one pass before decoding, so that passing over a container is a lookup: without it, every object a
    /// type opens would walk all the bytes under it again, once per level of nesting.
    private(set) var containers: [ContainerSpan] = []

    /// One object or array: the index of its closing bracket, and the number (in `containers`) of the next container
    /// after it, i.e. after everything nested in it.
    struct ContainerSpan {
        var close: Int32
        var next: Int32
    }

    private var indexed = false

    /// Fills `containers` (once); fails when brackets do not balance or a string does not end.
    func indexContainers() throws(JSONScanError) {
        guard !indexed else { return }
        indexed = true
        var spans: [ContainerSpan] = []
        spans.reserveCapacity(count / 64)
        var open: [(ordinal: Int, bracket: UInt8)] = []
        var i = 0
        let end = count
        while i < end {
            switch bytes[i] {
            case 0x22:
                i = try stringEnd(i, end)
                continue
            case 0x7B, 0x5B:
                open.append((spans.count, bytes[i]))
                spans.append(ContainerSpan(close: 0, next: 0))
            case 0x7D, 0x5D:
                guard let last = open.popLast(), last.bracket + 2 == bytes[i] else { throw JSONScanError.unexpected(bytes[i], i) }
                spans[last.ordinal] = ContainerSpan(close: Int32(i), next: Int32(spans.count))
            default: break
            }
            i += 1
        }
        if let unclosed = open.last { throw JSONScanError.unexpectedEnd(Int(spans[unclosed.ordinal].close)) }
        containers = spans
    }

    /// The index just past the value that starts at `index` (no leading whitespace). `ordinal` is the number of the
    /// next container in `containers`; a container value uses it and moves it past its own nested containers.
    ///
    /// Skipped subtrees are not validated beyond bracket balance and string quoting.
    @inline(__always) func valueEnd(_ index: Int, _ end: Int, ordinal: inout Int) throws(JSONScanError) -> Int {
        guard index < end else { throw JSONScanError.unexpectedEnd(index) }
        switch bytes[index] {
        case 0x22: return try stringEnd(index, end)
        case 0x7B, 0x5B:
            try indexContainers()
            guard ordinal < containers.count else { throw JSONScanError.unexpected(bytes[index], index) }
            let span = containers[ordinal]
            ordinal = Int(span.next)
            return Int(span.close) + 1
        case 0x74: return try literalEnd(index, end, "true")
        case 0x66: return try literalEnd(index, end, "false")
        case 0x6E: return try literalEnd(index, end, "null")
        case 0x2D, 0x30...0x39: return try number(index, end).end
        default: throw JSONScanError.unexpected(bytes[index], index)
        }
    }

    /// The index just past the value that starts at `index`, found by walking it (for one forward pass, where an
    /// index of containers would cost more than it saves).
    func skipValue(_ index: Int, _ end: Int) throws(JSONScanError) -> Int {
        guard index < end else { throw JSONScanError.unexpectedEnd(index) }
        guard bytes[index] == 0x7B || bytes[index] == 0x5B else {
            var ordinal = 0
            return try valueEnd(index, end, ordinal: &ordinal)
        }
        var depth = 0
        var i = index
        while i < end {
            switch bytes[i] {
            case 0x22:
                i = try stringEnd(i, end)
                continue
            case 0x7B, 0x5B: depth += 1
            case 0x7D, 0x5D:
                depth -= 1
                if depth == 0 { return i + 1 }
            default: break
            }
            i += 1
        }
        throw JSONScanError.unexpectedEnd(index)
    }

    private func literalEnd(_ index: Int, _ end: Int, _ word: StaticString) throws(JSONScanError) -> Int {
        let length = word.utf8CodeUnitCount
        guard index + length <= end else { throw JSONScanError.unexpectedEnd(index) }
        for offset in 0..<length where bytes[index + offset] != word.utf8Start[offset] {
            throw JSONScanError.unexpected(bytes[index + offset], index + offset)
        }
        return index + length
    }

    func isLiteral(_ index: Int, _ end: Int, _ word: StaticString) -> Bool {
        (try? literalEnd(index, end, word)) == end
    }

    /// Validates JSON's number grammar from `index`; `integral` is false when it has a fraction or an exponent.
    func number(_ index: Int, _ end: Int) throws(JSONScanError) -> (end: Int, integral: Bool) {
        var i = index
        if i < end, bytes[i] == 0x2D { i += 1 }
        guard i < end else { throw JSONScanError.unexpectedEnd(i) }
        if bytes[i] == 0x30 {
            i += 1
        } else if (0x31...0x39).contains(bytes[i]) {
            while i < end, (0x30...0x39).contains(bytes[i]) { i += 1 }
        } else {
            throw JSONScanError.unexpected(bytes[i], i)
        }
        var integral = true
        if i < end, bytes[i] == 0x2E {
            integral = false
            i += 1
            let digits = i
            while i < end, (0x30...0x39).contains(bytes[i]) { i += 1 }
            guard i > digits else { throw i < end ? JSONScanError.unexpected(bytes[i], i) : JSONScanError.unexpectedEnd(i) }
        }
        if i < end, bytes[i] == 0x65 || bytes[i] == 0x45 {
            integral = false
            i += 1
            if i < end, bytes[i] == 0x2B || bytes[i] == 0x2D { i += 1 }
            let digits = i
            while i < end, (0x30...0x39).contains(bytes[i]) { i += 1 }
            guard i > digits else { throw i < end ? JSONScanError.unexpected(bytes[i], i) : JSONScanError.unexpectedEnd(i) }
        }
        return (i, integral)
    }

    // MARK: - Reading values

    /// The string whose opening quote is at `index` and whose closing quote is just before `end`.
    func string(_ index: Int, _ end: Int) throws(JSONScanError) -> String {
        let start = index + 1, stop = end - 1
        var i = start
        var high: UInt8 = 0
        while i < stop {
            let c = bytes[i]
            if c == 0x5C { return try unescaped(start, stop) }
            if c < 0x20 { throw JSONScanError.unexpected(c, i) }
            high |= c
            i += 1
        }
        let raw = UnsafeRawBufferPointer(rebasing: bytes[start..<stop])
        // ASCII needs no validation (and `String(validating:)` is slow: generic, unspecialised).
        if high < 0x80 { return String(decoding: raw, as: UTF8.self) }
        guard let text = String(validating: raw.assumingMemoryBound(to: UInt8.self), as: UTF8.self) else {
            throw JSONScanError.invalidUTF8(start)
        }
        return text
    }

    /// Whether the bytes of the string at `index..<end` (quotes included, no escapes) equal `key`'s UTF-8.
    @inline(__always) func rawEquals(_ index: Int, _ end: Int, _ key: UnsafeBufferPointer<UInt8>) -> Bool {
        let length = end - index - 2
        guard length == key.count else { return false }
        guard length > 0 else { return true }
        return memcmp(bytes.baseAddress! + index + 1, key.baseAddress!, length) == 0
    }

    private func unescaped(_ start: Int, _ stop: Int) throws(JSONScanError) -> String {
        var out: [UInt8] = []
        out.reserveCapacity(stop - start)
        var i = start
        while i < stop {
            let c = bytes[i]
            if c < 0x20 { throw JSONScanError.unexpected(c, i) }
            guard c == 0x5C else {
                out.append(c)
                i += 1
                continue
            }
            guard i + 1 < stop else { throw JSONScanError.unexpectedEnd(i) }
            let e = bytes[i + 1]
            i += 2
            switch e {
            case 0x22, 0x5C, 0x2F: out.append(e)
            case 0x62: out.append(0x08)
            case 0x66: out.append(0x0C)
            case 0x6E: out.append(0x0A)
            case 0x72: out.append(0x0D)
            case 0x74: out.append(0x09)
            case 0x75:
                var scalar = try hex4(i, stop)
                i += 4
                if (0xD800...0xDBFF).contains(scalar) {
                    guard i + 6 <= stop, bytes[i] == 0x5C, bytes[i + 1] == 0x75 else { throw JSONScanError.badSurrogate(i) }
                    let low = try hex4(i + 2, stop)
                    guard (0xDC00...0xDFFF).contains(low) else { throw JSONScanError.badSurrogate(i) }
                    scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
                    i += 6
                } else if (0xDC00...0xDFFF).contains(scalar) {
                    throw JSONScanError.badSurrogate(i)
                }
                out.append(contentsOf: UTF8.encode(Unicode.Scalar(scalar)!)!)
            default: throw JSONScanError.unexpected(e, i - 1)
            }
        }
        guard let text = String(validating: out, as: UTF8.self) else { throw JSONScanError.invalidUTF8(start) }
        return text
    }

    private func hex4(_ index: Int, _ stop: Int) throws(JSONScanError) -> UInt32 {
        guard index + 4 <= stop else { throw JSONScanError.unexpectedEnd(index) }
        var value: UInt32 = 0
        for i in index..<(index + 4) {
            let c = bytes[i]
            let digit: UInt8
            switch c {
            case 0x30...0x39: digit = c - 0x30
            case 0x41...0x46: digit = c - 0x41 + 10
            case 0x61...0x66: digit = c - 0x61 + 10
            default: throw JSONScanError.unexpected(c, i)
            }
            value = value << 4 | UInt32(digit)
        }
        return value
    }

    /// The number token `start..<end` (grammar already checked) as `T`, or nil when `T` cannot hold it exactly.
    /// Fractions and exponents are accepted when the value is whole (`1e2` is 100), as `JSONDecoder` accepts them.
    func integer<T: FixedWidthInteger>(_ type: T.Type, _ start: Int, _ end: Int, integral: Bool) -> T? {
        guard integral else { return Double(text(start, end)).flatMap { T(exactly: $0) } }
        let negative = bytes[start] == 0x2D
        var value: T = 0
        for i in (negative ? start + 1 : start)..<end {
            let digit = T(bytes[i] - 0x30)
            let (shifted, o1) = value.multipliedReportingOverflow(by: 10)
            let (next, o2) = negative ? shifted.subtractingReportingOverflow(digit) : shifted.addingReportingOverflow(digit)
            guard !o1, !o2 else { return nil }
            value = next
        }
        return value
    }

    /// The number token `index..<end` as text (for the slow paths: fractions, exponents, `Double`).
    func text(_ index: Int, _ end: Int) -> String {
        String(decoding: UnsafeRawBufferPointer(rebasing: bytes[index..<end]), as: UTF8.self)
    }
}

/// Why bytes are not the JSON the decoder expected; `SelectiveJSONDecoder` turns it into a `DecodingError`.
enum JSONScanError: Error, CustomStringConvertible {
    case unexpected(UInt8, Int)
    case unexpectedEnd(Int)
    case invalidUTF8(Int)
    case badSurrogate(Int)

    var description: String {
        switch self {
        case .unexpected(let byte, let offset):
            "unexpected character '\(Unicode.Scalar(byte).escaped(asASCII: true))' at byte \(offset)"
        case .unexpectedEnd(let offset): "unexpected end of data after byte \(offset)"
        case .invalidUTF8(let offset): "invalid UTF-8 in the string at byte \(offset)"
        case .badSurrogate(let offset): "unpaired UTF-16 surrogate at byte \(offset)"
        }
    }
}
