import CoderAPI
import Foundation

/// Where and how to ask forges about pull requests. Enrichment is off unless a token is configured.
public struct ForgeConfiguration: Sendable {
    public var githubToken: SessionToken?
    public var githubAPI: URL
    public var gitlabToken: SessionToken?

    public init(githubToken: SessionToken? = nil, githubAPI: URL = URL(string: "https://api.github.com")!, gitlabToken: SessionToken? = nil) {
        self.githubToken = githubToken
        self.githubAPI = githubAPI
        self.gitlabToken = gitlabToken
    }

    /// `GITHUB_TOKEN` or `GH_TOKEN`, `GITHUB_API_URL`, `GITLAB_TOKEN`.
    public static func fromEnvironment(_ environment: [String: String] = ProcessInfo.processInfo.environment) -> ForgeConfiguration {
        var configuration = ForgeConfiguration()
        if let token = environment["GITHUB_TOKEN"] ?? environment["GH_TOKEN"], !token.isEmpty { configuration.githubToken = SessionToken(token) }
        if let api = environment["GITHUB_API_URL"].flatMap(URL.init(string:)) { configuration.githubAPI = api }
        if let token = environment["GITLAB_TOKEN"], !token.isEmpty { configuration.gitlabToken = SessionToken(token) }
        return configuration
    }
}

/// Adds a pull request's state, review decision and checks from the forge's REST API (GitHub, GitLab).
public struct PullRequestEnricher: Sendable {
    let transport: any HTTPTransport
    let configuration: ForgeConfiguration

    /// An enricher for the forges whose tokens the environment holds (`GITHUB_TOKEN`/`GH_TOKEN`, `GITLAB_TOKEN`); nil
    /// without any, so pull requests stay as the agents reported them.
    public static func fromEnvironment(
        transport: any HTTPTransport, _ environment: [String: String] = ProcessInfo.processInfo.environment
    ) -> PullRequestEnricher? {
        let forges = ForgeConfiguration.fromEnvironment(environment)
        guard forges.githubToken != nil || forges.gitlabToken != nil else { return nil }
        return PullRequestEnricher(transport: transport, configuration: forges)
    }

    public init(transport: any HTTPTransport, configuration: ForgeConfiguration) {
        self.transport = transport
        self.configuration = configuration
    }

    /// Whether this pull request's forge can be asked.
    public func canEnrich(_ pr: PullRequest) -> Bool {
        switch pr.forge {
        case "github": configuration.githubToken != nil
        case "gitlab": configuration.gitlabToken != nil
        default: false
        }
    }

    /// The pull request with `state`, `mergeable`, `review` and `checks` filled in, or `enrichment_error` saying why not.
    public func enrich(_ pr: PullRequest) async -> PullRequest {
        var result = pr
        do {
            switch pr.forge {
            case "github": try await enrichGitHub(&result)
            case "gitlab": try await enrichGitLab(&result)
            default: break
            }
        } catch {
            result.enrichmentError = "\(error)"
        }
        return result
    }

    private func get<T: Decodable>(_ type: T.Type, _ url: URL, token: SessionToken, gitlab: Bool = false) async throws -> T {
        var request = CoderHTTPRequest(method: "GET", url: url, timeout: .seconds(10))
        request.headers =
            gitlab
            ? [("PRIVATE-TOKEN", token.secret), ("Accept", "application/json")]
            : [
                ("Authorization", "Bearer \(token.secret)"), ("Accept", "application/vnd.github+json"), ("X-GitHub-Api-Version", "2022-11-28"),
                ("User-Agent", "fleet-mcp"),
            ]
        let response = try await transport.send(request)
        guard (200..<300).contains(response.status) else {
            let message = (try? JSONDecoder().decode([String: String].self, from: response.body))?["message"] ?? "HTTP \(response.status)"
            throw ForgeError(description: "\(url.host ?? "forge") answered \(response.status) to \(url.path): \(message)")
        }
        return try JSONDecoder().decode(T.self, from: response.body)
    }

