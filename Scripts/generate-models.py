#!/usr/bin/env python3
"""Generates Sources/CoderAPI/Models/{Generated,WorkspaceViews,Enums}.swift from the compact lists below.

Why a generator: Coder's JSON keys are snake_case with a few capitalised exceptions (presets, build-time
stats), so every model needs explicit CodingKeys, and the sandbox must *encode* `null` for Go pointer
fields exactly as Coder does. Writing ~250 keys by hand invites typos; this list is the single source.

Field syntax: `json_key Type` (always present), `json_key Type?` (omitted when absent: Go `omitempty`),
`json_key Type!` (always present, may be null: Go pointers / NullUUID). Add `=name` to set the Swift name.
Run: python3 Scripts/generate-models.py (`--check`: fail when a committed file differs from what it generates, as
swift-openapi-generator's reference tests do; `Tests/CoderAPITests/GeneratedModelsTests.swift` runs it).
Optionality also follows the swagger's `required` lists (see `swagger_required`). ENUMS lists the open enums.
"""
import json, pathlib, re, sys

SPEC = r'''
## Generated.swift
BuildInfo | `GET /api/v2/buildinfo`.
  external_url String
  version String
  dashboard_url String?
  telemetry Bool?
  workspace_proxy Bool?
  agent_api_version String?
  provisioner_api_version String?
  upgrade_message String?
  deployment_id String?

User | `GET /api/v2/users/me` (`codersdk.User`).
  id String
  username String
  name String?
  email String
  avatar_url String
  created_at Date
  updated_at Date?
  last_seen_at Date?
  status UserStatus
  login_type String
  theme_preference String?
  organization_ids [String]
  roles [SlimRole]

SlimRole | A site or organisation role.
  name String
  display_name String
  organization_id String?

Organization | `GET /api/v2/organizations` (`codersdk.Organization`).
  id String
  name String
  display_name String
  icon String
  description String
  created_at Date
  updated_at Date
  is_default Bool

Template | `GET /api/v2/templates` (`codersdk.Template`).
  id String
  created_at Date
  updated_at Date
  organization_id String
  organization_name String
  organization_display_name String
  organization_icon String
  name String
  display_name String
  provisioner String
  active_version_id String
  active_user_count Int
  build_time_stats TemplateBuildTimeStats
  description String
  deprecated Bool
  deprecation_message String
  deleted Bool?
  icon String
  default_ttl_ms Int
  activity_bump_ms Int
  autostop_requirement TemplateAutostopRequirement
  autostart_requirement TemplateAutostartRequirement
  created_by_id String
  created_by_name String
  allow_user_autostart Bool
  allow_user_autostop Bool
  allow_user_cancel_workspace_jobs Bool
  failure_ttl_ms Int
  time_til_dormant_ms Int
  time_til_dormant_autodelete_ms Int
  require_active_version Bool
  max_port_share_level String
  cors_behavior String
  use_classic_parameter_flow Bool

TemplateBuildTimeStats | Build-time percentiles per transition.
  start TransitionStats
  stop TransitionStats
  delete TransitionStats

TransitionStats | Milliseconds; `null` until builds have run.
  P50 Int!=p50
  P95 Int!=p95

TemplateAutostopRequirement | When workspaces must stop.
  days_of_week [String]
  weeks Int

TemplateAutostartRequirement | On which days workspaces may autostart.
  days_of_week [String]

TemplateVersion | `GET /api/v2/templateversions/{id}` (`codersdk.TemplateVersion`).
  id String
  template_id String?
  organization_id String?
  created_at Date
  updated_at Date
  name String
  message String
  job ProvisionerJob
  readme String
  created_by MinimalUser
  archived Bool
  warnings [String]?
  has_external_agent Bool?

MinimalUser | A user reference.
  id String
  username String
  name String?
  avatar_url String?

TemplateVersionParameter | `GET /api/v2/templateversions/{id}/rich-parameters`.
  name String
  display_name String?
  description String
  description_plaintext String
  type ParameterType
  form_type String?
  mutable Bool
  default_value String
  icon String
  options [ParameterOption]
  validation_error String?
  validation_regex String?
  validation_min Int?
  validation_max Int?
  validation_monotonic String?
  required Bool
  ephemeral Bool

ParameterOption | One choice of a list parameter.
  name String
  description String
  value String
  icon String

Preset | `GET /api/v2/templateversions/{id}/presets`: Go struct without json tags, so keys are capitalised.
  ID String=id
  Name String=name
  Parameters [PresetParameter]=parameters
  Default Bool=isDefault
  DesiredPrebuildInstances Int!=desiredPrebuildInstances
  Description String?=description
  Icon String?=icon

PresetParameter | A parameter value a preset sets.
  Name String=name
  Value String=value

WorkspaceBuildParameter | A rich parameter value sent with a create or build request.
  name String
  value String

ProvisionerJob | A provisioner job (`codersdk.ProvisionerJob`).
  id String
  created_at Date
  started_at Date?
  completed_at Date?
  canceled_at Date?
  error String?
  error_code String?
  status ProvisionerJobStatus
  worker_id String?
  worker_name String?
  file_id String
  tags [String:String]
  queue_position Int
  queue_size Int
  organization_id String
  initiator_id String?
  input JSONValue
  type String
  available_workers [String]?
  metadata ProvisionerJobMetadata
  logs_overflowed Bool

ProvisionerJobMetadata | What a job builds.
  template_version_name String
  template_id String
  template_name String
  template_display_name String
  template_icon String
  workspace_id String?
  workspace_name String?

MatchedProvisioners | How many provisioners could take the job.
  count Int
  available Int
  most_recently_seen Date!

Workspace | A workspace (`codersdk.Workspace`).
  id String
  created_at Date
  updated_at Date
  owner_id String
  owner_name String
  owner_avatar_url String
  organization_id String
  organization_name String
  template_id String
  template_name String
  template_display_name String
  template_icon String
  template_allow_user_cancel_workspace_jobs Bool
  template_active_version_id String
  template_require_active_version Bool
  template_use_classic_parameter_flow Bool
  latest_build WorkspaceBuild
  latest_app_status WorkspaceAppStatus!
  outdated Bool
  name String
  autostart_schedule String?
  ttl_ms Int?
  last_used_at Date
  deleting_at Date!
  dormant_at Date!
  health WorkspaceHealth
  automatic_updates String
  allow_renames Bool
  favorite Bool
  next_start_at Date!
  is_prebuild Bool
  task_id String?

WorkspaceHealth | Whether the workspace's agents are healthy.
  healthy Bool
  failing_agents [String]

WorkspacesResponse | `GET /api/v2/workspaces`: one page and the total match count.
  workspaces [Workspace]
  count Int

WorkspaceBuild | A workspace build (`codersdk.WorkspaceBuild`).
  id String
  created_at Date
  updated_at Date
  workspace_id String
  workspace_name String
  workspace_owner_id String
  workspace_owner_name String
  workspace_owner_avatar_url String?
  template_version_id String
  template_version_name String
  build_number Int
  transition WorkspaceTransition
  initiator_id String
  initiator_name String
  job ProvisionerJob
  reason BuildReason
  resources [WorkspaceResource]
  deadline Date!
  max_deadline Date!
  status WorkspaceStatus
  daily_cost Int
  matched_provisioners MatchedProvisioners?
  template_version_preset_id String!
  has_ai_task Bool?
  ai_task_sidebar_app_id String?
  has_external_agent Bool?

WorkspaceResource | A Terraform resource of a build.
  id String
  created_at Date
  job_id String
  workspace_transition WorkspaceTransition
  type String
  name String
  hide Bool
  icon String
  agents [WorkspaceAgent]?
  metadata [ResourceMetadata]?
  daily_cost Int

ResourceMetadata | `coder_metadata` items.
  key String
  value String
  sensitive Bool

WorkspaceAgent | A workspace agent (`codersdk.WorkspaceAgent`).
  id String
  parent_id String!
  created_at Date
  updated_at Date
  first_connected_at Date?
  last_connected_at Date?
  disconnected_at Date?
  started_at Date?
  ready_at Date?
  status AgentStatus
  lifecycle_state AgentLifecycle
  name String
  resource_id String
  instance_id String?
  architecture String
  environment_variables [String:String]
  operating_system String
  logs_length Int
  logs_overflowed Bool
  directory String?
  expanded_directory String?
  version String
  api_version String
  apps [WorkspaceApp]
  latency [String:AgentLatency]?
  connection_timeout_seconds Int
  troubleshooting_url String
  subsystems [String]
  health AgentHealth
  display_apps [String]
  log_sources [AgentLogSource]
  scripts [AgentScript]
  startup_script_behavior String

AgentLatency | Round-trip latency to a DERP region.
  preferred Bool
  latency_ms Double

AgentHealth | Agent health with a reason when unhealthy.
  healthy Bool
  reason String?

AgentLogSource | A source of agent logs.
  workspace_agent_id String
  id String
  created_at Date
  display_name String
  icon String

AgentScript | A script the agent runs.
  id String
  log_source_id String
  log_path String
  script String
  cron String
  run_on_start Bool
  run_on_stop Bool
  start_blocks_login Bool
  timeout Int
  display_name String

WorkspaceApp | An app of a workspace agent (`codersdk.WorkspaceApp`).
  id String
  url String?
  external Bool
  slug String
  display_name String
  command String?
  icon String?
  subdomain Bool
  subdomain_name String?
  sharing_level String
  healthcheck Healthcheck
  health AppHealth
  group String?
  hidden Bool
  open_in String
  statuses [WorkspaceAppStatus]

Healthcheck | How Coder probes an app.
  url String
  interval Int
  threshold Int

WorkspaceAppStatus | A status an agent reported with `coder_report_task`.
  id String
  created_at Date
  workspace_id String
  agent_id String
  app_id String
  state AppStatusState
  message String
  uri String
  icon String
  needs_user_attention Bool

CreateWorkspaceRequest | Body of `POST /api/v2/users/{user}/workspaces` (and the organisation-member route).
  name String
  template_id String?
  template_version_id String?
  template_version_preset_id String?
  rich_parameter_values [WorkspaceBuildParameter]?
  autostart_schedule String?
  ttl_ms Int?
  automatic_updates String?

CreateWorkspaceBuildRequest | Body of `POST /api/v2/workspaces/{id}/builds`.
  transition WorkspaceTransition
  template_version_id String?
  template_version_preset_id String?
  rich_parameter_values [WorkspaceBuildParameter]?
  orphan Bool?
  reason String?

CoderTask | A Coder task (`codersdk.Task`); 2.26–2.28 sent a smaller shape with the workspace status in `status`.
  id String
  organization_id String
  owner_id String
  owner_name String
  owner_avatar_url String?
  name String
  display_name String?
  template_id String
  template_version_id String?
  template_name String
  template_display_name String
  template_icon String
  workspace_id String!
  workspace_name String?
  workspace_status WorkspaceStatus?
  workspace_build_number Int?
  workspace_agent_id String!
  workspace_agent_lifecycle AgentLifecycle!
  workspace_agent_health AgentHealth!
  workspace_app_id String?
  initial_prompt String
  status TaskStatus
  current_state TaskCurrentState!
  created_at Date
  updated_at Date

TaskCurrentState | The newest app status as the task sees it.
  timestamp Date
  state TaskState
  message String
  uri String

TasksResponse | `GET /api/v2/tasks`.
  tasks [CoderTask]
  count Int

CreateTaskRequest | Body of `POST /api/v2/tasks/{user}`.
  template_version_id String
  template_version_preset_id String?
  input String
  name String?
  display_name String?

TaskLogsResponse | `GET …/tasks/{user}/{task}/logs`.
  logs [TaskLogEntry]
  snapshot Bool?
  snapshot_at Date?

TaskLogEntry | One conversation turn.
  id Int
  content String
  type TaskLogType
  time Date

TaskInput | Body of `POST …/tasks/{user}/{task}/send`.
  input String

PatchAppStatus | Body of `PATCH /api/v2/workspaceagents/me/app-status` (agent token).
  app_slug String
  state AppStatusState
  message String
  uri String?
  icon String?
  needs_user_attention Bool?

CoderErrorBody | Coder's error body (`codersdk.Response`).
  message String
  detail String?
  validations [ValidationError]?

ValidationError | One invalid field.
  field String
  detail String

AgentAPIStatusResponse | AgentAPI `GET /status`.
  status AgentAPIStatus
  agent_type String?

AgentAPIMessage | AgentAPI message (`GET /messages`).
  id Int
  content String
  role AgentAPIRole
  time Date

AgentAPIMessagesResponse | AgentAPI `GET /messages`.
  messages [AgentAPIMessage]

AgentAPIPostMessage | AgentAPI `POST /message` body.
  content String
  type AgentAPIMessageType

AgentAPIPostMessageResponse | AgentAPI `POST /message` answer.
  ok Bool

## WorkspaceViews.swift
WorkspaceView | The parts of a workspace (`codersdk.Workspace`) fleet-mcp reads. Decoding a fleet of full workspaces costs most of a `list_agents` call; this view skips what the fleet never looks at (agent scripts, environment, job inputs, …).
  id String
  created_at Date
  updated_at Date
  owner_id String
  owner_name String
  template_name String
  template_display_name String
  template_active_version_id String
  latest_build BuildView
  latest_app_status WorkspaceAppStatus!
  outdated Bool
  name String
  task_id String?

WorkspaceViewsResponse | `GET /api/v2/workspaces`, as `WorkspaceView`s.
  workspaces [WorkspaceView]
  count Int

BuildView | The parts of a workspace build fleet-mcp reads.
  id String
  created_at Date
  updated_at Date
  build_number Int
  transition WorkspaceTransition
  status WorkspaceStatus
  reason BuildReason
  template_version_id String
  template_version_preset_id String!
  job JobView
  resources [ResourceView]
  ai_task_sidebar_app_id String?

JobView | The parts of a provisioner job fleet-mcp reads.
  status ProvisionerJobStatus
  error String?
  started_at Date?
  completed_at Date?
  queue_position Int
  queue_size Int

ResourceView | A build resource, for its agents.
  agents [AgentView]?

AgentView | The parts of a workspace agent fleet-mcp reads.
  id String
  name String
  status AgentStatus
  lifecycle_state AgentLifecycle
  ready_at Date?
  health AgentHealth
  version String
  apps [AppView]

AppView | The parts of a workspace app fleet-mcp reads.
  id String
  url String?
  external Bool
  slug String
  display_name String
  health AppHealth
  statuses [WorkspaceAppStatus]
'''

