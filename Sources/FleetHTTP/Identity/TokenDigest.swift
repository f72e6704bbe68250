import Crypto
import Foundation

/// SHA-256 digests of bearer tokens, and their comparison in constant time.
///
/// The users file stores only digests (`fleet-mcp token hash` prints one), so a leaked file grants nothing.
public enum TokenDigest {
    /// The lower-case hex SHA-256 of `token`'s UTF-8 bytes.
    public static func hex(_ token: String) -> String {
        SHA256.hash(data: Data(token.utf8)).map { String(format: "%02x", $0) }.joined()
    }

    /// The raw digest of `token`.
    static func bytes(_ token: String) -> [UInt8] { Array(SHA256.hash(data: Data(token.utf8))) }

    /// Bytes of a 64-character hex digest, or nil when it is not one.
    static func bytes(hex: String) -> [UInt8]? {
        let text = hex.lowercased()
        guard text.count == 64, text.allSatisfy(\.isHexDigit) else { return nil }
        var bytes: [UInt8] = []
        var index = text.startIndex
        while index < text.endIndex {
            let next = text.index(index, offsetBy: 2)
            bytes.append(UInt8(text[index..<next], radix: 16)!)
            index = next
        }
        return bytes
    }

    /// Whether two digests are equal, in time that depends only on their length.
    static func equal(_ left: [UInt8], _ right: [UInt8]) -> Bool {
        guard left.count == right.count else { return false }
        var difference: UInt8 = 0
        for index in left.indices { difference |= left[index] ^ right[index] }
        return difference == 0
    }
}
