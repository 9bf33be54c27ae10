import { createPrivateKey, sign } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { makeSigner, manifestFor, type TestSigner, unsignedJws } from '../../../test/manifest-signer.ts';
import { AppError } from '../../kernel/index.ts';
import { readPublicJwk } from './public-jwk.ts';
import { type TrustedKey, verifyManifest } from './verify-manifest.ts';

/**
 * What each manifest refusal tells the publisher (ADR 0015): the code says which check failed, the detail names
 * what the manifest carried, so a publisher can fix it without reading our source.
 */
const URL_ = 'https://mcp.example.com/mcp';
const payload = manifestFor(URL_, [{ name: 'echo', inputSchema: { type: 'object' } }], { iss: 'acme' });
const b64url = (s: string) => Buffer.from(s, 'utf8').toString('base64url');

async function storeFor(s: TestSigner, serverUrl = URL_) {
  const k = await readPublicJwk(s.publicJwk as Record<string, unknown>);
  const key: TrustedKey = { kid: k.kid, issuer: s.issuer, alg: k.alg, jwk: k.jwk };
  return { findKey: async (kid: string) => (kid === key.kid ? key : undefined), serverUrl };
}

async function refusal(p: Promise<unknown>): Promise<{ code: string; detail: string }> {
  const e = await p.then(
    () => undefined,
    (err: unknown) => err,
  );
  if (!(e instanceof AppError)) throw new Error(`expected a refusal, got ${String(e)}`);
  return { code: e.code, detail: e.detail };
}

/** A JWS over any signing input, signed for real with the signer's private key (RFC 7515 §5.1). */
function signRaw(s: TestSigner, header: object, payloadPart: string): string {
  const input = `${b64url(JSON.stringify(header))}.${payloadPart}`;
  const key = createPrivateKey({ key: s.privateJwk as never, format: 'jwk' });
  return `${input}.${sign(null, Buffer.from(input), key).toString('base64url')}`;
}

