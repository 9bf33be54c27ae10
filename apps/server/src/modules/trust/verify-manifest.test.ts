import { describe, expect, it } from 'vitest';
import { hmacJws, makeSigner, manifestFor, tamper, unsignedJws } from '../../../test/manifest-signer.ts';
import { isAppError } from '../../kernel/index.ts';
import { policyHash } from './jcs.ts';
import { readPublicJwk } from './public-jwk.ts';
import { type TrustedKey, verifyManifest } from './verify-manifest.ts';

const URL_ = 'https://mcp.example.com/mcp';
const payload = manifestFor(URL_, [{ name: 'echo', inputSchema: { type: 'object' } }], { iss: 'acme' });

async function storeWith(...signers: Awaited<ReturnType<typeof makeSigner>>[]) {
  const keys = new Map<string, TrustedKey>();
  for (const s of signers) {
    const k = await readPublicJwk(s.publicJwk as Record<string, unknown>);
    keys.set(k.kid, { kid: k.kid, issuer: s.issuer, alg: k.alg, jwk: k.jwk });
  }
  return { findKey: async (kid: string) => keys.get(kid), serverUrl: URL_ };
}

async function codeOf(p: Promise<unknown>) {
  try {
    await p;
    return 'accepted';
  } catch (e) {
    if (isAppError(e)) return e.code;
    throw e;
  }
}

describe('manifest verification', () => {
  it('accepts EdDSA and ES256 manifests from the trust store, with issuer, kid, signature and policy hash', async () => {
    for (const alg of ['EdDSA', 'ES256'] as const) {
      const s = await makeSigner(alg, `k-${alg}`, 'acme');
      const jws = await s.sign(payload);
      const v = await verifyManifest(jws, await storeWith(s));
      expect(v).toMatchObject({ issuer: 'acme', kid: `k-${alg}`, alg, signature: jws.split('.')[2] });
      expect(v.policyHash).toBe(policyHash(payload));
    }
  });

  it('takes the issuer from the protected header when the payload has none', async () => {
    const s = await makeSigner('EdDSA', 'k1', 'acme');
    const { iss: _, ...noIss } = payload as Record<string, unknown>;
    const v = await verifyManifest(await s.sign(noIss, { iss: 'acme' }), await storeWith(s));
    expect(v.issuer).toBe('acme');
  });

  it('refuses each hostile or broken variant with its own code', async () => {
    const s = await makeSigner('EdDSA', 'k1', 'acme');
    const ec = await makeSigner('ES256', 'k1', 'acme');
    const stranger = await makeSigner('EdDSA', 'k-unknown', 'acme');
    const store = await storeWith(s);
    const cases: [string, string | Promise<string>][] = [
      ['manifest_malformed', 'not-a-jws'],
      ['manifest_alg_not_allowed', unsignedJws(payload, 'k1')],
      ['manifest_alg_not_allowed', hmacJws(payload, 'k1')],
      ['manifest_alg_not_allowed', ec.sign(payload)],
      ['manifest_header_not_allowed', stranger.sign(payload, { jwk: stranger.publicJwk, kid: 'k1' })],
      ['manifest_header_not_allowed', s.sign(payload, { jku: 'https://evil.example/jwks' })],
      ['manifest_header_not_allowed', s.sign(payload, { crit: ['b64'], b64: true })],
      ['manifest_key_untrusted', stranger.sign(payload)],
      ['manifest_signature_invalid', s.sign(payload).then((j) => tamper(j, { ...payload, tools: [] }))],
      ['manifest_signature_invalid', stranger.sign(payload, { kid: 'k1' })],
      ['manifest_issuer_mismatch', s.sign({ ...payload, iss: 'mallory' })],
      ['manifest_issuer_mismatch', s.sign(payload, { iss: 'mallory' })],
      ['manifest_invalid', s.sign({ server: payload.server, tools: 'none' })],
      ['manifest_invalid', s.sign({ ...payload, tools: [payload.tools[0], payload.tools[0]] })],
      [
        'manifest_server_mismatch',
        s.sign({ ...payload, server: { name: 'x', url: 'https://other.example/mcp' } }),
      ],
    ];
    for (const [code, jws] of cases)
      expect([code, await codeOf(verifyManifest(await jws, store))]).toEqual([code, code]);
  });
});