ENUMS = r'''
WorkspaceStatus | The status of a workspace's latest build (`codersdk.WorkspaceStatus`).
  pending starting running stopping stopped failed canceling canceled deleting deleted

WorkspaceTransition | What a build does (`codersdk.WorkspaceTransition`).
  start stop delete

ProvisionerJobStatus | The state of a provisioner job (`codersdk.ProvisionerJobStatus`).
  pending running succeeded canceling canceled failed unknown=statusUnknown

BuildReason | Why a build ran (`codersdk.BuildReason`).
  initiator autostart autostop dormancy dashboard cli ssh_connection vscode_connection jetbrains_connection task_auto_pause
  task_manual_pause task_resume

AgentStatus | Connection state of a workspace agent (`codersdk.WorkspaceAgentStatus`).
  connecting connected disconnected timeout

AgentLifecycle | Lifecycle of a workspace agent (`codersdk.WorkspaceAgentLifecycle`).
  created starting start_timeout start_error ready shutting_down shutdown_timeout shutdown_error off

AppHealth | Health of a workspace app (`codersdk.WorkspaceAppHealth`).
  disabled initializing healthy unhealthy

AppStatusState | What an agent reported through `coder_report_task` (`codersdk.WorkspaceAppStatusState`).
  working idle complete failure

TaskStatus | Status of a Coder task. Coder 2.26–2.28 reported the workspace status here; 2.29+ uses its own vocabulary (`codersdk.TaskStatus`).
  pending initializing active paused unknown=statusUnknown error starting running stopping stopped failed canceling canceled
  deleting deleted

TaskState | The task's current state, derived from the newest app status (`codersdk.TaskState`).
  working idle complete failed failure

TaskLogType | Direction of a task log entry.
  input output

UserStatus | A user's account status.
  active dormant suspended

ParameterType | Type of a rich parameter.
  string number bool list(string)=listString

AgentAPIStatus | AgentAPI's own status: `stable` when the agent waits for input, `running` while it works.
  stable running

AgentAPIRole | Who wrote an AgentAPI message.
  user agent

AgentAPIMessageType | How AgentAPI delivers a message: `user` types it as a turn, `raw` writes bytes to the terminal.
  user raw
'''

