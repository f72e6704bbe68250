import CoderAPI
import Foundation
import Hummingbird
import Testing

/// The workspace list through `CoderClient` as it is really read: streamed by `LiveTransport` from a server that
/// sends it in small pieces, and collected whole by transports that cannot stream (replay).
@Suite struct StreamingClientTests {
    /// The recorded list of three workspaces.
    static func recordedList() throws -> Data {
        let cassette = try Fixtures.cassette("list_workspaces_success.yaml")
        let body = try #require(cassette.interactions.first { $0.request.path == "/api/v2/workspaces" }?.response.body.string)
        return Data(body.utf8)
    }

    final class Hits: @unchecked Sendable {
        private let lock = NSLock()
        private var count = 0
        func next() -> Int {
            lock.withLock {
                count += 1
                return count
            }
        }
    }

    /// A server whose `/api/v2/workspaces` sends `body` in pieces of `piece` bytes; `/flaky/...` fails once with 503.
    static func withServer(_ body: Data, piece: Int, _ test: @Sendable (CoderClient) async throws -> Void) async throws {
        let hits = Hits()
        let router = Router()
        let chunks = stride(from: 0, to: body.count, by: piece).map { ByteBuffer(bytes: body[$0..<min(body.count, $0 + piece)]) }
        let respond: @Sendable () -> Response = {
            Response(
                status: .ok, headers: [.contentType: "application/json"],
                body: ResponseBody { writer in
                    for chunk in chunks {
                        try await writer.write(chunk)
                        await Task.yield()
                    }
                    try await writer.finish(nil)
                })
        }
        router.get("/api/v2/workspaces") { _, _ in respond() }
        router.get("/flaky/api/v2/workspaces") { _, _ -> Response in
            hits.next() == 1 ? Response(status: .serviceUnavailable, headers: [.retryAfter: "0"]) : respond()
        }
        router.get("/broken/api/v2/workspaces") { _, _ -> Response in
            Response(
                status: .ok, headers: [.contentType: "application/json"],
                body: .init(byteBuffer: ByteBuffer(bytes: body.prefix(body.count / 2))))
        }
        router.get("/missing/api/v2/workspaces") { _, _ -> Response in
            Response(
                status: .notFound, headers: [.contentType: "application/json"],
                body: .init(byteBuffer: ByteBuffer(string: #"{"message":"Route not found."}"#)))
        }
        try await Loopback.serve(router) { url in
            let transport = LiveTransport()
            do {
                try await test(
                    CoderClient(baseURL: url, token: nil, transport: transport, retry: RetryPolicy(maxAttempts: 3, baseDelay: .milliseconds(5))))
            } catch {
                try await transport.shutdown()
                throw error
            }
            try await transport.shutdown()
        }
    }

    @Test(arguments: [13, 500, 1 << 20])
    func streamedListEqualsJSONDecoder(piece: Int) async throws {
        let body = try Self.recordedList()
        let expected = try CoderJSON.decode(WorkspaceViewsResponse.self, from: body)
        #expect(expected.workspaces.count == 3)
        try await Self.withServer(body, piece: piece) { client in
            let list = try await client.workspaces(WorkspaceFilter(owner: "me"), as: WorkspaceViewsResponse.self)
            #expect(list == expected)
            let names = try await client.workspaces(WorkspaceFilter(owner: "me")) { $0.name.hasPrefix("test") ? $0.name : nil }
            #expect(names.items == expected.workspaces.map(\.name).filter { $0.hasPrefix("test") })
            #expect(names.count == expected.count)
        }
    }

    @Test func retriedAttemptStartsAFreshDecoder() async throws {
        let body = try Self.recordedList()
        let expected = try CoderJSON.decode(WorkspaceViewsResponse.self, from: body)
        try await Self.withServer(body, piece: 500) { client in
            let flaky = CoderClient(
                baseURL: client.baseURL.appendingPathComponent("flaky"), token: nil, transport: client.transport,
                retry: client.retry)
            let list = try await flaky.workspaces(WorkspaceFilter(), as: WorkspaceViewsResponse.self)
            #expect(list == expected)
        }
    }

    @Test func errorsKeepTheirTypes() async throws {
        try await Self.withServer(try Self.recordedList(), piece: 500) { client in
            let broken = CoderClient(baseURL: client.baseURL.appendingPathComponent("broken"), token: nil, transport: client.transport, retry: .none)
            await #expect(throws: CoderDecodingError.self) { _ = try await broken.workspaces(WorkspaceFilter(), as: WorkspaceViewsResponse.self) }
            let missing = CoderClient(
                baseURL: client.baseURL.appendingPathComponent("missing"), token: nil, transport: client.transport,
                retry: .none)
            let error = await #expect(throws: CoderAPIError.self) { _ = try await missing.workspaces(WorkspaceFilter()) { $0.id } }
            #expect(error?.status == 404)
            #expect(error?.message == "Route not found.")
        }
    }

    @Test func transportsThatCannotStreamHandTheWholeBodyOver() async throws {
        let replay = try ReplayTransport(contentsOf: Fixtures.cassetteURL("list_workspaces_success.yaml"))
        let counting = CountingTransport(replay)
        let client = CoderClient(baseURL: URL(string: "https://coder.example.com")!, token: nil, transport: counting, retry: .none)
        let expected = try CoderJSON.decode(WorkspaceViewsResponse.self, from: try Self.recordedList())
        let ids = try await client.workspaces(WorkspaceFilter(owner: "me")) { $0.id }
        #expect(ids.items == expected.workspaces.map(\.id))
        #expect(counting.count == 1)
    }
}
