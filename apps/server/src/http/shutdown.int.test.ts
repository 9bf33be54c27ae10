import { once } from 'node:events';
import { connect } from 'node:net';
import { describe, expect, it } from 'vitest';
import { eventually, startTestApp } from '../../test/harness.ts';

interface RawResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
}

/** Splits what arrived on one HTTP/1.1 connection into its responses (Content-Length framing, as Fastify sends). */
function responses(raw: string): RawResponse[] {
  const out: RawResponse[] = [];
  let rest = raw;
  while (rest.startsWith('HTTP/1.1 ')) {
    const end = rest.indexOf('\r\n\r\n');
    const [statusLine, ...lines] = rest.slice(0, end).split('\r\n');
    const headers = Object.fromEntries(
      lines.map((l) => [l.slice(0, l.indexOf(':')).toLowerCase(), l.slice(l.indexOf(':') + 1).trim()]),
    );
    const length = Number(headers['content-length'] ?? 0);
    const body = Buffer.from(rest.slice(end + 4))
      .subarray(0, length)
      .toString();
    out.push({ status: Number(statusLine!.split(' ')[1]), headers, body });
    rest = Buffer.from(rest.slice(end + 4))
      .subarray(length)
      .toString();
  }
  return out;
}

describe('a request that arrives during shutdown (issue 8 point 20)', () => {
  it('gets a 503 shutting_down problem document and a closed connection, while the request already in flight completes', async () => {
    const t = await startTestApp();
    let stopped: Promise<void> | undefined;
    try {
      await t.app.listen({ port: 0, host: '127.0.0.1' });
      const { port } = t.app.server.address() as { port: number };
      const socket = connect(port, '127.0.0.1');
      await once(socket, 'connect');
      let raw = '';
      socket.on('data', (d: Buffer) => {
        raw += d.toString();
      });
      const closed = once(socket, 'close');

      // The first request is in flight (its body not all sent) when the shutdown starts, so the connection is
      // busy and stays open; the second one comes after it on the same connection, as a kept-alive client does.
      const body = JSON.stringify({
        name: 'in-flight',
        url: 'https://in-flight.example/mcp',
        autoDiscover: false,
      });
      const arrived = once(t.app.server, 'request');
      socket.write(
        `POST /v1/servers HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer ${t.adminKey}\r\n` +
          `Content-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body.slice(0, 10)}`,
      );
      await arrived;
      stopped = t.stop();
      await eventually(
        async () => (t.app.server.listening ? undefined : true),
        5000,
        'the server to stop listening',
      );
      socket.write(
        `${body.slice(10)}GET /v1/servers HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer ${t.adminKey}\r\n\r\n`,
      );
      await closed;

      const [first, second, ...more] = responses(raw);
      expect(more).toEqual([]);
      expect(first!.status).toBe(201);
      expect(second!.status).toBe(503);
      expect(second!.headers['content-type']).toBe('application/problem+json; charset=utf-8');
      expect(second!.headers.connection).toBe('close');
      expect(second!.headers['retry-after']).toBe('1');
      expect(JSON.parse(second!.body)).toMatchObject({
        status: 503,
        code: 'shutting_down',
        instance: '/v1/servers',
        type: 'https://sprintconnect.dev/problems/shutting_down',
      });
    } finally {
      await (stopped ?? t.stop());
    }
  });

  it('is not held up by a connection a client opened and sent nothing on, nor by an idle kept-alive one: both are closed', async () => {
    const t = await startTestApp();
    await t.app.listen({ port: 0, host: '127.0.0.1' });
    const { port } = t.app.server.address() as { port: number };
    // One connection that never sends a request, one that finished a request and stays open (keep-alive).
    const silent = connect(port, '127.0.0.1');
    await once(silent, 'connect');
    const kept = connect(port, '127.0.0.1');
    await once(kept, 'connect');
    let answer = '';
    kept.on('data', (d: Buffer) => {
      answer += d.toString();
    });
    kept.write('GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n');
    await eventually(async () => (answer.includes('\r\n\r\n') ? true : undefined), 5000, 'the answer');
    const closed = Promise.all([once(silent, 'close'), once(kept, 'close')]);
    // Without the drain, Node closes only what is idle at the instant of close(); the silent connection then
    // holds the shutdown for Fastify's keep-alive timeout (72 s), well past this test's 20 s.
    await t.stop();
    await closed;
    expect(t.app.server.listening).toBe(false);
  }, 20_000);
});
