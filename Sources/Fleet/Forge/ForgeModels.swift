import Foundation

// The few fields of GitHub's and GitLab's REST answers that describe a pull request's state.

struct GitHubPull: Decodable {
    struct Ref: Decodable { var sha: String }
    var state: String
    var title: String
    var merged: Bool?
    var draft: Bool?
    var mergeableState: String?
    var head: Ref
    var requestedReviewers: [GitHubUser]?

    enum CodingKeys: String, CodingKey {
        case state, title, merged, draft, head
        case mergeableState = "mergeable_state"
        case requestedReviewers = "requested_reviewers"
    }
}

struct GitHubUser: Decodable { var login: String }

struct GitHubReview: Decodable {
    var user: GitHubUser?
    var state: String
}

struct GitHubCheckRuns: Decodable {
    struct Run: Decodable {
        var status: String
        var conclusion: String?
    }
    var totalCount: Int
    var checkRuns: [Run]
    enum CodingKeys: String, CodingKey { case totalCount = "total_count", checkRuns = "check_runs" }
}

struct GitHubCombinedStatus: Decodable {
    var state: String
    var totalCount: Int
    enum CodingKeys: String, CodingKey { case state, totalCount = "total_count" }
}

struct GitLabMergeRequest: Decodable {
    struct Pipeline: Decodable { var status: String }
    var state: String
    var title: String
    var draft: Bool?
    var workInProgress: Bool?
    var detailedMergeStatus: String?
    var mergeStatus: String?
    var headPipeline: Pipeline?

    enum CodingKeys: String, CodingKey {
        case state, title, draft
        case workInProgress = "work_in_progress"
        case detailedMergeStatus = "detailed_merge_status"
        case mergeStatus = "merge_status"
        case headPipeline = "head_pipeline"
    }
}
