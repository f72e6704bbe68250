import CoderAPI
import Foundation
import Hummingbird
import Synchronization
import Testing

/// The client against recorded real traffic: the requests it sends equal the recorded ones.
@Suite struct RecordedRequestTests {
    func client(_ cassette: String) throws -> (CoderClient, CountingTransport, ReplayTransport) {
        let replay = try ReplayTransport(contentsOf: Fixtures.cassetteURL(cassette))
        let capture = CountingTransport(replay)
        let client = CoderClient(
            baseURL: URL(string: "https://coder.example.com")!, token: SessionToken("t-secret"),
            transport: capture, retry: .none)
        return (client, capture, replay)
    }

    func recordedBody(_ cassette: String, index: Int) throws -> NSDictionary? {
        jsonObject(Data((try Fixtures.cassette(cassette).interactions[index].request.body ?? "").utf8))
    }

    @Test func createWithPresetAndPromptMatchesRecording() async throws {
        let (client, capture, replay) = try client("create_workspace_success.yaml")
        let request = CreateWorkspaceRequest(
            name: "test-recording-agent", templateID: "cc29db59-0483-4520-869e-777e9a05bf65",
            templateVersionPresetID: "d2e0fcc7-59d5-493b-a346-2b90e26aabe9",
            richParameterValues: [WorkspaceBuildParameter(name: "AI Prompt", value: "Test recording task")])
        let workspace = try await client.createWorkspace(organization: "1dd993f1-dec7-401f-bbc3-0df50c2bee9b", request)
        #expect(workspace.latestBuild.status == .pending)
        #expect(workspace.latestBuild.templateVersionPresetID == "d2e0fcc7-59d5-493b-a346-2b90e26aabe9")
        let sent = try #require(capture.requests.first)
        #expect(sent.method == "POST")
        #expect(sent.url.path == "/api/v2/organizations/1dd993f1-dec7-401f-bbc3-0df50c2bee9b/members/me/workspaces")
        #expect(jsonObject(sent.body) == (try recordedBody("create_workspace_success.yaml", index: 0)))
        #expect(sent.header("Coder-Session-Token") == "t-secret")
        #expect(replay.unmatched.isEmpty)
    }

    @Test func deleteBuildMatchesRecording() async throws {
        let (client, capture, _) = try client("test_delete_workspace.yaml")
        let build = try await client.createBuild(
            workspaceID: "50a9812d-43c5-4c25-b606-38e5d6aeb141",
            CreateWorkspaceBuildRequest(transition: .delete))
        #expect(build.transition == .delete)
        let sent = try #require(capture.requests.last)
        let recorded = try Fixtures.cassette("test_delete_workspace.yaml").interactions.last!.request
        #expect(sent.method == recorded.method)
        #expect(sent.url.path == recorded.path)
        #expect(jsonObject(sent.body) == jsonObject(Data((recorded.body ?? "").utf8)))
    }

    @Test func taskSendMatchesRecording() async throws {
        let (client, capture, _) = try client("send_task_input_success.yaml")
        try await client.sendTaskInput(
            .experimental, owner: "mvgijssel", id: "5d9aa1c3-c2a1-4205-875e-978ba2189bbf",
            input: "Write hello world to a file")
        let sent = try #require(capture.requests.first)
        #expect(sent.url.path == "/api/experimental/tasks/mvgijssel/5d9aa1c3-c2a1-4205-875e-978ba2189bbf/send")
        #expect(jsonObject(sent.body) == (try recordedBody("send_task_input_success.yaml", index: 0)))
    }

