import CoderAPI
import Foundation

/// Turns a seed template into the template, its version, parameters and presets Coder would serve.
extension TemplateRecord {
    static func make(
        _ seed: SandboxSeed.Template, owner: User?, organization: Organization, ids: inout IDGenerator,
        now: Date
    ) -> TemplateRecord {
        let templateID = ids.uuid(), versionID = ids.uuid()
        let stats = TransitionStats(p50: 2100, p95: 4800)
        let template = Template(
            id: templateID, createdAt: now, updatedAt: now, organizationID: organization.id, organizationName: organization.name ?? "",
            organizationDisplayName: organization.displayName ?? "", organizationIcon: "", name: seed.name, displayName: seed.displayName,
            provisioner: "terraform", activeVersionID: versionID, activeUserCount: 1,
            buildTimeStats: TemplateBuildTimeStats(
                start: stats, stop: TransitionStats(p50: 900, p95: 1600),
                delete: TransitionStats(p50: 800, p95: 1500)),
            description: seed.description, deprecated: false, deprecationMessage: "", icon: seed.icon ?? "", defaultTtlMs: 0,
            activityBumpMs: 3_600_000, autostopRequirement: TemplateAutostopRequirement(daysOfWeek: [], weeks: 1),
            autostartRequirement: TemplateAutostartRequirement(daysOfWeek: [
                "monday", "tuesday", "wednesday", "thursday", "friday", "saturday",
                "sunday",
            ]),
            createdByID: owner?.id ?? "", createdByName: owner?.username ?? "", allowUserAutostart: true, allowUserAutostop: true,
            allowUserCancelWorkspaceJobs: false, failureTtlMs: 0, timeTilDormantMs: 0, timeTilDormantAutodeleteMs: 0,
            requireActiveVersion: false, maxPortShareLevel: "public", corsBehavior: "simple", useClassicParameterFlow: false)
        let job = ProvisionerJob(
            id: ids.uuid(), createdAt: now, startedAt: now, completedAt: now, status: .succeeded, workerID: ids.uuid(),
            fileID: ids.uuid(), tags: ["owner": "", "scope": "organization"], queuePosition: 0, queueSize: 0,
            organizationID: organization.id, input: .object(["template_version_id": .string(versionID)]),
            type: "template_version_import",
            metadata: ProvisionerJobMetadata(
                templateVersionName: "", templateID: templateID, templateName: seed.name,
                templateDisplayName: seed.displayName, templateIcon: seed.icon ?? ""),
            logsOverflowed: false)
        let version = TemplateVersion(
            id: versionID, templateID: templateID, organizationID: organization.id, createdAt: now, updatedAt: now,
            name: "sandbox-\(seed.name)-v1", message: "Seeded by the fleet-mcp sandbox", job: job,
            readme: "# \(seed.displayName)\n\n\(seed.description)\n",
            createdBy: MinimalUser(id: owner?.id ?? "", username: owner?.username ?? "", name: owner?.name, avatarURL: ""),
            archived: false, warnings: [], hasExternalAgent: false)
        let parameters = (seed.parameters ?? []).map { p in
            TemplateVersionParameter(
                name: p.name, displayName: p.displayName, description: p.description, descriptionPlaintext: p.description,
                type: .string, formType: p.formType ?? "input", mutable: p.mutable ?? true, defaultValue: p.defaultValue ?? "",
                icon: "", options: [], required: false, ephemeral: false)
        }
        let presets = (seed.presets ?? []).map { p in
            Preset(
                id: ids.uuid(), name: p.name, parameters: p.parameters.keys.sorted().map { PresetParameter(name: $0, value: p.parameters[$0]!) },
                isDefault: p.isDefault ?? false, desiredPrebuildInstances: 0, description: p.description ?? "", icon: "")
        }
        return TemplateRecord(
            template: template, version: version, parameters: parameters, presets: presets, aiTask: seed.aiTask,
            repository: seed.repository ?? "\(organization.name ?? "")/\(seed.name)")
    }
}
