import Foundation

/// What one Coder release line can do for fleet-mcp: the one table every part reads (the deployment detector,
/// every agent backend, the sandbox's version modes) and the README's "Coder versions" table is rendered from.
///
/// A row holds from its `since` release up to the next row's. Facts are cited where they are modelled, in the
/// tests that pin them (coderd's source at the release tag).
public struct CoderCapabilities: Sendable, Hashable {
    /// The first release this row describes.
    public var since: CoderRelease
    /// The README's label for the row (`2.26 – 2.27`).
    public var label: String
    /// Where the tasks API lives, if anywhere.
    public var tasksAPI: TasksAPIGeneration
    /// Whether `/api/experimental/tasks` still answers beside `/api/v2/tasks`.
    public var experimentalTasksServed: Bool
    /// Whether tasks have their own ids and names (2.28+); before, a task is its workspace (same id).
    public var tasksHaveOwnIDs: Bool
    /// Whether `{task}` in a tasks route may be the task's name (2.29+); 2.28 takes only a UUID.
    public var taskLookupByName: Bool
    /// Whether every task workspace names its task in `task_id`, so one without it has no task record.
    public var workspacesLinkTasks: Bool
    /// `POST …/tasks/{owner}/{task}/pause` and `…/resume`.
    public var pauseRoutes: Bool
    /// Whether workspace builds accept the task reasons (`task_manual_pause`, `task_resume`, …).
    public var taskBuildReasons: Bool
    /// `PATCH …/tasks/{owner}/{task}/input`.
    public var inputPatch: Bool
    /// Whether Coder pauses idle task workspaces by itself (`task_auto_pause`).
    public var autoPause: Bool
    /// How an agent is created.
    public var creation: Creation
    /// How later input reaches Claude Code.
    public var input: InputPath
    /// How a running turn is interrupted.
    public var cancel: CancelPath
    /// What makes a template a fleet project on this release.
    public var projects: ProjectRule = .promptParameter
    /// What becomes of a task template's `AI Prompt` parameter.
    public var promptParameter: PromptParameter = .required
    /// The status of `…/send` when the agent is busy ("Task app is not ready to accept input."): 502 through 2.31.x,
    /// 409 from 2.32.
    public var appNotReadyStatus: Int = 502
    /// Whether a task's `current_state` says `failed` for an app status `failure` (from 2.32: v2.32.0
    /// coderd/aitasks.go:321 `appStatusStateToTaskState`); before, `failure` passes through (v2.31.1 aitasks.go:336).
    public var taskStateMapsFailure = false

    /// How fleet-mcp tells a fleet project from another template.
    public enum ProjectRule: String, Sendable, Hashable {
        /// Its active version declares the `AI Prompt` parameter, which carries the task (2.26–2.28, and without a
        /// tasks API, where fleet-mcp sets it at creation).
        case promptParameter
        /// Coder lists it under `GET /api/v2/templates?q=has-ai-task:true`: its active version has a `coder_ai_task`
        /// resource (2.29+, where coderd no longer needs the parameter).
        case aiTaskTemplate
    }

    /// Whether a task template declares `AI Prompt` (coderd's `tasksCreate` in `coderd/aitasks.go`).
    public enum PromptParameter: String, Sendable, Hashable {
        /// It must: the prompt travels in it (v2.28.0 aitasks.go:182 always fills it).
        case required
        /// It may: coderd fills it only when declared (v2.29.0 aitasks.go:132–150).
        case optional
        /// Not any more: coderd never fills it, the template reads `data.coder_task` (v2.30.0 aitasks.go).
        case unused
    }

    /// How an agent is created on a release.
    public enum Creation: String, Sendable, Hashable {
        /// A workspace whose `AI Prompt` parameter carries the task (2.26–2.27, and without a tasks API).
        case workspaceWithPrompt
        /// `POST {tasks}/me`; Coder names the workspace after the task.
        case tasksCreate
    }