def camel(key):
    parts = key.split('_')
    out = parts[0] + ''.join(p.capitalize() for p in parts[1:])
    out = re.sub(r'Id$', 'ID', out); out = re.sub(r'Id(?=[A-Z])', 'ID', out)
    out = re.sub(r'Url$', 'URL', out); out = re.sub(r'Url(?=[A-Z])', 'URL', out)
    out = re.sub(r'Uri$', 'URI', out)
    out = re.sub(r'Ids$', 'IDs', out)
    out = re.sub(r'Api(?=[A-Z]|$)', 'API', out)
    if out == 'id': out = 'id'
    return out

def swift_type(t):
    t = t.strip()
    m = re.fullmatch(r'\[(\w+):(\w+)\]', t)
    if m: return f'[{m.group(1)}: {m.group(2)}]'
    return t

ROOT = pathlib.Path(__file__).resolve().parent.parent
SWAGGER = ROOT.parent / 'shared' / 'coder-api' / 'swagger.json'


def swagger_required():
    """`definitions.<name>.required` of Coder's swagger (v2.35.1; swaggo lists a field there only when its Go struct
    tag says `validate:"required"`). A model whose doc names `codersdk.X` and whose swagger definition has a
    `required` list decodes every other key as optional: `json_key Type` becomes `json_key Type?`."""
    if not SWAGGER.exists():
        sys.exit(f'generate-models.py: {SWAGGER} is missing (the shared Coder API reference)')
    definitions = json.loads(SWAGGER.read_text())['definitions']
    return {name: set(d['required']) for name, d in definitions.items() if d.get('required')}


