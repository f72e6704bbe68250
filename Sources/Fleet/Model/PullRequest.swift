import CoderAPI
import Foundation

/// A pull or merge request an agent linked in a status report.
public struct PullRequest: Codable, Sendable, Hashable {
    public var url: String
    /// `github`, `gitlab`, `bitbucket` or `gitea`.
    public var forge: String
    /// `owner/name` (GitLab: the full group path).
    public var repository: String
    public var number: Int
    /// When the agent reported the link.
    public var reportedAt: Date?
    // From the forge's API, when a token is configured (show_agent only).
    public var title: String?
    /// `open`, `draft`, `closed` or `merged`.
    public var state: String?
    /// GitHub's `mergeable_state` (`clean`, `blocked`, `unstable`, `dirty`, …) or GitLab's merge status.
    public var mergeable: String?
    /// `approved`, `changes_requested`, `review_required`, `commented` or `none`.
    public var review: String?
    /// `success`, `failure`, `pending` or `none`.
    public var checks: String?
    /// Why the forge could not be asked.
    public var enrichmentError: String?

    enum CodingKeys: String, CodingKey {
        case url, forge, repository, number, title, state, mergeable, review, checks
        case reportedAt = "reported_at"
        case enrichmentError = "enrichment_error"
    }

    public static let schema = JSONSchema.object(
        [
            "url": .string("Pull request URL"),
            "forge": .string("github, gitlab, bitbucket or gitea"),
            "repository": .string("owner/name"),
            "number": .integer("Pull request number"),
            "reported_at": .time,
            "title": .string("Title (from the forge)"),
            "state": .string("open, draft, closed or merged (from the forge)"),
            "mergeable": .string("Mergeability as the forge reports it (GitHub mergeable_state, GitLab merge status)"),
            "review": .string("approved, changes_requested, review_required, commented or none (from the forge)"),
            "checks": .string("success, failure, pending or none (from the forge)"),
            "enrichment_error": .string("Why the forge could not be asked"),
        ], required: ["url", "forge", "repository", "number"])

    public init(url: String, forge: String, repository: String, number: Int, reportedAt: Date? = nil) {
        self.url = url
        self.forge = forge
        self.repository = repository
        self.number = number
        self.reportedAt = reportedAt
    }

    /// Recognises GitHub `…/owner/repo/pull/N`, GitLab `…/group/repo/-/merge_requests/N`,
    /// Bitbucket `…/owner/repo/pull-requests/N` and Gitea/Forgejo `…/owner/repo/pulls/N` links.
    public static func parse(_ text: String, reportedAt: Date? = nil) -> PullRequest? {
        guard let url = URL(string: text.trimmingCharacters(in: .whitespaces)), let scheme = url.scheme,
            scheme == "https" || scheme == "http", url.host != nil
        else { return nil }
        let parts = url.path.split(separator: "/").map(String.init)
        func number(after marker: String) -> (Int, Int)? {
            guard let index = parts.firstIndex(of: marker), index + 1 < parts.count, let n = Int(parts[index + 1]) else { return nil }
            return (index, n)
        }
        if let (index, n) = number(after: "merge_requests"), index >= 2 {
            let repoEnd = parts[index - 1] == "-" ? index - 1 : index
            return PullRequest(url: text, forge: "gitlab", repository: parts[0..<repoEnd].joined(separator: "/"), number: n, reportedAt: reportedAt)
        }
        if let (index, n) = number(after: "pull-requests"), index >= 2 {
            return PullRequest(
                url: text, forge: "bitbucket", repository: parts[index - 2] + "/" + parts[index - 1], number: n, reportedAt: reportedAt)
        }
        if let (index, n) = number(after: "pull"), index == 2 {
            // github.com and GitHub Enterprise hosts.
            return PullRequest(url: text, forge: "github", repository: parts[0] + "/" + parts[1], number: n, reportedAt: reportedAt)
        }
        if let (index, n) = number(after: "pulls"), index == 2 {
            return PullRequest(url: text, forge: "gitea", repository: parts[0] + "/" + parts[1], number: n, reportedAt: reportedAt)
        }
        return nil
    }

    /// The newest pull-request link among the reports (newest first).
    public static func newest(in reports: [CoderAPI.WorkspaceAppStatus]) -> PullRequest? {
        for report in reports where !report.uri.isEmpty {
            if let pr = parse(report.uri, reportedAt: report.createdAt) { return pr }
        }
        return nil
    }
}
