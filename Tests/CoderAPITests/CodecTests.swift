import CoderAPI
import Foundation
import Testing

@Suite struct CodecTests {
    @Test(arguments: [
        ("2022-05-17T17:39:01.382927298Z", 1652809141.382927),
        ("2025-11-10T11:38:10.64715+01:00", 1762771090.64715),
        ("0001-01-01T00:00:00Z", -62135596800.0),
        ("2025-11-10T10:38:10Z", 1762771090.0),
        ("2025-11-10T10:38:10.1-05:30", 1762790890.1),
    ])
    func parsesGoTimes(text: String, expected: Double) throws {
        let date = try #require(CoderDate.parse(text))
        #expect(abs(date.timeIntervalSince1970 - expected) < 0.000002)
    }

    @Test(arguments: ["", "2025-11-10", "2025-11-10T10:38:10", "2025-13-10T10:38:10Z", "2025-11-10T10:38:10.1234567890Z", "2025-11-10T10:38:10+0100"])
    func rejectsMalformedTimes(text: String) {
        #expect(CoderDate.parse(text) == nil)
    }

    @Test func formatsLikeGoRFC3339Nano() throws {
        let date = try #require(CoderDate.parse("2025-11-10T11:38:10.64715+01:00"))
        #expect(CoderDate.format(date) == "2025-11-10T10:38:10.64715Z")
        #expect(CoderDate.format(Date(timeIntervalSince1970: 0)) == "1970-01-01T00:00:00Z")
    }

    @Test func unknownEnumValuesSurvive() throws {
        let reason = try CoderJSON.decode([BuildReason].self, from: Data(#"["initiator","some_future_reason"]"#.utf8))
        #expect(reason == [.initiator, .unknown("some_future_reason")])
        #expect(String(decoding: try CoderJSON.encode(reason), as: UTF8.self) == #"["initiator","some_future_reason"]"#)
        #expect(ParameterType(rawValue: "list(string)") == .listString)
    }

    @Test func nullableFieldsEncodeAsNullAndTolerateAbsence() throws {
        let status = TransitionStats(p50: nil, p95: 12)
        let encoded = String(decoding: try CoderJSON.encode(status), as: UTF8.self)
        #expect(encoded.contains(#""P50":null"#) && encoded.contains(#""P95":12"#))
        let absent = try CoderJSON.decode(TransitionStats.self, from: Data(#"{"P95":3}"#.utf8))
        #expect(absent.p50 == nil && absent.p95 == 3)
    }

    @Test func unknownFieldsAreIgnored() throws {
        let org = try CoderJSON.decode(
            Organization.self,
            from: Data(
                #"{"id":"1","name":"coder","display_name":"Coder","icon":"","description":"","created_at":"2025-09-12T15:25:58.408615+02:00","updated_at":"2025-09-12T15:25:58.408615+02:00","is_default":true,"new_field":{"x":[1,2]}}"#
                    .utf8))
        #expect(org.name == "coder")
    }

    @Test func workspaceFilterQuotesLikeGo() {
        let filter = WorkspaceFilter(
            owner: "me", name: "agent-x", template: "coder-devcontainer",
            parameters: [.init(name: "AI Prompt", value: "say \"hi\"")], hasAITask: true)
        #expect(filter.query == #"owner:"me" name:"agent-x" template:"coder-devcontainer" param:"AI Prompt=say \"hi\"" has-ai-task:true"#)
        #expect(WorkspaceFilter().query.isEmpty)
    }

    @Test func capabilitiesFollowTheVersion() {
        func row(_ version: String) -> CoderCapabilities? { CoderCapabilities.forVersion(version) }
        #expect(row("v2.27.1+230b55b")?.tasksAPI == .experimental)
        #expect(row("v2.26.0")?.tasksAPI == .experimental)
        #expect(row("v2.29.0")?.tasksAPI == .stable)
        #expect(row("v2.35.1+8b44bd6")?.tasksAPI == .stable)
        #expect(row("v2.37.0")?.tasksAPI == TasksAPIGeneration.none)
        #expect(row("v2.38.5-rc.1")?.label == "2.38 and later")
        #expect(row("v3.0.0")?.label == "2.38 and later")
        #expect(row("v2.20.0") == .agentAPIOnly)
        #expect(row("v0.0.0-devel+abc") == nil)
        #expect(row("nonsense") == nil)
        #expect(row("v2.27.1+230b55b")?.tasksHaveOwnIDs == false)
        #expect(row("v2.28.0")?.tasksHaveOwnIDs == true)
        #expect(row("v2.35.1")?.tasksHaveOwnIDs == true)
        #expect(row("v2.30.2")?.pauseRoutes == false)
        #expect(row("v2.36.0")?.pauseRoutes == true)
        // Demotion walks stable → experimental → AgentAPI, once per missing route family.
        #expect(row("v2.35.1")?.demoted.tasksAPI == .experimental)
        #expect(row("v2.35.1")?.demoted.demoted.tasksAPI == TasksAPIGeneration.none)
    }

    @Test func releasesOrder() {
        #expect(CoderRelease(parsing: "v2.31.1+abc") == CoderRelease(2, 31, 1))
        #expect(CoderRelease(parsing: "2.35") == CoderRelease(2, 35, 0))
        #expect(CoderRelease(2, 31, 0) < CoderRelease(2, 31, 1))
        #expect(CoderRelease(2, 9, 9) < CoderRelease(2, 10, 0))
        // The table's rows are in release order, each a different line.
        let starts = CoderCapabilities.table.map(\.since)
        #expect(starts == starts.sorted() && Set(starts).count == starts.count)
    }

    @Test func tokenNeverPrints() {
        let token = SessionToken("abcd-secretsecret")
        #expect(!"\(token)".contains("secret"))
        #expect(!String(reflecting: token).contains("secret"))
    }

    @Test func redactorScrubsSecrets() {
        let body =
            #"{"CODER_SESSION_TOKEN":"abc","GH_TOKEN":"ghp_1","HA_TOKEN":"","name":"x","note":"tok-12345 here","url":"https://coder.corp.io/x"}"#
        let scrubbed = Redactor.scrub(body, secrets: ["tok-12345"], host: "coder.corp.io")
        #expect(scrubbed.contains(#""CODER_SESSION_TOKEN":"***CODER_SESSION_TOKEN_REDACTED***""#))
        #expect(scrubbed.contains(#""GH_TOKEN":"***GH_TOKEN_REDACTED***""#))
        #expect(scrubbed.contains(#""HA_TOKEN":"""#))
        #expect(!scrubbed.contains("tok-12345"))
        #expect(!scrubbed.contains("coder.corp.io"))
        #expect(scrubbed.contains(#""name":"x""#))
    }
}