def parse_models(required_lists):
    files, current = {}, None
    for block in SPEC.strip().split('\n\n'):
        lines = block.strip().split('\n')
        if lines[0].startswith('## '):
            current = lines[0][3:].strip(); files[current] = []; lines = lines[1:]
            if not lines: continue
        name, doc = [x.strip() for x in lines[0].split('|', 1)]
        sdk = re.search(r'`(codersdk\.\w+)`', doc)
        required = required_lists.get(sdk.group(1)) if sdk else None
        fields = []
        for line in lines[1:]:
            key, rest = line.strip().split(' ', 1)
            swname = None
            if '=' in rest: rest, swname = rest.split('=')
            kind = 'req'
            if rest.endswith('?'): kind = 'opt'; rest = rest[:-1]
            elif rest.endswith('!'): kind = 'null'; rest = rest[:-1]
            if kind == 'req' and required is not None and key not in required: kind = 'opt'
            fields.append((key, swift_type(rest), kind, swname or camel(key)))
        files[current].append((name, doc, fields))
    return files


def render_models(structs):
    out = ['// Generated by Scripts/generate-models.py; edit the list there, then run it.', '', 'import Foundation', '']
    for name, doc, fields in structs:
        out.append(f'/// {doc}')
        out.append(f'public struct {name}: Codable, Sendable, Hashable {{')
        for key, t, kind, sw in fields:
            if kind == 'req': out.append(f'    public var {sw}: {t}')
            elif kind == 'opt': out.append(f'    public var {sw}: {t}?')
            else: out.append(f'    @Nullable public var {sw}: {t}?')
        out.append('')
        params = [f'{sw}: {t}' + ('' if kind == 'req' else '? = nil') for key, t, kind, sw in fields]
        out.append('    public init(')
        out.append(',\n'.join('        ' + p for p in params))
        out.append('    ) {')
        for key, t, kind, sw in fields:
            out.append(f'        self.{sw} = {sw}')
        out.append('    }')
        out.append('')
        out.append('    enum CodingKeys: String, CodingKey {')
        for key, t, kind, sw in fields:
            out.append(f'        case {sw}' + ('' if sw == key else f' = "{key}"'))
        out.append('    }')
        out.append('}')
        out.append('')
    return '\n'.join(out)