    @Test func invalidNameSurfacesValidation() async throws {
        let replay = try ReplayTransport(contentsOf: Fixtures.cassetteURL("test_create_agent_invalid_name.yaml"))
        let client = CoderClient(baseURL: URL(string: "https://coder.example.com")!, token: nil, transport: replay)
        let request = CreateWorkspaceRequest(
            name: "agent-invalid@name", templateID: "cc29db59-0483-4520-869e-777e9a05bf65",
            richParameterValues: [WorkspaceBuildParameter(name: "AI Prompt", value: "Test")])
        let error = await #expect(throws: CoderAPIError.self) {
            _ = try await client.createWorkspace(organization: "1dd993f1-dec7-401f-bbc3-0df50c2bee9b", request)
        }
        #expect(error?.status == 400)
        #expect(error?.message == "Validation failed.")
        #expect(error?.validation(for: "name")?.detail.contains("workspace_name") == true)
    }

    @Test func nonUUIDWorkspaceIsA400WithCodersMessage() async throws {
        let (client, _, _) = try client("get_workspace_not_found.yaml")
        let error = await #expect(throws: CoderAPIError.self) { _ = try await client.workspace(id: "non-existent-id") }
        #expect(error?.status == 400)
        #expect(error?.message == "Invalid UUID \"non-existent-id\".")
        #expect(error?.detail == "invalid UUID length: 15")
        #expect(error.map { "\($0)" }?.contains("t-secret") == false)
    }

    @Test func unknownTaskOwnerIsA400() async throws {
        let (client, _, _) = try client("test_get_task_not_found.yaml")
        let error = await #expect(throws: CoderAPIError.self) {
            _ = try await client.task(.experimental, owner: "nonexistent", id: "00000000-0000-0000-0000-000000000000")
        }
        #expect(error?.message == "\"user\" must be an existing uuid or username.")
    }

    @Test func unmatchedRequestNamesTheRequest() async throws {
        let (client, _, replay) = try client("get_task_success.yaml")
        let error = await #expect(throws: ReplayTransport.Unmatched.self) { _ = try await client.templates() }
        #expect(error?.request == "GET /api/v2/templates")
        #expect(replay.unmatched == ["GET /api/v2/templates"])
    }

    @Test func replayRepeatsTheLastAnswerAndKeepsOrder() async throws {
        let (client, _, _) = try client("test_delete_workspace.yaml")
        var statuses: [WorkspaceStatus] = []
        for _ in 0..<50 { statuses.append(try await client.workspace(id: "50a9812d-43c5-4c25-b606-38e5d6aeb141").latestBuild.status) }
        #expect(statuses.first == .pending || statuses.first == .starting)
        #expect(statuses.last == .running)
        #expect(statuses.suffix(7).allSatisfy { $0 == statuses.last })
    }
}

/// Retry, backoff, timeout and error mapping against a real local HTTP server.
@Suite struct LiveTransportTests {
    final class Counter: @unchecked Sendable {
        private let lock = NSLock()
        private var counts: [String: Int] = [:]
        func next(_ key: String) -> Int {
            lock.withLock {
                counts[key, default: 0] += 1
                return counts[key]!
            }
        }
        func count(_ key: String) -> Int { lock.withLock { counts[key, default: 0] } }
    }

