import { describe, expect, it } from 'vitest';
import { tokenProblem } from './challenge.ts';
import { TokenFailure } from './token-failure.ts';

const ctx = {
  realm: 'sprintconnect',
  resourceMetadata: 'https://sc.example.com/.well-known/oauth-protected-resource/v1',
};

describe('tokenProblem', () => {
  it('answers a Bearer token failure with a Bearer challenge naming invalid_token and the resource metadata', () => {
    const e = tokenProblem(new TokenFailure('token_expired', 'The token has "expired"'), 'Bearer', ctx);
    expect(e.code).toBe('token_expired');
    expect(e.headers?.['www-authenticate']).toBe(
      `Bearer realm="sprintconnect", error="invalid_token", error_description="Access token expired", resource_metadata="${ctx.resourceMetadata}"`,
    );
  });

  it('never copies the detail (which may quote the unverified token) into the challenge', () => {
    const detail = 'The issuer "https://evil.example/\u0100\u007f\r\nSet-Cookie: x=1" is not trusted.';
    const e = tokenProblem(new TokenFailure('token_issuer_untrusted', detail), 'DPoP', ctx);
    expect(e.detail).toBe(detail);
    const challenge = e.headers?.['www-authenticate'] ?? '';
    expect(challenge).not.toContain('evil');
    expect(challenge).toMatch(/^[\x20-\x7e]+$/);
  });

  it('answers proof failures with a DPoP challenge, invalid_dpop_proof and the accepted algorithms', () => {
    const e = tokenProblem(new TokenFailure('dpop_replay', 'replayed'), 'DPoP', ctx);
    expect(e.headers?.['www-authenticate']).toMatch(
      /^DPoP realm="sprintconnect", error="invalid_dpop_proof", .*algs="ES256 RS256 EdDSA"/,
    );
  });

  it('tells a client holding a bound token sent as Bearer to use DPoP', () => {
    const e = tokenProblem(new TokenFailure('dpop_required', 'use DPoP'), 'Bearer', ctx);
    expect(e.headers?.['www-authenticate']).toMatch(/^DPoP .*error="invalid_token"/);
  });

  it('makes an unreachable key set a 503 with Retry-After, not a verdict on the token', () => {
    const e = tokenProblem(new TokenFailure('token_verification_unavailable', 'later'), 'Bearer', ctx);
    expect(e.headers).toEqual({ 'retry-after': '5' });
  });
});
