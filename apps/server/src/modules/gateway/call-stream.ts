import type { FastifyReply } from 'fastify';

/**
 * The answer to one call, as Streamable HTTP allows it (MCP basic/transports: a POSTed request is answered with
 * one JSON body or an SSE stream): JSON until the first message for the caller (progress, a log message, an
 * input request) arrives, then an event stream that carries it, any later ones, and the response. A call that
 * relays nothing costs no stream; a caller that does not accept `text/event-stream` never gets one.
 */
export interface CallStream {
  /** Sends one message to the caller ahead of the response; undefined when the caller takes no stream. */
  readonly send: ((message: Readonly<Record<string, unknown>>) => void) | undefined;
  /** True once the answer became a stream (the response must then be its last event). */
  readonly started: () => boolean;
  /** Ends the stream with the response (only after `started()`). */
  end(response: string): void;
}

const event = (data: string) => `event: message\ndata: ${data}\n\n`;

export function callStream(reply: FastifyReply, acceptsStream: boolean): CallStream {
  let open = false;
  const start = () => {
    reply.hijack();
    reply.raw.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
    open = true;
  };
  return {
    send: acceptsStream
      ? (message) => {
          if (reply.raw.destroyed || reply.raw.writableEnded) return;
          if (!open) start();
          reply.raw.write(event(JSON.stringify(message)));
        }
      : undefined,
    started: () => open,
    end(response) {
      if (!reply.raw.writableEnded) reply.raw.end(event(response));
    },
  };
}
