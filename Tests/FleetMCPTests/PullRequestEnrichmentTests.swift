import CoderAPI
import Fleet
import Foundation
import MCP
import Synchronization
import Testing

/// Serves recorded GitHub/GitLab API bodies (`../shared/fixtures/github`) by request path; `*` matches a segment.
final class ForgeFixtures: HTTPTransport {
    static let folder = Paths.repositoryRoot.deletingLastPathComponent().appendingPathComponent("shared/fixtures/github")
    let routes: [(pattern: String, file: String)]
    private let seen = Mutex<[CoderHTTPRequest]>([])

    init(_ routes: [(String, String)]) { self.routes = routes.map { (pattern: $0.0, file: $0.1) } }

    var requests: [CoderHTTPRequest] { seen.withLock { $0 } }

    func send(_ request: CoderHTTPRequest) async throws -> CoderHTTPResponse {
        seen.withLock { $0.append(request) }
        let path = (URLComponents(url: request.url, resolvingAgainstBaseURL: false)?.percentEncodedPath ?? request.url.path).split(separator: "/")
        for route in routes {
            let pattern = route.pattern.split(separator: "/")
            if pattern.count == path.count, zip(pattern, path).allSatisfy({ $0 == "*" || $0 == $1 }) {
                return CoderHTTPResponse(status: 200, body: try Data(contentsOf: Self.folder.appendingPathComponent(route.file)))
            }
        }
        return CoderHTTPResponse(status: 404, body: Data(#"{"message":"Not Found","documentation_url":"https://docs.github.com/rest"}"#.utf8))
    }
}

@Suite struct PullRequestEnrichmentTests {
    let token = SessionToken("ghp_fixture-secret")

    func enrich(_ url: String, _ routes: [(String, String)]) async throws -> (PullRequest, ForgeFixtures) {
        let fixtures = ForgeFixtures(routes)
        let enricher = PullRequestEnricher(transport: fixtures, configuration: ForgeConfiguration(githubToken: token, gitlabToken: token))
        let pr = try #require(PullRequest.parse(url))
        #expect(enricher.canEnrich(pr))
        return (await enricher.enrich(pr), fixtures)
    }

    @Test func closedUnmergedWithApproval() async throws {
        let (pr, fixtures) = try await enrich(
            "https://github.com/hub4j-test-org/github-api/pull/6",
            [
                ("repos/hub4j-test-org/github-api/pulls/6", "pull.closed-unmerged.json"),
                ("repos/hub4j-test-org/github-api/pulls/6/reviews", "pull-reviews.approved.json"),
            ])
        #expect(pr.state == "closed")
        #expect(pr.review == "approved")
        #expect(pr.checks == "none", "no check runs or statuses were recorded for its head commit (404)")
        #expect(pr.title?.isEmpty == false)
        #expect(pr.enrichmentError == nil)
        #expect(fixtures.requests.first?.header("Authorization") == "Bearer ghp_fixture-secret")
        #expect(fixtures.requests.map(\.url.path).contains { $0.hasSuffix("/check-runs") })
    }

    @Test func mergedWithCommentsAndGreenStatus() async throws {
        let (pr, _) = try await enrich(
            "https://github.com/sigmavirus24/github3.py/pull/671",
            [
                ("repos/sigmavirus24/github3.py/pulls/671", "pull.merged.json"),
                ("repos/sigmavirus24/github3.py/pulls/671/reviews", "pull-reviews.commented.json"),
                ("repos/sigmavirus24/github3.py/commits/*/status", "combined-status.success.json"),
            ])
        #expect(pr.state == "merged")
        #expect(pr.review == "commented")
        #expect(pr.checks == "success")
        #expect(pr.mergeable == "dirty")
    }

    @Test func draftWithAFailingCheck() async throws {
        // Check runs of another recorded commit stand in for this draft's head: the verdict logic is what is tested.
        let (pr, _) = try await enrich(
            "https://github.com/hub4j-test-org/github-api/pull/321",
            [
                ("repos/hub4j-test-org/github-api/pulls/321", "pull.open-draft.json"),
                ("repos/hub4j-test-org/github-api/pulls/321/reviews", "pull-reviews.pending.json"),
                ("repos/hub4j-test-org/github-api/commits/*/check-runs", "check-runs.mixed-failure.json"),
                ("repos/hub4j-test-org/github-api/commits/*/status", "combined-status.pending-no-statuses.json"),
            ])
        #expect(pr.state == "draft")
        #expect(pr.checks == "failure")
        #expect(pr.mergeable == "draft")
    }

    @Test func changesRequestedAndQueuedChecks() async throws {
        let (pr, _) = try await enrich(
            "https://github.com/hub4j-test-org/github-api/pull/449",
            [
                ("repos/hub4j-test-org/github-api/pulls/449", "pull.open-clean.json"),
                ("repos/hub4j-test-org/github-api/pulls/449/reviews", "pull-reviews.approved-changes_requested-commented.json"),
                ("repos/hub4j-test-org/github-api/commits/*/check-runs", "check-runs.queued.json"),
                ("repos/hub4j-test-org/github-api/commits/*/status", "combined-status.failure.raw.json"),
            ])
        #expect(pr.state == "open")
        #expect(pr.mergeable == "clean")
        #expect(pr.review == "changes_requested", "the reviewer's latest decisive review asked for changes")
        #expect(pr.checks == "failure", "a failing commit status outweighs queued check runs")
    }

    @Test func gitLabMergeRequest() async throws {
        let (pr, fixtures) = try await enrich(
            "https://gitlab.com/gitea/test_repo/-/merge_requests/3",
            [
                ("api/v4/projects/*/merge_requests/3", "gitlab.merge-request.closed.json")
            ])
        #expect(pr.forge == "gitlab" && pr.repository == "gitea/test_repo")
        #expect(pr.state == "closed")
        #expect(pr.mergeable == "not_open")
        #expect(fixtures.requests.first?.url.absoluteString.contains("projects/gitea%2Ftest_repo/merge_requests/3") == true)
        #expect(fixtures.requests.first?.header("PRIVATE-TOKEN") == "ghp_fixture-secret")
    }

    @Test func forgeErrorsAreReportedNotThrown() async throws {
        let (pr, _) = try await enrich("https://github.com/acme/missing/pull/1", [])
        #expect(pr.state == nil)
        #expect(pr.enrichmentError?.contains("answered 404") == true)
        #expect(pr.enrichmentError?.contains("fixture-secret") == false)
    }

    @Test func showAgentEnrichesTheReportedPullRequest() async throws {
        try await SandboxFleet.with(version: .v2_35) { env in
            let fixtures = ForgeFixtures([
                ("repos/acme/webshop/pulls/*", "pull.open-clean.json"),
                ("repos/acme/webshop/pulls/*/reviews", "pull-reviews.approved.json"),
                ("repos/acme/webshop/commits/*/check-runs", "check-runs.success.page1.json"),
            ])
            let fleet = FleetService(
                coder: env.coder, configuration: FleetConfiguration(pollInterval: .milliseconds(20)),
                enricher: PullRequestEnricher(transport: fixtures, configuration: ForgeConfiguration(githubToken: token)))
            try await MCPHarness.with(fleet) { mcp in
                _ = try await mcp.ok("create_agent", ["name": "prbot", "project": "webshop", "task": "Fix the cart badge"])
                _ = try await mcp.ok("wait_for_agent", ["agent_name": "prbot", "until": "settled", "timeout_seconds": 30])
                let shown = try await mcp.ok("show_agent", ["agent_name": "prbot"])
                let pr = try #require(shown["pull_request"])
                #expect(pr["url"]?.stringValue?.hasPrefix("https://github.com/acme/webshop/pull/") == true)
                #expect(pr["state"]?.stringValue == "open")
                #expect(pr["review"]?.stringValue == "approved")
                #expect(pr["checks"]?.stringValue == "success")
                // list_agents never asks the forge: its cost must not grow with the fleet.
                let before = fixtures.requests.count
                _ = try await mcp.ok("list_agents")
                #expect(fixtures.requests.count == before)
            }
        }
    }
}
