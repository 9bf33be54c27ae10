/**
 * Capability discovery: connect to one MCP server over HTTP, negotiate the protocol revision, list every
 * page of what it advertises, and return a snapshot, or a classified failure. Never throws and touches no
 * database; the network is reached only through the `fetch` the caller hands in (our egress fetch).
 *
 * Negotiation uses the SDK's `versionNegotiation: 'auto'`: a `server/discover` probe selects the
 * stateless 2026-07-28 revision when the server offers it, and anything else falls back to the 2025-era
 * `initialize` handshake (MCP spec 2026-07-28, basic/lifecycle; 2025-11-25, basic/lifecycle).
 */
import {
  Client,
  ProtocolError,
  ProtocolErrorCode,
  SSEClientTransport,
  type StandardSchemaV1,
  StreamableHTTPClientTransport,
  type Transport,
} from '@modelcontextprotocol/client';
import { classifyDiscoveryError, type WireObservation } from './classify.ts';
import {
  DEFAULT_DISCOVERY_TIMEOUTS,
  DISCOVERY_CLIENT_CAPABILITIES,
  DISCOVERY_CLIENT_INFO,
} from './client-identity.ts';
import { DiscoveryCancelledError, DiscoveryTimeoutError } from './errors.ts';
import {
  PromptsPageSchema,
  ResourcesPageSchema,
  ResourceTemplatesPageSchema,
  ToolsPageSchema,
} from './list-schemas.ts';
import { createObservingFetch } from './observing-fetch.ts';
import { collectAllPages } from './paginate.ts';
import type {
  CapabilitySnapshot,
  DiscoverInput,
  DiscoveryProgress,
  DiscoveryResult,
  DiscoveryStage,
  JsonObject,
} from './types.ts';

type ListStage = Exclude<DiscoveryStage, 'connect'>;

/** Longest wait for the polite session DELETE after a successful run (MCP spec, transports §session). */
const TERMINATE_SESSION_MS = 2000;
const ALL_STAGES = 5;

/** Settles like `work`, or rejects with the signal's reason as soon as it aborts. */
function untilAborted<T>(work: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) {
    work.catch(() => undefined);
    return Promise.reject(signal.reason);
  }
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    work.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}

/** The list stages a server's capabilities call for (MCP spec, server/tools, server/resources, ...). */
function plannedStages(capabilities: JsonObject): ListStage[] {
  return [
    ...(capabilities['tools'] ? (['tools'] as const) : []),
    ...(capabilities['resources'] ? (['resources', 'resourceTemplates'] as const) : []),
    ...(capabilities['prompts'] ? (['prompts'] as const) : []),
  ];
}

/**
 * The caller's headers ride on every request via `requestInit`. Redirects keep the SDK default policy
 * ('same-origin'), so credentials in those headers never follow a redirect to another origin.
 */
function createTransport(input: DiscoverInput, fetchImpl: typeof fetch): Transport {
  const url = new URL(input.url);
  const requestInit: RequestInit = { headers: { ...input.headers } };
  return input.transport === 'sse'
    ? new SSEClientTransport(url, { fetch: fetchImpl, requestInit })
    : new StreamableHTTPClientTransport(url, { fetch: fetchImpl, requestInit });
}

function progressReporter(onProgress: DiscoverInput['onProgress']) {
  let done = 0;
  let total = ALL_STAGES;
  const emit = (stage: DiscoveryStage) => {
    try {
      onProgress?.({ stage, done, total } satisfies DiscoveryProgress);
    } catch {
      // Progress is advisory: a failing listener must not fail the discovery it observes.
    }
  };
  return {
    start: (stage: DiscoveryStage) => emit(stage),
    finish: (stage: DiscoveryStage) => {
      done += 1;
      emit(stage);
    },
    setTotal: (n: number) => {
      total = n;
    },
  };
}

