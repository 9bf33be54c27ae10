import type { Catalogue, Entry } from './catalogue.ts';
import { RPC, type RpcError, type RpcMessage } from './jsonrpc.ts';

/**
 * `completion/complete` through the gateway (issue 11 point 10, ADR 0049). A completion names what it completes
 * by reference (MCP 2025-06-18 server/utilities/completion): `ref/prompt` by the prompt's name on this endpoint,
 * `ref/resource` by a URI template (or a listed resource URI). The reference is resolved to the owning server
 * exactly like the `prompts/get` or `resources/read` it prepares, and the request is decided by Cedar on that
 * capability: a completion suggests argument values, so it is as sensitive as the get or read itself. The
 * argument being completed and the arguments already given are the call's `args` in the Cedar context, so a
 * `forbid ... when { context.args.x ... }` written for the get also holds for its completions.
 */
export interface CompletionTarget {
  readonly kind: 'prompt' | 'resource';
  /** The reference as the caller wrote it (named in errors). */
  readonly wanted: string;
  readonly entry: Entry | undefined;
  readonly args: unknown;
  /** The upstream's params: the caller's, with the reference renamed to the upstream's own name or URI. */
  readonly params: (e: Entry) => Record<string, unknown>;
}

const obj = (v: unknown): Record<string, unknown> | undefined =>
  typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;

const invalid = (message: string): { error: RpcError } => ({ error: { code: RPC.invalidParams, message } });

export function completionTarget(m: RpcMessage, cat: Catalogue): CompletionTarget | { error: RpcError } {
  const ref = obj(m.params?.ref);
  const argument = obj(m.params?.argument);
  if (ref === undefined) return invalid('params.ref must be an object');
  if (argument === undefined || typeof argument.name !== 'string' || typeof argument.value !== 'string') {
    return invalid('params.argument must carry a string name and value');
  }
  const given = obj(obj(m.params?.context)?.arguments) ?? {};
  const args = { ...given, [argument.name]: argument.value };
  const { _meta: _, ...rest } = m.params ?? {};
  if (ref.type === 'ref/prompt' && typeof ref.name === 'string') {
    return {
      kind: 'prompt',
      wanted: ref.name,
      entry: cat.prompts.get(ref.name),
      args,
      params: (e) => ({ ...rest, ref: { ...ref, name: e.upstreamName } }),
    };
  }
  if (ref.type === 'ref/resource' && typeof ref.uri === 'string') {
    const uri = ref.uri;
    // The template itself (its URI as the upstream lists it), else a listed resource: never a pattern match,
    // since a reference names a template, not a URI expanded from one.
    const entry = cat.templates?.find((t) => t.upstreamName === uri) ?? cat.resources.get(uri);
    return {
      kind: 'resource',
      wanted: uri,
      entry,
      args,
      params: (e) => ({ ...rest, ref: { ...ref, uri: e.upstreamName } }),
    };
  }
  return invalid('params.ref must be a ref/prompt with a name or a ref/resource with a uri');
}
