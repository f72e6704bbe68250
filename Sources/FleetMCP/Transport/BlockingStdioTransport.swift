import Foundation
import Logging
import MCP
import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// MCP over stdin/stdout with a blocking reader on its own thread.
///
/// Written here because the SDK's `StdioTransport` polls a non-blocking stdin every 10 ms, adding up to 10 ms
/// to every call; a blocking `read(2)` wakes as soon as a message arrives. Messages are newline-delimited
/// JSON-RPC (MCP stdio transport). Nothing else may write to stdout.
///
/// Frames are read and screened (`RPCFrame`) before the SDK sees them, so malformed JSON-RPC gets the answer the spec
/// requires; a line longer than `maxFrameBytes` is dropped with an error answer instead of growing without bound.
public actor BlockingStdioTransport: Transport {
    public nonisolated let logger: Logger
    private let input: Int32
    private let writer: FrameWriter
    /// The longest message accepted (16 MiB).
    public static let maxFrameBytes = 16 << 20
    private let stream: AsyncThrowingStream<Data, any Error>
    private let continuation: AsyncThrowingStream<Data, any Error>.Continuation
    private var started = false
    private let direct: DirectToolCalls?

    /// - Parameter direct: answers `tools/call` below the SDK (`FleetMCPServer.directToolCalls()`); nil leaves
    ///   every message to the SDK.
    public init(
        input: Int32 = STDIN_FILENO, output: Int32 = STDOUT_FILENO, direct: DirectToolCalls? = nil,
        logger: Logger = Logger(label: "fleet-mcp.stdio")
    ) {
        self.input = input
        self.direct = direct
        self.writer = FrameWriter(output: output)
        self.logger = logger
        (stream, continuation) = AsyncThrowingStream.makeStream(of: Data.self, throwing: (any Error).self)
    }

    public func connect() async throws {
        guard !started else { return }
        started = true
        let input = self.input
        let continuation = self.continuation
        let writer = self.writer
        let logger = self.logger
        let direct = self.direct
        let thread = Thread {
            var pending = Data()
            var discarding = false
            var buffer = [UInt8](repeating: 0, count: 64 * 1024)
            func deliver(_ line: Data) {
                switch RPCFrame.read(line) {
                case .message(let frame):
                    // 2026-07-28 (per request, beside the handshake era): answered by the era layer.
                    if let direct, frame.isRequest, ModernEra.speaks(frame) {
                        direct.modern.serve(frame) { try? writer.write($0) }
                        return
                    }
                    if let direct, direct.take(frame, reply: { try? writer.write($0) }) { return }
                    continuation.yield(line)
                case .batch:
                    continuation.yield(line)
                case .refused(let refusal):
                    logger.debug("answered a malformed JSON-RPC frame (\(line.count) bytes)")
                    try? writer.write(refusal.response)
                }
            }
            while true {
                let count = buffer.withUnsafeMutableBytes { read(input, $0.baseAddress, $0.count) }
                if count < 0, errno == EINTR { continue }
                if count <= 0 { break }
                pending.append(contentsOf: buffer[0..<count])
                while let newline = pending.firstIndex(of: 0x0A) {
                    let line = pending[pending.startIndex..<newline]
                    pending = Data(pending[(newline + 1)...])
                    if discarding {
                        discarding = false
                        continue
                    }
                    let trimmed = line.last == 0x0D ? line.dropLast() : line
                    if !trimmed.isEmpty { deliver(Data(trimmed)) }
                }
                if !discarding, pending.count > Self.maxFrameBytes {
                    discarding = true
                    pending = Data()
                    try? writer.write(RPCFrame.tooLarge(limit: Self.maxFrameBytes).response)
                } else if discarding {
                    pending = Data()
                }
            }
            if !pending.isEmpty, !discarding { deliver(pending) }
            continuation.finish()
        }
        thread.name = "fleet-mcp-stdin"
        thread.start()
    }

    public func disconnect() async {
        continuation.finish()
    }

    public func send(_ data: Data) async throws {
        try writer.write(data)
    }

    public func receive() -> AsyncThrowingStream<Data, any Error> { stream }
}

/// Writes whole newline-terminated frames to stdout; one lock, so the SDK's answers and the screen's never interleave.
final class FrameWriter: Sendable {
    private let output: Int32
    private let lock = Mutex(())

    init(output: Int32) { self.output = output }

    func write(_ data: Data) throws {
        var message = data
        message.append(0x0A)
        try lock.withLock { _ in
            try message.withUnsafeBytes { raw in
                var offset = 0
                while offset < raw.count {
                    let written = systemWrite(output, raw.baseAddress! + offset, raw.count - offset)
                    if written < 0 {
                        if errno == EINTR || errno == EAGAIN { continue }
                        throw MCPError.transportError(POSIXError(POSIXErrorCode(rawValue: errno) ?? .EIO))
                    }
                    offset += written
                }
            }
        }
    }
}

/// `write(2)`, named apart from `FrameWriter.write`.
private func systemWrite(_ fd: Int32, _ bytes: UnsafeRawPointer, _ count: Int) -> Int {
    write(fd, bytes, count)
}