/** One list request; the result is validated by our loose schema, so unknown members survive. */
async function requestPage<S extends StandardSchemaV1>(
  client: Client,
  method: string,
  cursor: string | undefined,
  schema: S,
  deadline: number,
  signal: AbortSignal,
): Promise<StandardSchemaV1.InferOutput<S>> {
  const request = { method, ...(cursor === undefined ? {} : { params: { cursor } }) };
  // Each page gets what is left of the stage's budget as the SDK's own request timeout.
  return client.request(request, schema, { timeout: Math.max(1, deadline - Date.now()), signal });
}

/** Fetches every page of one list stage. */
async function listAll(client: Client, stage: ListStage, deadline: number, signal: AbortSignal) {
  const get = <S extends StandardSchemaV1>(method: string, cursor: string | undefined, schema: S) =>
    requestPage(client, method, cursor, schema, deadline, signal);
  switch (stage) {
    case 'tools':
      return collectAllPages(async (cursor) => {
        const { tools, nextCursor } = await get('tools/list', cursor, ToolsPageSchema);
        return { items: tools, nextCursor };
      });
    case 'resources':
      return collectAllPages(async (cursor) => {
        const { resources, nextCursor } = await get('resources/list', cursor, ResourcesPageSchema);
        return { items: resources, nextCursor };
      });
    case 'resourceTemplates':
      try {
        return await collectAllPages(async (cursor) => {
          const page = await get('resources/templates/list', cursor, ResourceTemplatesPageSchema);
          return { items: page.resourceTemplates, nextCursor: page.nextCursor };
        });
      } catch (error) {
        // Early 2024-11-05 servers advertise `resources` without implementing templates; that means none.
        if (error instanceof ProtocolError && error.code === ProtocolErrorCode.MethodNotFound) return [];
        throw error;
      }
    case 'prompts':
      return collectAllPages(async (cursor) => {
        const { prompts, nextCursor } = await get('prompts/list', cursor, PromptsPageSchema);
        return { items: prompts, nextCursor };
      });
  }
}

/** Best-effort cleanup: end a 2025-era session politely after success, then close everything. */
async function closeQuietly(client: Client, transport: Transport, succeeded: boolean): Promise<void> {
  if (succeeded && transport instanceof StreamableHTTPClientTransport && transport.sessionId !== undefined) {
    await untilAborted(transport.terminateSession(), AbortSignal.timeout(TERMINATE_SESSION_MS)).catch(
      () => {},
    );
  }
  await client.close().catch(() => {});
}

/**
 * The MCP client stops at a redirect to another origin and reports it as an opaque error ("unknown",
 * retried). When the egress policy would refuse its target, that refusal is the failure: asked here, without
 * connecting, so the classifier stays pure. A check that itself fails leaves the failure as it was.
 */
async function judgeUnfollowedRedirect(
  observed: WireObservation,
  checkUrl: DiscoverInput['checkUrl'],
): Promise<void> {
  const redirect = observed.unfollowedRedirect;
  if (redirect === undefined || checkUrl === undefined) return;
  const verdict = await checkUrl(redirect.location).catch(() => undefined);
  // A name that does not resolve is not a policy refusal.
  if (verdict !== undefined && !verdict.ok && verdict.code !== 'egress_dns_failed') {
    observed.redirectRefusal = { code: verdict.code, detail: verdict.detail };
  }
}

