import Foundation
import MCP

/// What the MCP Swift SDK (0.12.1) adds to one tool result on the server, measured on the result the client got.
///
/// `TypedRequestHandler` encodes every handler's result and decodes it again into a `Value` before the response is
/// encoded for the wire; decoding builds and compiles a data-URL regex for every string. A server that wrote its
/// result once would skip both steps; this times them.
enum SDKCost {
    struct Figures: Codable {
        /// Median time of the SDK's re-encode and `Value` re-decode of the result.
        var redecodeMs: Double
        /// JSON strings in the result (each costs one regex).
        var strings: Int
    }

    static func measure(_ result: CallTool.Result, repetitions: Int = 15) throws -> Figures {
        let encoder = JSONEncoder()
        let decoder = JSONDecoder()
        var times: [Double] = []
        var value = Value.null
        for _ in 0..<repetitions {
            let started = ContinuousClock.now
            let data = try encoder.encode(result)
            value = try decoder.decode(Value.self, from: data)
            times.append((ContinuousClock.now - started).milliseconds)
        }
        times.sort()
        return Figures(redecodeMs: times[times.count / 2], strings: strings(in: value))
    }

    static func strings(in value: Value) -> Int {
        switch value {
        case .string: 1
        case .array(let items): items.reduce(0) { $0 + strings(in: $1) }
        case .object(let members): members.values.reduce(0) { $0 + strings(in: $1) }
        default: 0
        }
    }
}
