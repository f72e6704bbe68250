import Foundation

/// Where a deployment serves the tasks API, if anywhere.
public enum TasksAPIGeneration: String, Sendable, Hashable, CaseIterable {
    /// `/api/experimental/tasks` (Coder 2.26–2.28; still served, deprecated, later).
    case experimental
    /// `/api/v2/tasks` (Coder 2.29+).
    case stable
    /// No tasks API (2.37+): fleet-mcp talks to the agent's AgentAPI app through Coder's app proxy.
    case none

    public var basePath: String? {
        switch self {
        case .experimental: "/api/experimental/tasks"
        case .stable: "/api/v2/tasks"
        case .none: nil
        }
    }
}

extension CoderAPIError {
    /// The server has no such route (404 `Route not found.`, or 405): the tasks API is gone or never was.
    public var isRouteMissing: Bool {
        (status == 404 && message == "Route not found.") || status == 405
    }
}

extension CoderClient {
    private func taskPath(_ generation: TasksAPIGeneration, _ rest: String...) throws -> String {
        guard let base = generation.basePath else {
            throw CoderAPIError(status: 404, message: "This deployment has no tasks API.", request: "tasks API")
        }
        return base
            + rest.map {
                "/" + ($0.addingPercentEncoding(withAllowedCharacters: .urlPathAllowed.subtracting(CharacterSet(charactersIn: "/?#"))) ?? $0)
            }.joined()
    }

    /// `GET {tasks}?q=`.
    public func tasks(_ generation: TasksAPIGeneration, query: String? = nil) async throws -> TasksResponse {
        try await get(try taskPath(generation), query: query.map { [URLQueryItem(name: "q", value: $0)] } ?? [])
    }

    /// `GET {tasks}/{owner}/{id}`.
    public func task(_ generation: TasksAPIGeneration, owner: String, id: String) async throws -> CoderTask {
        try await get(try taskPath(generation, owner, id))
    }

    /// `GET {tasks}/{owner}/{id}/logs`.
    public func taskLogs(_ generation: TasksAPIGeneration, owner: String, id: String) async throws -> TaskLogsResponse {
        try await get(try taskPath(generation, owner, id, "logs"))
    }

    /// `POST {tasks}/{owner}/{id}/send` `{"input": …}` → 204.
    public func sendTaskInput(_ generation: TasksAPIGeneration, owner: String, id: String, input: String) async throws {
        _ = try await send("POST", try taskPath(generation, owner, id, "send"), body: TaskInput(input: input))
    }

    /// `POST /api/v2/tasks/{owner}/{id}/pause` → 202 with the stop build (Coder 2.31.1+).
    public func pauseTask(owner: String, id: String) async throws -> TaskBuildResponse {
        try await decode(TaskBuildResponse.self, "POST", try taskPath(.stable, owner, id, "pause"))
    }

    /// `POST /api/v2/tasks/{owner}/{id}/resume` → 202 with the start build (Coder 2.31.1+; 409 when running).
    public func resumeTask(owner: String, id: String) async throws -> TaskBuildResponse {
        try await decode(TaskBuildResponse.self, "POST", try taskPath(.stable, owner, id, "resume"))
    }

    /// `PATCH /api/v2/tasks/{owner}/{id}/input` → 204, only while the task is paused (Coder 2.31.1+).
    public func updateTaskInput(owner: String, id: String, input: String) async throws {
        _ = try await send("PATCH", try taskPath(.stable, owner, id, "input"), body: TaskInput(input: input))
    }

    /// `POST {tasks}/{user}` → 201.
    public func createTask(_ generation: TasksAPIGeneration, user: String = "me", _ request: CreateTaskRequest) async throws -> CoderTask {
        try await decode(CoderTask.self, "POST", try taskPath(generation, user), body: request)
    }
}

/// `codersdk.PauseTaskResponse` / `codersdk.ResumeTaskResponse`: the build the pause or resume queued.
public struct TaskBuildResponse: Codable, Sendable, Hashable {
    public var workspaceBuild: WorkspaceBuild

    public init(workspaceBuild: WorkspaceBuild) { self.workspaceBuild = workspaceBuild }

    enum CodingKeys: String, CodingKey { case workspaceBuild = "workspace_build" }
}