/** Discovers one MCP server's capabilities. Resolves with a snapshot or a classified failure; never rejects. */
export async function discoverServer(input: DiscoverInput): Promise<DiscoveryResult> {
  const timeouts = { ...DEFAULT_DISCOVERY_TIMEOUTS, ...input.timeouts };
  const run = new AbortController();
  const onCallerAbort = () => run.abort(new DiscoveryCancelledError(input.signal?.reason));
  if (input.signal?.aborted) onCallerAbort();
  else input.signal?.addEventListener('abort', onCallerAbort, { once: true });
  const totalTimer = setTimeout(
    () => run.abort(new DiscoveryTimeoutError('total', timeouts.totalMs)),
    timeouts.totalMs,
  );
  const wire = createObservingFetch(input.fetch, run.signal, (reason) => run.abort(reason));
  const progress = progressReporter(input.onProgress);
  let currentStage: DiscoveryStage = 'connect';
  let client: Client | undefined;
  let transport: Transport | undefined;
  let succeeded = false;

  /** Runs one stage under its own budget; running out aborts the whole run (and its requests). */
  const runStage = async <T>(
    stage: DiscoveryStage,
    budgetMs: number,
    work: (deadline: number) => Promise<T>,
  ) => {
    currentStage = stage;
    progress.start(stage);
    const timer = setTimeout(() => run.abort(new DiscoveryTimeoutError(stage, budgetMs)), budgetMs);
    try {
      const result = await untilAborted(work(Date.now() + budgetMs), run.signal);
      progress.finish(stage);
      return result;
    } finally {
      clearTimeout(timer);
    }
  };

  try {
    const connected = new Client(
      { ...DISCOVERY_CLIENT_INFO },
      { capabilities: structuredClone(DISCOVERY_CLIENT_CAPABILITIES), versionNegotiation: { mode: 'auto' } },
    );
    client = connected;
    // Transport errors after connect also reach the request that failed; this only keeps them off stderr.
    connected.onerror = () => {};
    const opened = createTransport(input, wire.fetch);
    transport = opened;

    await runStage('connect', timeouts.connectMs, (deadline) =>
      connected.connect(opened, { timeout: Math.max(1, deadline - Date.now()), signal: run.signal }),
    );
    const protocolVersion = connected.getNegotiatedProtocolVersion();
    if (protocolVersion === undefined) {
      throw new ProtocolError(
        ProtocolErrorCode.InternalError,
        'connected without a negotiated protocol version',
      );
    }
    const serverCapabilities = structuredClone((connected.getServerCapabilities() ?? {}) as JsonObject);
    const stages = plannedStages(serverCapabilities);
    progress.setTotal(1 + stages.length);

    const lists: Record<ListStage, JsonObject[]> = {
      tools: [],
      resources: [],
      resourceTemplates: [],
      prompts: [],
    };
    for (const stage of stages) {
      lists[stage] = await runStage(stage, timeouts.listMs, (deadline) =>
        listAll(connected, stage, deadline, run.signal),
      );
    }

    const serverInfo = connected.getServerVersion();
    const instructions = connected.getInstructions();
    const snapshot: CapabilitySnapshot = {
      protocolVersion,
      serverInfo: serverInfo === undefined ? null : structuredClone(serverInfo as JsonObject),
      serverCapabilities,
      clientCapabilities: structuredClone(DISCOVERY_CLIENT_CAPABILITIES),
      ...(instructions === undefined ? {} : { instructions }),
      tools: lists.tools as CapabilitySnapshot['tools'],
      resources: lists.resources as CapabilitySnapshot['resources'],
      resourceTemplates: lists.resourceTemplates as CapabilitySnapshot['resourceTemplates'],
      prompts: lists.prompts as CapabilitySnapshot['prompts'],
    };
    succeeded = true;
    return { ok: true, snapshot };
  } catch (error) {
    await judgeUnfollowedRedirect(wire.observation, input.checkUrl);
    return {
      ok: false,
      failure: classifyDiscoveryError(error, {
        url: input.url,
        stage: currentStage,
        observed: wire.observation,
      }),
    };
  } finally {
    clearTimeout(totalTimer);
    input.signal?.removeEventListener('abort', onCallerAbort);
    if (client !== undefined && transport !== undefined) await closeQuietly(client, transport, succeeded);
    // Whatever is still open (an SSE stream the SDK keeps for server messages) ends with the run.
    if (!run.signal.aborted) run.abort(new Error('discovery finished'));
  }
}