    static func withServer(_ body: @Sendable (URL, Counter) async throws -> Void) async throws {
        let counter = Counter()
        let router = Router()
        router.get("/flaky") { _, _ -> Response in
            let n = counter.next("flaky")
            if n < 3 { return Response(status: .serviceUnavailable, headers: [.retryAfter: "0"]) }
            return Response(
                status: .ok, headers: [.contentType: "application/json"],
                body: .init(byteBuffer: ByteBuffer(string: #"{"external_url":"x","version":"v2.35.1"}"#)))
        }
        router.get("/always-429") { _, _ -> Response in
            _ = counter.next("429")
            return Response(
                status: .tooManyRequests, headers: [.contentType: "application/json"],
                body: .init(byteBuffer: ByteBuffer(string: #"{"message":"You've been rate limited. Please try again later."}"#)))
        }
        router.post("/post-503") { _, _ -> Response in
            _ = counter.next("post")
            return Response(status: .serviceUnavailable)
        }
        router.get("/slow") { _, _ -> Response in
            try await Task.sleep(for: .seconds(3))
            return Response(status: .ok)
        }
        router.get("/token") { request, _ -> Response in
            let token = request.headers.first { $0.name.canonicalName == "coder-session-token" }?.value ?? ""
            return Response(
                status: token == "right" ? .ok : .unauthorized, headers: [.contentType: "application/json"],
                body: .init(
                    byteBuffer: ByteBuffer(
                        string: token == "right"
                            ? "{}"
                            : #"{"message":"You are signed out or your session has expired. Please sign in again to continue.","detail":"bad"}"#)))
        }
        router.get("/lines") { _, _ -> Response in
            Response(
                status: .ok, headers: [.contentType: "application/json"],
                body: .init(byteBuffer: ByteBuffer(string: "{\"text\":\"one\\n\\ntwo\"}\n\n  indented\n")))
        }
        router.get("/html") { _, _ -> Response in
            Response(status: .badRequest, headers: [.contentType: "text/html"], body: .init(byteBuffer: ByteBuffer(string: "<html>nope</html>")))
        }
        try await Loopback.serve(router) { url in try await body(url, counter) }
    }

    @Test func getRetriesOn503ThenSucceeds() async throws {
        try await Self.withServer { url, counter in
            let transport = LiveTransport()
            let client = CoderClient(
                baseURL: url, token: nil, transport: transport,
                retry: RetryPolicy(maxAttempts: 4, baseDelay: .milliseconds(10)))
            let info: BuildInfo = try await client.get("/flaky")
            #expect(info.version == "v2.35.1")
            #expect(counter.count("flaky") == 3)
            try await transport.shutdown()
        }
    }

    @Test func gives429WithCodersMessageAfterTheLastAttempt() async throws {
        try await Self.withServer { url, counter in
            let transport = LiveTransport()
            let client = CoderClient(
                baseURL: url, token: nil, transport: transport,
                retry: RetryPolicy(maxAttempts: 3, baseDelay: .milliseconds(5)))
            let error = await #expect(throws: CoderAPIError.self) { let _: BuildInfo = try await client.get("/always-429") }
            #expect(error?.status == 429)
            #expect(error?.message == "You've been rate limited. Please try again later.")
            #expect(counter.count("429") == 3)
            try await transport.shutdown()
        }
    }

    @Test func neverRetriesNonIdempotentRequests() async throws {
        try await Self.withServer { url, counter in
            let transport = LiveTransport()
            let client = CoderClient(
                baseURL: url, token: nil, transport: transport,
                retry: RetryPolicy(maxAttempts: 5, baseDelay: .milliseconds(5)))
            let error = await #expect(throws: CoderAPIError.self) { _ = try await client.send("POST", "/post-503") }
            #expect(error?.status == 503)
            #expect(error?.message.contains("503") == true)
            #expect(counter.count("post") == 1)
            try await transport.shutdown()
        }
    }

    @Test func timesOut() async throws {
        try await Self.withServer { url, _ in
            let transport = LiveTransport()
            let client = CoderClient(baseURL: url, token: nil, transport: transport, retry: .none, timeout: .milliseconds(300))
            let started = ContinuousClock.now
            let error = await #expect(throws: TransportError.self) { _ = try await client.send("GET", "/slow") }
            #expect(error?.isTimeout == true)
            // The server answers after 3 s: ending before that is the timeout's doing (loose for a loaded machine).
            #expect(ContinuousClock.now - started < .milliseconds(2900))
            try await transport.shutdown()
        }
    }

    @Test func mapsUnauthorizedAndKeepsTokenOutOfErrors() async throws {
        try await Self.withServer { url, _ in
            let transport = LiveTransport()
            let wrong = CoderClient(baseURL: url, token: SessionToken("wrong-token-value"), transport: transport, retry: .none)
            let error = await #expect(throws: CoderAPIError.self) { _ = try await wrong.send("GET", "/token") }
            #expect(error?.status == 401)
            #expect(error?.message.hasPrefix("You are signed out") == true)
            #expect("\(error!)".contains("wrong-token-value") == false)
            let right = CoderClient(baseURL: url, token: SessionToken("right"), transport: transport, retry: .none)
            _ = try await right.send("GET", "/token")
            try await transport.shutdown()
        }
    }

    @Test func nonJSONErrorBodyGetsASyntheticMessage() async throws {
        try await Self.withServer { url, _ in
            let transport = LiveTransport()
            let client = CoderClient(baseURL: url, token: nil, transport: transport, retry: .none)
            let error = await #expect(throws: CoderAPIError.self) { _ = try await client.send("GET", "/html") }
            #expect(error?.status == 400)
            #expect(error?.message == "Unexpected HTTP 400 from Coder")
            #expect(error?.detail == "<html>nope</html>")
            try await transport.shutdown()
        }
    }

    @Test func connectionRefusedIsATransportError() async throws {
        let transport = LiveTransport(connectTimeout: .seconds(2))
        let client = CoderClient(
            baseURL: URL(string: "http://127.0.0.1:1")!, token: nil, transport: transport,
            retry: RetryPolicy(maxAttempts: 2, baseDelay: .milliseconds(5)))
        await #expect(throws: TransportError.self) { _ = try await client.buildInfo() }
        try await transport.shutdown()
    }

    @Test func recordsWithoutSecrets() async throws {
        try await Self.withServer { url, _ in
            let file = FileManager.default.temporaryDirectory.appendingPathComponent("rec-\(UUID().uuidString).yaml")
            let live = LiveTransport()
            let recorder = RecordingTransport(upstream: live, file: file, secrets: ["right"])
            let client = CoderClient(baseURL: url, token: SessionToken("right"), transport: recorder, retry: .none)
            _ = try await client.send("GET", "/token")
            let text = try String(contentsOf: file, encoding: .utf8)
            #expect(!text.contains("Coder-Session-Token"))
            #expect(!text.contains(": right") && !text.contains("- right"))
            let cassette = try Cassette.load(file)
            #expect(cassette.interactions.count == 1)
            #expect(cassette.interactions[0].request.path == "/token")
            // What was recorded replays.
            let replayed = CoderClient(baseURL: url, token: nil, transport: ReplayTransport(cassette), retry: .none)
            let response = try await replayed.send("GET", "/token")
            #expect(response.status == 200)
            try await live.shutdown()
        }
    }
}

/// Faults at the transport: a down Coder fails fast, a call never outlives its deadline, recording never changes a call.
@Suite struct TransportFaultTests {
    @Test func refusedConnectionFailsWithinSecondsWithDefaultRetries() async throws {
        let transport = LiveTransport()
        let client = CoderClient(baseURL: URL(string: "http://127.0.0.1:1")!, token: nil, transport: transport)
        let started = ContinuousClock.now
        let error = await #expect(throws: TransportError.self) { _ = try await client.buildInfo() }
        #expect(ContinuousClock.now - started < .seconds(15), "one retry of a 2 s connect timeout, not four 10 s ones (41 s before)")
        #expect(error?.reason == "connection refused")
        try await transport.shutdown()
    }

    @Test func callDeadlineCutsRequestsAndRetries() async throws {
        try await LiveTransportTests.withServer { url, _ in
            let transport = LiveTransport()
            let client = CoderClient(baseURL: url, token: nil, transport: transport, timeout: .seconds(30))
            let started = ContinuousClock.now
            let error = await #expect(throws: TransportError.self) {
                try await CallDeadline.run(within: .milliseconds(700)) { _ = try await client.send("GET", "/slow") }
            }
            #expect(error?.isTimeout == true)
            #expect(ContinuousClock.now - started < .milliseconds(2900), "cut before the server's 3 s answer")
            #expect(error.map { "\($0)" }?.contains("HTTPClientError") == false)
            try await transport.shutdown()
        }
    }

    @Test func recordingKeepsEveryConcurrentInteraction() async throws {
        try await LiveTransportTests.withServer { url, _ in
            let file = FileManager.default.temporaryDirectory.appendingPathComponent("rec-\(UUID().uuidString).yaml")
            let live = LiveTransport()
            let recorder = RecordingTransport(upstream: live, file: file, secrets: ["right"])
            let client = CoderClient(baseURL: url, token: SessionToken("right"), transport: recorder, retry: .none)
            try await withThrowingTaskGroup(of: Void.self) { group in
                for _ in 0..<20 { group.addTask { _ = try await client.send("GET", "/token") } }
                try await group.waitForAll()
            }
            #expect(try Cassette.load(file).interactions.count == 20)
            try await live.shutdown()
        }
    }

    @Test func recordedBodiesAreKeptByteForByte() async throws {
        try await LiveTransportTests.withServer { url, _ in
            let file = FileManager.default.temporaryDirectory.appendingPathComponent("rec-\(UUID().uuidString).yaml")
            let live = LiveTransport()
            let recorder = RecordingTransport(upstream: live, file: file, secrets: [])
            let client = CoderClient(baseURL: url, token: nil, transport: recorder, retry: .none)
            let sent = try await client.send("GET", "/lines")
            _ = try await client.send("GET", "/lines")
            let recorded = try Cassette.load(file).interactions
            #expect(recorded.count == 2)
            #expect(recorded.allSatisfy { $0.response.body.string == String(decoding: sent.body, as: UTF8.self) })
            try await live.shutdown()
        }
    }

    @Test func anUnwritableRecordingNeverFailsACall() async throws {
        try await LiveTransportTests.withServer { url, _ in
            let live = LiveTransport()
            let problems = Mutex<[String]>([])
            let recorder = RecordingTransport(upstream: live, file: URL(fileURLWithPath: "/nonexistent-dir/x/rec.yaml"), secrets: ["right"]) {
                problem in problems.withLock { $0.append(problem) }
            }
            let client = CoderClient(baseURL: url, token: SessionToken("right"), transport: recorder, retry: .none)
            for _ in 0..<3 { _ = try await client.send("GET", "/token") }
            #expect(problems.withLock { $0.count } == 1, "reported once")
            #expect(!recorder.isRecording)
            try await live.shutdown()
        }
    }
}
