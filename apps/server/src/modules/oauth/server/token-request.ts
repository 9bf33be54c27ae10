/** Who a token request says it is, before oidc-provider authenticates it. */
export interface PresentedClient {
  readonly clientId: string | undefined;
  /** It presents a credential (secret or assertion): only a confidential client can fail to authenticate. */
  readonly withCredential: boolean;
}

/** RFC 6749 §2.3.1: client_id from HTTP Basic (form-urlencoded, then base64) or from the body. */
export function clientIdOf(authorization: string | undefined, params: URLSearchParams): string | undefined {
  const m = authorization === undefined ? null : /^Basic\s+(\S+)$/i.exec(authorization);
  if (m !== null) {
    const decoded = Buffer.from(m[1]!, 'base64').toString('utf8');
    const i = decoded.indexOf(':');
    if (i <= 0) return undefined;
    try {
      return decodeURIComponent(decoded.slice(0, i).replace(/\+/g, ' '));
    } catch {
      return undefined;
    }
  }
  return params.get('client_id') ?? undefined;
}

export function presentedClient(authorization: string | undefined, params: URLSearchParams): PresentedClient {
  return {
    clientId: clientIdOf(authorization, params),
    withCredential:
      (authorization !== undefined && /^Basic\s/i.test(authorization)) ||
      params.has('client_secret') ||
      params.has('client_assertion'),
  };
}
