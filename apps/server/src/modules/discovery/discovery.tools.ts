import { Type } from '@sinclair/typebox';
import {
  CapabilityDiffSchema,
  CapabilityVersionSchema,
  CreatedServerSchema,
  CreateServerBody,
  type CreateServerInput,
  ServerSchema,
  Uuid,
} from '@sprintconnect/contracts';
import { AppError, isAppError } from '../../kernel/index.ts';
import type { McpTool } from '../authz/index.ts';
import { actorOf } from '../identity/index.ts';
import { type RegistryService, redactServer } from '../registry/index.ts';
import type { CapabilitiesService } from './capabilities.service.ts';
import {
  capabilityJudge,
  countsWithoutRestricted,
  diffWithoutRestricted,
  withholdRestricted,
} from './capability-visibility.ts';
import type { DiscoveryService } from './discovery.service.ts';

/**
 * Discovery's platform tools on the MCP gateway (issue 11 point 7, ADR 0045): describe a server with its current
 * capabilities, its discovery state and versions, the diff between two versions, and registering a server. Each
 * runs the guard and the service function of the `/v1` route it mirrors (`GET /v1/servers/{id}` with
 * `.../capabilities`, `.../capabilities/versions`, `.../capabilities/diff`, `POST /v1/servers`).
 */
const ServerId = Type.Object(
  {
    id: Type.Unsafe<string>({ ...Uuid, description: 'The server id (`id` in list_servers or find_servers)' }),
  },
  { additionalProperties: false },
);
const Version = Type.Integer({ minimum: 1, maximum: 2_147_483_647 });
const open = { readOnlyHint: true, idempotentHint: true, openWorldHint: false } as const;

export function discoveryTools(deps: {
  discovery: DiscoveryService;
  capabilities: CapabilitiesService;
  registry: RegistryService;
}): McpTool[] {
  const { discovery, capabilities, registry } = deps;
  return [
    {
      name: 'describe_server',
      title: 'Describe a server and its tools',
      description:
        'One MCP server of your organization (`id`) and its current capabilities: the tools (with their input ' +
        'schemas and annotations), resources and prompts of its latest discovered version, or `null` before its ' +
        'first discovery. Capabilities a policy withholds from you are left out (`withheld` counts them).',
      inputSchema: ServerId,
      outputSchema: Type.Object({
        server: ServerSchema,
        capabilities: Type.Union([CapabilityVersionSchema, Type.Null()]),
      }),
      annotations: open,
      action: 'servers:read',
      async handler({ principal, authz, requestId }, args) {
        const id = args.id as string;
        const { view, obligations } = await registry.read(authz, id);
        const judge = capabilityJudge(authz, id, view);
        const current = await capabilities.current(actorOf(principal, requestId), id).then(
          (v) => withholdRestricted(judge, v),
          // Not discovered yet is a state of the server, not a failure of the description.
          (e: unknown) => {
            if (isAppError(e) && e.code === 'capability_version_not_found') return null;
            throw e;
          },
        );
        return { server: redactServer(view, obligations), capabilities: current };
      },
    },
    {
      name: 'server_discovery',
      title: "A server's discovery state and capability versions",
      description:
        'Where discovery stands for one server (`status`: pending_discovery, discovering, active or ' +
        'discovery_failed; `lastError`, `lastDiscoveredAt`, `currentVersion`) and its capability versions, newest ' +
        'first (page with `cursor`). Compare two versions with capability_diff.',
      inputSchema: Type.Object(
        {
          id: ServerId.properties.id,
          limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 200, default: 20 })),
          cursor: Type.Optional(Type.String({ maxLength: 500 })),
        },
        { additionalProperties: false },
      ),
      outputSchema: Type.Object({
        server: ServerSchema,
        versions: Type.Array(CapabilityVersionSchema),
        nextCursor: Type.Union([Type.String(), Type.Null()]),
      }),
      annotations: open,
      action: 'servers:read',
      async handler({ principal, authz, requestId }, args) {
        const id = args.id as string;
        const { view, obligations } = await registry.read(authz, id);
        const judge = capabilityJudge(authz, id, view);
        const page = await capabilities.versions(
          actorOf(principal, requestId),
          id,
          (args.limit as number | undefined) ?? 20,
          args.cursor as string | undefined,
          judge.withholds,
        );
        return {
          server: redactServer(view, obligations),
          versions: page.items.map(({ names, ...v }) => countsWithoutRestricted(judge, v, names)),
          nextCursor: page.nextCursor,
        };
      },
    },
    {
      name: 'capability_diff',
      title: 'What changed between two capability versions',
      description:
        'The tools, resources and prompts added, removed and modified (with the changed fields) between versions ' +
        '`from` and `to` of a server. Without them: the version before the current one against the current one.',
      inputSchema: Type.Object(
        { id: ServerId.properties.id, from: Type.Optional(Version), to: Type.Optional(Version) },
        { additionalProperties: false },
      ),
      outputSchema: CapabilityDiffSchema,
      annotations: open,
      action: 'servers:read',
      async handler({ principal, authz, requestId }, args) {
        const id = args.id as string;
        const { server } = await registry.authorizeServer(authz, 'servers:read', id);
        const to = (args.to as number | undefined) ?? (await registry.read(authz, id)).view.currentVersion;
        const from = (args.from as number | undefined) ?? (to ?? 0) - 1;
        if (to === null || from < 1 || from === to) {
          throw new AppError('validation_failed', 'Pick two different versions.', {
            errors: [{ pointer: to === null || from < 1 ? '/from' : '/to', detail: diffDetail(to, from) }],
          });
        }
        return diffWithoutRestricted(
          capabilityJudge(authz, id, server),
          await capabilities.diff(actorOf(principal, requestId), id, from, to),
        );
      },
    },
    {
      name: 'register_server',
      title: 'Register an MCP server',
      description:
        'Registers an MCP server in your organization (as POST /v1/servers) and, unless `autoDiscover` is ' +
        'false, queues its first discovery (`discoveryJob`); watch it with server_discovery. Needs the ' +
        'permission to register servers. Credentials (`auth`) are encrypted at rest and never returned.',
      inputSchema: CreateServerBody,
      outputSchema: CreatedServerSchema,
      annotations: {
        readOnlyHint: false,
        destructiveHint: false,
        idempotentHint: false,
        openWorldHint: true,
      },
      action: 'servers:create',
      async handler({ principal, authz, requestId }, args) {
        authz.assert('servers:create', { type: 'org', orgId: principal.orgId });
        const { server, discoveryJob } = await discovery.registerAndDiscover(
          actorOf(principal, requestId),
          args as CreateServerInput,
        );
        return { ...server, discoveryJob };
      },
    },
  ];
}

function diffDetail(to: number | null, from: number): string {
  if (to === null) return 'the server has no discovered version yet';
  if (from < 1) return 'the server has only one version: name two';
  return 'must differ from from';
}
