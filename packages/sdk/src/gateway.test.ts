import { describe, expect, it } from 'vitest';
import { gatewayEndpointUrl } from './gateway.ts';

describe('the gateway endpoint an agent connects to', () => {
  it('a deployment base URL means the org default endpoint /mcp', () => {
    expect(gatewayEndpointUrl('https://sc.example.com').href).toBe('https://sc.example.com/mcp');
    expect(gatewayEndpointUrl('https://sc.example.com/').href).toBe('https://sc.example.com/mcp');
  });

  it('a slug selects that virtual server, under a base path if the deployment has one', () => {
    expect(gatewayEndpointUrl('https://sc.example.com', 'research').href).toBe(
      'https://sc.example.com/mcp/research',
    );
    expect(gatewayEndpointUrl('https://x.example/sc/', 'ops-1').href).toBe('https://x.example/sc/mcp/ops-1');
  });

  it('an /mcp URL is taken as the endpoint itself, and naming a slug too is refused', () => {
    expect(gatewayEndpointUrl('http://127.0.0.1:8080/mcp/research').href).toBe(
      'http://127.0.0.1:8080/mcp/research',
    );
    expect(() => gatewayEndpointUrl('http://127.0.0.1:8080/mcp', 'research')).toThrow(/not both/);
  });

  it('a slug that could escape the path (../, ?, /) is refused before any request', () => {
    for (const bad of ['../v1', 'a/b', 'x?apiKey=1', 'UPPER', '']) {
      expect(() => gatewayEndpointUrl('https://sc.example.com', bad)).toThrow(/not a virtual server slug/);
    }
  });
});
