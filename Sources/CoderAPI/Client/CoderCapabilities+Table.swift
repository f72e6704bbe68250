import Foundation

/// The README's "Coder versions" table, rendered from ``CoderCapabilities/table`` so the two cannot disagree
/// (a test checks that README.md contains exactly this text).
extension CoderCapabilities {
    /// The Markdown table, one line per row, header first.
    public static var markdownTable: String {
        let header = [
            "| Coder | tasks API | what a template needs | creating an agent | how input reaches Claude Code | pause / resume |",
            "|---|---|---|---|---|---|",
        ]
        return (header + table.map(\.markdownRow)).joined(separator: "\n")
    }

    /// One row of ``markdownTable``.
    public var markdownRow: String {
        "| " + [label, tasksCell, templateCell, creationCell, inputCell, pauseCell].joined(separator: " | ") + " |"
    }

    private var tasksCell: String {
        switch tasksAPI {
        case .none: return "none"
        case .experimental, .stable:
            let base = tasksAPI.basePath ?? ""
            var cell = "`\(base)/{owner}/{task}`"
            cell += tasksHaveOwnIDs ? "" : " (a task is its workspace: `{task}` is the workspace id)"
            if tasksHaveOwnIDs { cell += taskLookupByName ? " (`{task}`: id or name)" : " (`{task}`: id only)" }
            if tasksAPI == .stable, experimentalTasksServed { cell += "; the experimental prefix still answers" }
            if workspacesLinkTasks { cell += "; workspaces name their task in `task_id`" }
            return cell
        }
    }

    /// What a template must declare to be a fleet project.
    private var templateCell: String {
        switch (projects, promptParameter) {
        case (.promptParameter, _):
            "an `AI Prompt` parameter (the task's prompt)" + (tasksAPI == .none ? "" : " and a `coder_ai_task` resource")
        case (.aiTaskTemplate, .unused):
            "a `coder_ai_task` resource (Coder lists it under `has-ai-task:true`); the prompt is `data.coder_task`'s `prompt`"
        case (.aiTaskTemplate, _):
            "a `coder_ai_task` resource (Coder lists it under `has-ai-task:true`); an `AI Prompt` parameter, if declared, gets the prompt"
        }
    }

    private var creationCell: String {
        switch creation {
        case .workspaceWithPrompt: "a workspace with the prompt as its `AI Prompt` parameter"
        case .tasksCreate: "`POST \(tasksAPI.basePath ?? "")/me` (Coder names the workspace after the task)"
        }
    }

    private var inputCell: String {
        let cancel =
            switch self.cancel {
            case .agentAPIEscape: "; cancel: ESC through AgentAPI"
            }
        switch input {
        case .tasksSend:
            return "`…/send`, the conversation from `…/logs`" + (inputPatch ? "; a paused task's prompt by `PATCH …/input`" : "") + cancel
        case .agentAPI:
            return "AgentAPI through Coder's path app proxy (`/@{owner}/{workspace}.{agent}/apps/{slug}/status`, `/message`, `/messages`)"
                + cancel
        }
    }

    private var pauseCell: String {
        var cell = pauseRoutes ? "`POST …/pause`, `…/resume`" : "stop / start build"
        if taskBuildReasons { cell += "; builds carry task reasons (`task_manual_pause`)" }
        if autoPause { cell += "; Coder pauses idle tasks (`task_auto_pause`)" }
        return cell
    }
}