# One-pass readers (`JSONReadable`, read by `SelectiveJSONDecoder`) of these models, in this order.
READERS = ['WorkspaceView', 'BuildView', 'JobView', 'ResourceView', 'AgentView', 'AgentHealth', 'AppView', 'WorkspaceAppStatus']


def read_expression(t, key, receiver, enums):
    """The `JSONReader` call that reads one value of Swift type `t` at `receiver`."""
    array = re.fullmatch(r'\[(\w+)\]', t)
    if array: return f'{receiver}.array {{ try {read_expression(array.group(1), key, "$0", enums)} }}'
    if t == 'String': return f'{receiver}.identifier()' if key == 'id' or key.endswith('_id') else f'{receiver}.string()'
    if t in ('Date', 'Bool', 'Int'): return f'{receiver}.{t.lower()}()'
    if t in enums: return f'{receiver}.open({t}.self)'
    if t in ('Double', 'JSONValue') or t.startswith('[') : sys.exit(f'generate-models.py: no reader for {t} ({key})')
    return f'{receiver}.read({t}.self)'


def render_readers(models, enums):
    out = ['// Generated by Scripts/generate-models.py from the view lists; edit them there, then run it.', '',
           'import Foundation', '',
           '// One-pass readers of the views (`JSONReadable`). Each reads the keys of the type\'s `CodingKeys`, with the same',
           '// optionality: `T?` and `@Nullable` members are nil when absent or null, the others are required.', '']
    for name in READERS:
        fields = models[name]
        out.append(f'extension {name}: JSONReadable {{')
        out.append('    init(reading reader: inout JSONReader) throws {')
        for key, t, kind, sw in fields:
            out.append(f'        var {sw}: {t}?')
        out.append('        var seen = SeenMembers()')
        out.append('        try reader.object { key, r in')
        out.append('            switch key {')
        for index, (key, t, kind, sw) in enumerate(fields):
            expression = read_expression(t, key, 'r', enums) if kind == 'req' else \
                f'r.optional {{ try {read_expression(t, key, "$0", enums)} }}'
            out.append(f'            case "{key}" where seen.first({index}): {sw} = try {expression}')
        out.append('            default: break')
        out.append('            }')
        out.append('        }')
        out.append('        self.init(')
        arguments = [f'{sw}: try required({sw}, "{key}")' if kind == 'req' else f'{sw}: {sw}' for key, t, kind, sw in fields]
        out.append(',\n'.join('            ' + a for a in arguments))
        out.append('        )')
        out.append('    }')
        out.append('}')
        out.append('')
    return '\n'.join(out)


