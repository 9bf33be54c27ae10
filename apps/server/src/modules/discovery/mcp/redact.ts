/**
 * Masking of credentials that a server URL may carry, for text that leaves discovery (failure messages).
 */

/**
 * Low-level messages can quote the URL, whose query or password may hold a credential (`?api_key=`):
 * those parts are masked wherever they appear.
 */
export function redactUrlSecrets(text: string, url: string): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return text;
  }
  const secrets = [parsed.search, parsed.password].filter((p) => p.length > 1);
  return secrets.reduce((out, secret) => out.split(secret).join('[redacted]'), text);
}
