import CoderAPI
import Foundation
import Testing

/// Every response body in every shared cassette decodes into the typed model for its endpoint.
@Suite struct CassetteDecodingTests {
    /// The model each recorded endpoint answers with, by method and path shape.
    static func decode(method: String, path: String, status: Int, body: Data) throws -> String {
        let decoder = CoderJSON.decoder()
        if status >= 400 {
            _ = try decoder.decode(CoderErrorBody.self, from: body)
            return "CoderErrorBody"
        }
        if body.isEmpty { return "empty" }
        func matches(_ pattern: String) -> Bool {
            let a = path.split(separator: "/"), b = pattern.split(separator: "/")
            return a.count == b.count && zip(a, b).allSatisfy { $1 == "*" || $0 == $1 }
        }
        func check<T: Decodable>(_ type: T.Type) throws -> String {
            _ = try decoder.decode(type, from: body)
            return String(describing: type)
        }
        switch method {
        case "GET" where matches("/api/v2/templates"): return try check([Template].self)
        case "GET" where matches("/api/v2/templates/*"): return try check(Template.self)
        case "GET" where matches("/api/v2/templateversions/*/rich-parameters"): return try check([TemplateVersionParameter].self)
        case "GET" where matches("/api/v2/templateversions/*/presets"): return try check([Preset].self)
        case "GET" where matches("/api/v2/workspaces"): return try check(WorkspacesResponse.self)
        case "GET" where matches("/api/v2/workspaces/*"): return try check(Workspace.self)
        case "POST" where matches("/api/v2/organizations/*/members/*/workspaces"), "POST" where matches("/api/v2/users/*/workspaces"):
            return try check(Workspace.self)
        case "POST" where matches("/api/v2/workspaces/*/builds"): return try check(WorkspaceBuild.self)
        case "GET" where matches("/api/v2/organizations"), "GET" where matches("/api/v2/users/*/organizations"):
            return try check([Organization].self)
        case "GET" where matches("/api/experimental/tasks/*/*/logs"), "GET" where matches("/api/v2/tasks/*/*/logs"):
            return try check(TaskLogsResponse.self)
        case "GET" where matches("/api/experimental/tasks/*/*"), "GET" where matches("/api/v2/tasks/*/*"): return try check(CoderTask.self)
        default:
            throw CoderDecodingError(request: "\(method) \(path)", type: "?", reason: "no model is mapped to this endpoint")
        }
    }

    @Test func sharedFixturesArePresent() {
        #expect(Fixtures.allCassetteNames.count >= 20, "expected the shared cassettes at \(Fixtures.coderCassettes.path)")
    }

    @Test(arguments: Fixtures.allCassetteNames)
    func everyResponseDecodes(cassette name: String) throws {
        let cassette = try Fixtures.cassette(name)
        #expect(!cassette.interactions.isEmpty)
        for interaction in cassette.interactions {
            let body = Data((interaction.response.body.string ?? "").utf8)
            do {
                let model = try Self.decode(
                    method: interaction.request.method, path: interaction.request.path,
                    status: interaction.response.status.code, body: body)
                #expect(!model.isEmpty)
            } catch {
                Issue.record("\(name): \(interaction.request.method) \(interaction.request.path) did not decode: \(error)")
            }
        }
    }

    @Test func workspaceCarriesBuildAgentsAppsAndStatuses() throws {
        let cassette = try Fixtures.cassette("get_workspace_success.yaml")
        let workspace = try CoderJSON.decode(Workspace.self, from: Data(cassette.interactions[0].response.body.string!.utf8))
        #expect(workspace.name == "test-recording-agent")
        #expect(workspace.latestBuild.status == .running)
        #expect(workspace.latestBuild.templateVersionPresetID == "d2e0fcc7-59d5-493b-a346-2b90e26aabe9")
        #expect(workspace.latestAppStatus?.state == .idle)
        let agent = try #require(workspace.latestBuild.resources.compactMap(\.agents).flatMap { $0 }.first)
        #expect(agent.lifecycleState == .ready)
        #expect(agent.status == .connected)
        let app = try #require(agent.apps.first { $0.slug == "ccw" })
        #expect(app.health == .healthy)
        #expect(!app.statuses.isEmpty)
        #expect(app.statuses.allSatisfy { $0.appID == app.id })
        #expect(workspace.deletingAt == nil)
    }

    @Test func presetsUseCapitalisedKeys() throws {
        let cassette = try Fixtures.cassette("list_workspace_presets_success.yaml")
        let presets = try CoderJSON.decode([Preset].self, from: Data(cassette.interactions[1].response.body.string!.utf8))
        #expect(presets.map(\.name).contains("Coder"))
        #expect(presets.first { $0.name == "Coder" }?.isDefault == true)
        #expect(presets.first?.parameters.first?.name == "system_prompt")
        // Re-encoding keeps Coder's capitalised keys.
        let encoded = String(decoding: try CoderJSON.encode(presets[0]), as: UTF8.self)
        #expect(encoded.contains("\"ID\"") && encoded.contains("\"DesiredPrebuildInstances\""))
    }

    @Test func experimentalTaskShapeDecodes() throws {
        let cassette = try Fixtures.cassette("get_task_success.yaml")
        let task = try CoderJSON.decode(CoderTask.self, from: Data(cassette.interactions[0].response.body.string!.utf8))
        #expect(task.status == .running)
        #expect(task.currentState?.state == .idle)
        #expect(task.initialPrompt == "Test recording task")
        #expect(task.workspaceAgentLifecycle == .ready)
    }
}

/// Coder's answers are hostile input too: huge lists, huge messages, unknown values and fields decode (or are
/// reported), never crash.
@Suite struct HostileResponseTests {
    @Test func tenThousandWorkspacesWithHugeMessagesAndUnknownValues() throws {
        let cassette = try Fixtures.cassette("get_workspace_success.yaml")
        let body = try #require(cassette.interactions.compactMap(\.response.body.string).first { $0.contains("\"latest_build\"") })
        var workspace = try #require(try JSONSerialization.jsonObject(with: Data(body.utf8)) as? [String: Any])
        workspace["a_field_from_the_future"] = ["nested": [1, 2, 3]]
        if var status = workspace["latest_app_status"] as? [String: Any] {
            status["message"] = String(repeating: "m", count: 100_000)
            status["state"] = "a-state-from-the-future"
            workspace["latest_app_status"] = status
        }
        if var build = workspace["latest_build"] as? [String: Any] {
            build["status"] = "a-status-from-the-future"
            workspace["latest_build"] = build
        }
        let huge = try JSONSerialization.data(withJSONObject: workspace)
        workspace["latest_app_status"] = NSNull()
        let plain = try JSONSerialization.data(withJSONObject: workspace)
        // 10,000 entries; the first ten carry a 100 KB report message.
        var list = Data("{\"count\":10000,\"workspaces\":[".utf8)
        for index in 0..<10_000 {
            if index > 0 { list.append(UInt8(ascii: ",")) }
            list.append(index < 10 ? huge : plain)
        }
        list.append(contentsOf: Array("]}".utf8))
        let decoded = try CoderJSON.decode(WorkspaceViewsResponse.self, from: list)
        #expect(decoded.workspaces.count == 10_000)
        #expect(decoded.workspaces[0].latestAppStatus?.message.count == 100_000)
        #expect(decoded.workspaces[0].latestBuild.status == .unknown("a-status-from-the-future"))
        // A list cut off in the middle is an error, not a crash.
        #expect(throws: (any Error).self) { _ = try CoderJSON.decode(WorkspaceViewsResponse.self, from: list.prefix(list.count / 2)) }
    }
}
