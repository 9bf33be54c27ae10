import { Type } from '@sinclair/typebox';

export const Uuid = Type.String({ format: 'uuid', description: 'UUID' });
export const IdParams = Type.Object({ id: Uuid });
export const Environment = Type.Union(
  [Type.Literal('development'), Type.Literal('staging'), Type.Literal('production')],
  { description: 'Deployment environment' },
);
export const Transport = Type.Union([Type.Literal('streamable-http'), Type.Literal('sse')]);
export const PageQuery = {
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 200, default: 50 })),
  cursor: Type.Optional(Type.String({ maxLength: 500, description: 'Opaque cursor from `nextCursor`' })),
};
export const DateTime = Type.String({ format: 'date-time' });

/** A closed set of strings, as `enum` in JSON Schema and as a literal union in TypeScript. */
export const StringEnum = <const T extends readonly string[]>(
  values: T,
  opts: Record<string, unknown> = {},
) => Type.Unsafe<T[number]>({ type: 'string', enum: [...values], ...opts });