    private func enrichGitHub(_ pr: inout PullRequest) async throws {
        guard let token = configuration.githubToken else { return }
        let base = configuration.githubAPI.absoluteString.trimmingCharacters(in: CharacterSet(charactersIn: "/"))
        let repo = base + "/repos/" + pr.repository
        let pull = try await get(GitHubPull.self, URL(string: "\(repo)/pulls/\(pr.number)")!, token: token)
        pr.title = pull.title
        pr.state = pull.merged == true ? "merged" : pull.state == "closed" ? "closed" : pull.draft == true ? "draft" : "open"
        pr.mergeable = pull.mergeableState
        let reviews = try await get([GitHubReview].self, URL(string: "\(repo)/pulls/\(pr.number)/reviews?per_page=100")!, token: token)
        pr.review = Self.reviewDecision(reviews, requested: pull.requestedReviewers ?? [])
        let runs = try? await get(GitHubCheckRuns.self, URL(string: "\(repo)/commits/\(pull.head.sha)/check-runs?per_page=100")!, token: token)
        let status = try? await get(GitHubCombinedStatus.self, URL(string: "\(repo)/commits/\(pull.head.sha)/status")!, token: token)
        pr.checks = Self.checks(runs: runs, status: status)
    }

    private func enrichGitLab(_ pr: inout PullRequest) async throws {
        guard let token = configuration.gitlabToken, let host = URL(string: pr.url)?.host else { return }
        let project =
            pr.repository.addingPercentEncoding(withAllowedCharacters: .alphanumerics.union(CharacterSet(charactersIn: "-._~"))) ?? pr.repository
        let mr = try await get(
            GitLabMergeRequest.self, URL(string: "https://\(host)/api/v4/projects/\(project)/merge_requests/\(pr.number)")!,
            token: token, gitlab: true)
        pr.title = mr.title
        let draft = mr.draft ?? mr.workInProgress ?? false
        pr.state = mr.state == "opened" ? (draft ? "draft" : "open") : mr.state
        pr.mergeable = mr.detailedMergeStatus ?? mr.mergeStatus
        pr.checks =
            mr.headPipeline.map { pipeline in
                switch pipeline.status {
                case "success": "success"
                case "failed", "canceled": "failure"
                default: "pending"
                }
            } ?? "none"
    }

    /// GitHub's review decision: each reviewer's latest approving or blocking review counts.
    static func reviewDecision(_ reviews: [GitHubReview], requested: [GitHubUser]) -> String {
        var decisive: [String: String] = [:]
        var commented = false
        for review in reviews {
            let who = review.user?.login ?? ""
            switch review.state {
            case "APPROVED", "CHANGES_REQUESTED": decisive[who] = review.state
            case "DISMISSED": decisive[who] = nil
            case "COMMENTED": commented = true
            default: break
            }
        }
        if decisive.values.contains("CHANGES_REQUESTED") { return "changes_requested" }
        if decisive.values.contains("APPROVED") { return requested.isEmpty ? "approved" : "review_required" }
        if !requested.isEmpty { return "review_required" }
        return commented ? "commented" : "none"
    }

    /// One verdict from check runs and commit statuses: failure beats pending beats success.
    static func checks(runs: GitHubCheckRuns?, status: GitHubCombinedStatus?) -> String {
        var verdicts: [String] = []
        for run in runs?.checkRuns ?? [] {
            if run.status != "completed" {
                verdicts.append("pending")
                continue
            }
            switch run.conclusion ?? "" {
            case "success", "neutral", "skipped": verdicts.append("success")
            case "failure", "timed_out", "cancelled", "action_required", "startup_failure", "stale": verdicts.append("failure")
            default: verdicts.append("pending")
            }
        }
        if let status, status.totalCount > 0 {
            verdicts.append(status.state == "success" ? "success" : status.state == "pending" ? "pending" : "failure")
        }
        if verdicts.contains("failure") { return "failure" }
        if verdicts.contains("pending") { return "pending" }
        return verdicts.isEmpty ? "none" : "success"
    }
}

struct ForgeError: Error, CustomStringConvertible {
    var description: String
}