def render_enums():
    """Open enums: each raw value is listed once in ENUMS (`raw=swiftName` where the name is not its camel case)."""
    out = ['// Generated by Scripts/generate-models.py from its ENUMS list; edit the list there, then run it.', '']
    for block in ENUMS.strip().split('\n\n'):
        lines = block.strip().split('\n')
        name, doc = [x.strip() for x in lines[0].split('|', 1)]
        cases = []
        for word in ' '.join(lines[1:]).split():
            raw, _, sw = word.partition('=')
            cases.append((raw, sw or camel(raw)))
        out.append(f'/// {doc}')
        out.append(f'public enum {name}: OpenEnum {{')
        out += [f'    case {sw}' for raw, sw in cases]
        out.append('    case unknown(String)')
        out.append('')
        out.append(f'    public static let knownCases: [{name}] = [')
        out += [f'        .{sw},' for raw, sw in cases]
        out.append('    ]')
        out.append('')
        out.append('    public var rawValue: String {')
        out.append('        switch self {')
        out += [f'        case .{sw}: "{raw}"' for raw, sw in cases]
        out.append('        case .unknown(let raw): raw')
        out.append('        }')
        out.append('    }')
        out.append('}')
        out.append('')
    return '\n'.join(out)


def outputs():
    models = parse_models(swagger_required())
    rendered = {fname: render_models(structs) for fname, structs in models.items()}
    rendered['Enums.swift'] = render_enums()
    enums = {block.strip().split('|', 1)[0].strip() for block in ENUMS.strip().split('\n\n')}
    by_name = {name: fields for structs in models.values() for name, doc, fields in structs}
    rendered['WorkspaceViews+Reading.swift'] = render_readers(by_name, enums)
    return rendered


def main():
    check = '--check' in sys.argv[1:]
    stale = []
    for fname, text in outputs().items():
        path = ROOT / 'Sources/CoderAPI/Models' / fname
        if check:
            if not path.exists() or path.read_text() != text: stale.append(fname)
        else:
            path.write_text(text)
    if stale:
        sys.exit('generate-models.py --check: out of date (run python3 Scripts/generate-models.py): ' + ', '.join(stale))
    print('ok')


if __name__ == '__main__':
    main()
