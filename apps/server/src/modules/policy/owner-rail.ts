import * as cedar from '@cedar-policy/cedar-wasm/nodejs';
import { CEDAR_NAMESPACE as NS } from './cedar-schema.ts';

/**
 * The owners' rail: no org policy can lock the org out of its own policies. Every `forbid` an org writes gets
 * one more `unless` clause, "unless an owner reads or changes policies", before it is loaded, so whatever
 * the org forbids, its owners can still see and fix the policy set (recovery without database access).
 * Permits are left as they are. The text the org wrote is what it reads back and what validation reports on;
 * only the loaded set carries the clause (`GET /v1/policies/effective` shows it).
 */
const RAIL = {
  kind: 'unless',
  body: {
    '&&': {
      left: {
        in: {
          left: { Var: 'principal' },
          right: { Value: { __entity: { type: `${NS}::Role`, id: 'owner' } } },
        },
      },
      right: {
        in: {
          left: { Var: 'action' },
          right: {
            Set: ['policies:read', 'policies:write'].map((id) => ({
              Value: { __entity: { type: `${NS}::Action`, id } },
            })),
          },
        },
      },
    },
  },
} as const;

/** The policy with the rail added when it is a forbid; unchanged otherwise (or when it does not parse). */
export function withOwnerRail(text: string): string {
  const json = cedar.policyToJson(text);
  if (json.type !== 'success' || json.json.effect !== 'forbid') return text;
  const railed = { ...json.json, conditions: [...json.json.conditions, RAIL] };
  const back = cedar.policyToText(railed as never);
  return back.type === 'success' ? back.text : text;
}
