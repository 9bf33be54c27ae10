import type { Job, Server } from '@sprintconnect/sdk';

export const SERVER_ID = '0190a3c2-6a1e-7b4c-9d2f-3e4a5b6c7d8e';
export const JOB_ID = '0190a3c2-6a1e-7b4c-9d2f-000000000001';

export function server(over: Partial<Server> = {}): Server {
  return {
    id: SERVER_ID,
    name: 'weather',
    url: 'https://mcp.example.com/mcp',
    transport: 'streamable-http',
    environment: 'production',
    tags: ['weather', 'public'],
    description: 'Forecasts',
    autoDiscover: true,
    auth: { type: 'none' },
    status: 'pending_discovery',
    lastError: null,
    currentVersion: null,
    lastDiscoveredAt: null,
    createdAt: '2025-01-01T00:00:00.000Z',
    updatedAt: '2025-01-01T00:00:00.000Z',
    manifest: {
      status: 'none',
      version: null,
      issuer: null,
      kid: null,
      policyHash: null,
      checkedAt: null,
      driftedSince: null,
    },
    links: {
      self: `/v1/servers/${SERVER_ID}`,
      capabilities: `/v1/servers/${SERVER_ID}/capabilities`,
      discover: `/v1/servers/${SERVER_ID}/discover`,
    },
    ...over,
  };
}

export function job(over: Partial<Job> = {}): Job {
  return {
    id: JOB_ID,
    kind: 'discovery',
    state: 'queued',
    subject: { type: 'server', id: SERVER_ID },
    stage: null,
    progress: { done: 0, total: 6, percent: 0 },
    attempts: 0,
    maxAttempts: 3,
    error: null,
    result: null,
    createdAt: '2025-01-01T00:00:00.000Z',
    startedAt: null,
    finishedAt: null,
    estimatedCompletionAt: null,
    nextAttemptAt: null,
    links: { self: `/v1/jobs/${JOB_ID}` },
    ...over,
  };
}