    /// How input reaches a running agent.
    public enum InputPath: String, Sendable, Hashable {
        /// `POST {tasks}/{owner}/{task}/send`, the conversation from `…/logs`.
        case tasksSend
        /// AgentAPI through Coder's path app proxy: `…/apps/{slug}/message`, `/messages`, `/status`.
        case agentAPI
    }

    /// How a running turn is interrupted.
    public enum CancelPath: String, Sendable, Hashable {
        /// A raw ESC through AgentAPI (the tasks API has no route for it).
        case agentAPIEscape
    }

    /// The README's table, newest row last. Rows hold until the next row's `since`.
    public static let table: [CoderCapabilities] = [
        CoderCapabilities(
            since: CoderRelease(2, 26, 0), label: "2.26 – 2.27", tasksAPI: .experimental, experimentalTasksServed: true, tasksHaveOwnIDs: false,
            taskLookupByName: false, workspacesLinkTasks: false, pauseRoutes: false, taskBuildReasons: false, inputPatch: false,
            autoPause: false, creation: .workspaceWithPrompt, input: .tasksSend, cancel: .agentAPIEscape),
        CoderCapabilities(
            since: CoderRelease(2, 28, 0), label: "2.28", tasksAPI: .experimental, experimentalTasksServed: true, tasksHaveOwnIDs: true,
            taskLookupByName: false, workspacesLinkTasks: false, pauseRoutes: false, taskBuildReasons: false, inputPatch: false,
            autoPause: false, creation: .tasksCreate, input: .tasksSend, cancel: .agentAPIEscape),
        CoderCapabilities(
            since: CoderRelease(2, 29, 0), label: "2.29", tasksAPI: .stable, experimentalTasksServed: true, tasksHaveOwnIDs: true,
            taskLookupByName: true, workspacesLinkTasks: false, pauseRoutes: false, taskBuildReasons: false, inputPatch: true,
            autoPause: false, creation: .tasksCreate, input: .tasksSend, cancel: .agentAPIEscape, projects: .aiTaskTemplate,
            promptParameter: .optional),
        CoderCapabilities(
            since: CoderRelease(2, 30, 0), label: "2.30", tasksAPI: .stable, experimentalTasksServed: true, tasksHaveOwnIDs: true,
            taskLookupByName: true, workspacesLinkTasks: true, pauseRoutes: false, taskBuildReasons: false, inputPatch: true,
            autoPause: false, creation: .tasksCreate, input: .tasksSend, cancel: .agentAPIEscape, projects: .aiTaskTemplate,
            promptParameter: .unused),
        CoderCapabilities(
            since: CoderRelease(2, 31, 0), label: "2.31.0", tasksAPI: .stable, experimentalTasksServed: true, tasksHaveOwnIDs: true,
            taskLookupByName: true, workspacesLinkTasks: true, pauseRoutes: false, taskBuildReasons: false, inputPatch: true,
            autoPause: false, creation: .tasksCreate, input: .tasksSend, cancel: .agentAPIEscape, projects: .aiTaskTemplate,
            promptParameter: .unused),
        CoderCapabilities(
            since: CoderRelease(2, 31, 1), label: "2.31.1 – 2.31", tasksAPI: .stable, experimentalTasksServed: true, tasksHaveOwnIDs: true,
            taskLookupByName: true, workspacesLinkTasks: true, pauseRoutes: true, taskBuildReasons: true, inputPatch: true,
            autoPause: true, creation: .tasksCreate, input: .tasksSend, cancel: .agentAPIEscape, projects: .aiTaskTemplate,
            promptParameter: .unused),
        CoderCapabilities(
            since: CoderRelease(2, 32, 0), label: "2.32 – 2.36", tasksAPI: .stable, experimentalTasksServed: true, tasksHaveOwnIDs: true,
            taskLookupByName: true, workspacesLinkTasks: true, pauseRoutes: true, taskBuildReasons: true, inputPatch: true,
            autoPause: true, creation: .tasksCreate, input: .tasksSend, cancel: .agentAPIEscape, projects: .aiTaskTemplate,
            promptParameter: .unused, appNotReadyStatus: 409, taskStateMapsFailure: true),
        CoderCapabilities(
            since: CoderRelease(2, 37, 0), label: "2.37", tasksAPI: .none, experimentalTasksServed: false, tasksHaveOwnIDs: false,
            taskLookupByName: false, workspacesLinkTasks: false, pauseRoutes: false, taskBuildReasons: false, inputPatch: false,
            autoPause: false, creation: .workspaceWithPrompt, input: .agentAPI, cancel: .agentAPIEscape),
        CoderCapabilities(
            since: CoderRelease(2, 38, 0), label: "2.38 and later", tasksAPI: .none, experimentalTasksServed: false, tasksHaveOwnIDs: false,
            taskLookupByName: false, workspacesLinkTasks: false, pauseRoutes: false, taskBuildReasons: false, inputPatch: false,
            autoPause: false, creation: .workspaceWithPrompt, input: .agentAPI, cancel: .agentAPIEscape),
    ]