describe('what a manifest refusal says', () => {
  it('accepts a JWS pasted with surrounding whitespace, and keeps it trimmed', async () => {
    const s = await makeSigner('EdDSA', 'k1', 'acme');
    const jws = await s.sign(payload);
    const v = await verifyManifest(`\n ${jws} \n`, await storeFor(s));
    expect(v).toMatchObject({ jws, signature: jws.split('.')[2] });
  });

  it.each([
    ['two parts', 'eyJhbGciOiJFZERTQSJ9.e30'],
    ['four parts', 'eyJhbGciOiJFZERTQSJ9.e30.c2ln.c2ln'],
    ['padding', 'eyJhbGciOiJFZERTQSJ9.e30.c2ln='],
    ['a base64 character outside base64url', 'eyJhbGciOiJFZERTQSJ9.e3+0.c2ln'],
    ['a character outside base64url in the header', 'eyJhbGciOiJFZERTQSJ9!.e30.c2ln'],
  ])('refuses %s as not a compact JWS', async (_what, jws) => {
    expect(
      await refusal(verifyManifest(jws, await storeFor(await makeSigner('EdDSA', 'k1', 'acme')))),
    ).toEqual({
      code: 'manifest_malformed',
      detail: 'The manifest is not a compact JWS (three base64url parts: header.payload.signature).',
    });
  });

  it('refuses a header that is not base64url-encoded JSON', async () => {
    const store = await storeFor(await makeSigner('EdDSA', 'k1', 'acme'));
    expect(await refusal(verifyManifest(`${b64url('not json')}.e30.c2ln`, store))).toEqual({
      code: 'manifest_malformed',
      detail: 'The manifest header is not base64url-encoded JSON.',
    });
  });

  it('names the algorithm it refuses and the two it takes', async () => {
    const store = await storeFor(await makeSigner('EdDSA', 'k1', 'acme'));
    expect(await refusal(verifyManifest(unsignedJws(payload, 'k1'), store))).toEqual({
      code: 'manifest_alg_not_allowed',
      detail: 'The manifest algorithm "none" is not allowed; sign with EdDSA or ES256.',
    });
  });

  it('names the header parameters that offer a key, and the critical ones', async () => {
    const s = await makeSigner('EdDSA', 'k1', 'acme');
    const store = await storeFor(s);
    const offered = await refusal(
      verifyManifest(await s.sign(payload, { jku: 'https://x.example', x5u: 'https://y.example' }), store),
    );
    expect(offered.detail).toBe(
      'The manifest offers its own key (jku, x5u); keys come only from the trust store.',
    );
    // jose will not sign with an unknown critical parameter, so the JWS is signed by hand.
    const critical = signRaw(
      s,
      { alg: 'EdDSA', kid: 'k1', crit: ['exp'], exp: 1 },
      b64url(JSON.stringify(payload)),
    );
    const crit = await refusal(verifyManifest(critical, store));
    expect(crit.detail).toBe(
      'The manifest marks header parameters as critical (["exp"]); none are supported.',
    );
  });

  it.each([
    ['no kid', undefined],
    ['an empty kid', ''],
    ['a kid that is not a string', 7],
  ])('says a header with %s has no kid', async (_what, kid) => {
    const s = await makeSigner('EdDSA', 'k1', 'acme');
    expect(await refusal(verifyManifest(await s.sign(payload, { kid }), await storeFor(s)))).toEqual({
      code: 'manifest_key_untrusted',
      detail: 'The manifest header has no kid; its key cannot be found.',
    });
  });

  it('names the kid it did not find, and the algorithm a trusted key verifies', async () => {
    const s = await makeSigner('EdDSA', 'k1', 'acme');
    const store = await storeFor(s);
    const stranger = await makeSigner('EdDSA', 'k9', 'acme');
    expect((await refusal(verifyManifest(await stranger.sign(payload), store))).detail).toBe(
      `No key with kid "k9" is in this organization's trust store.`,
    );
    const ec = await makeSigner('ES256', 'k1', 'acme');
    expect((await refusal(verifyManifest(await ec.sign(payload), store))).detail).toBe(
      'The manifest says ES256, but key "k1" verifies EdDSA only.',
    );
  });

  it('names the key a signature fails to verify with', async () => {
    const s = await makeSigner('EdDSA', 'k1', 'acme');
    const forger = await makeSigner('EdDSA', 'k1', 'acme');
    expect(await refusal(verifyManifest(await forger.sign(payload), await storeFor(s)))).toEqual({
      code: 'manifest_signature_invalid',
      detail: 'The manifest signature does not verify with key "k1".',
    });
  });

  it('calls a correctly signed JWS whose payload is not base64url malformed, not a bad signature', async () => {
    const s = await makeSigner('EdDSA', 'k1', 'acme');
    const jws = signRaw(s, { alg: 'EdDSA', kid: 'k1' }, 'A');
    expect(await refusal(verifyManifest(jws, await storeFor(s)))).toEqual({
      code: 'manifest_malformed',
      detail: 'The manifest is not a valid compact JWS.',
    });
  });

  it('refuses a manifest that names no issuer, in its claims or its header', async () => {
    const s = await makeSigner('EdDSA', 'k1', 'acme');
    const { iss: _, ...anonymous } = payload as Record<string, unknown>;
    expect(await refusal(verifyManifest(await s.sign(anonymous), await storeFor(s)))).toEqual({
      code: 'manifest_issuer_mismatch',
      detail: 'The manifest names no issuer (`iss` claim or header).',
    });
  });

  it('names the issuer claimed and the issuer trusted for the key', async () => {
    const s = await makeSigner('EdDSA', 'k1', 'acme');
    const store = await storeFor(s);
    expect((await refusal(verifyManifest(await s.sign(payload, { iss: 'mallory' }), store))).detail).toBe(
      'The manifest issuer "mallory" is not "acme", the issuer trusted for key "k1".',
    );
    // The header may name the trusted issuer while the claims name another: the detail names the other.
    const split = await s.sign({ ...payload, iss: 'mallory' }, { iss: 'acme' });
    expect((await refusal(verifyManifest(split, store))).detail).toMatch(
      /^The manifest issuer "mallory" is not "acme"/,
    );
  });

  it('names the URL the manifest is for and the server it was sent for', async () => {
    const s = await makeSigner('EdDSA', 'k1', 'acme');
    const other = await s.sign({ ...payload, server: { name: 'x', url: 'https://other.example/mcp' } });
    expect((await refusal(verifyManifest(other, await storeFor(s)))).detail).toBe(
      `The manifest is for https://other.example/mcp, not for this server (${URL_}).`,
    );
  });

  it('compares server URLs as URLs, and a URL that does not parse as written, so it matches nothing else', async () => {
    const s = await makeSigner('EdDSA', 'k1', 'acme');
    const sameButSpelled = await s.sign({
      ...payload,
      server: { name: 'x', url: 'HTTPS://MCP.example.com:443/mcp' },
    });
    expect((await verifyManifest(sameButSpelled, await storeFor(s))).kid).toBe('k1');
    const unparsable = await s.sign({ ...payload, server: { name: 'x', url: 'mcp.example.com/mcp' } });
    expect((await refusal(verifyManifest(unparsable, await storeFor(s)))).code).toBe(
      'manifest_server_mismatch',
    );
  });
});