    /// What a deployment with no tasks API at all can do (releases before 2.26, and the last resort).
    public static let agentAPIOnly = CoderCapabilities(
        since: CoderRelease(0, 0, 0), label: "before 2.26", tasksAPI: .none, experimentalTasksServed: false, tasksHaveOwnIDs: false,
        taskLookupByName: false, workspacesLinkTasks: false, pauseRoutes: false, taskBuildReasons: false, inputPatch: false,
        autoPause: false, creation: .workspaceWithPrompt, input: .agentAPI, cancel: .agentAPIEscape)

    /// The row of a build version (`v2.27.1+230b55b`, `2.35.1`); nil for development builds (`v0.0.0-devel`) and
    /// unparseable versions, which are probed instead.
    public static func forVersion(_ version: String) -> CoderCapabilities? {
        guard let release = CoderRelease(parsing: version), release != CoderRelease(0, 0, 0) else { return nil }
        return table.last { $0.since <= release } ?? agentAPIOnly
    }

    /// The newest row that reaches agents through `generation`: what a probed development build is taken to be.
    /// Routes it turns out not to have are demoted as on any deployment.
    public static func probed(_ generation: TasksAPIGeneration) -> CoderCapabilities {
        table.last { $0.tasksAPI == generation } ?? agentAPIOnly
    }

    /// The row to fall back to when this row's tasks routes are missing: the next older way to reach agents.
    public var demoted: CoderCapabilities {
        switch tasksAPI {
        case .stable:
            var row = Self.probed(.experimental)
            row.label = label + " (tasks API at the experimental prefix)"
            return row
        case .experimental, .none:
            var row = Self.agentAPIOnly
            row.label = label + " (no tasks API)"
            return row
        }
    }
}

/// A Coder release number, `major.minor.patch`.
public struct CoderRelease: Sendable, Hashable, Comparable, CustomStringConvertible {
    public var major: Int
    public var minor: Int
    public var patch: Int

    public init(_ major: Int, _ minor: Int, _ patch: Int) {
        self.major = major
        self.minor = minor
        self.patch = patch
    }

    /// Reads `v2.31.1+abc`, `2.35`, `v2.38.5-rc.1`; nil when there are not at least two numbers.
    public init?(parsing version: String) {
        var text = Substring(version.trimmingCharacters(in: .whitespaces))
        if text.hasPrefix("v") { text = text.dropFirst() }
        let core = text.prefix { $0.isNumber || $0 == "." }
        let numbers = core.split(separator: ".", omittingEmptySubsequences: false).prefix(3).map { Int($0) }
        guard numbers.count >= 2, let major = numbers[0], let minor = numbers[1] else { return nil }
        self.init(major, minor, numbers.count > 2 ? (numbers[2] ?? 0) : 0)
    }

    public static func < (a: CoderRelease, b: CoderRelease) -> Bool {
        (a.major, a.minor, a.patch) < (b.major, b.minor, b.patch)
    }

    public var description: String { "\(major).\(minor).\(patch)" }
}
