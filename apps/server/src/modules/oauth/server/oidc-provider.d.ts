/**
 * The part of oidc-provider 9 SprintConnect uses, typed by hand: the package ships no declarations and
 * `@types/oidc-provider` is not a dependency. Shapes follow oidc-provider's docs/README.md (v9).
 */
declare module 'oidc-provider' {
  import type { IncomingMessage, ServerResponse } from 'node:http';

  export type AnyObject = Record<string, unknown>;
  export type AdapterPayload = AnyObject & {
    jti?: string;
    grantId?: string;
    uid?: string;
    userCode?: string;
    consumed?: number;
    exp?: number;
    kind?: string;
  };

  export interface Adapter {
    upsert(id: string, payload: AdapterPayload, expiresIn?: number): Promise<void>;
    find(id: string): Promise<AdapterPayload | undefined>;
    findByUserCode(userCode: string): Promise<AdapterPayload | undefined>;
    findByUid(uid: string): Promise<AdapterPayload | undefined>;
    consume(id: string): Promise<void>;
    destroy(id: string): Promise<void>;
    revokeByGrantId(grantId: string): Promise<void>;
  }

  export interface ClientMetadata extends AnyObject {
    client_id: string;
    client_secret?: string;
    redirect_uris?: string[];
    grant_types?: string[];
    response_types?: string[];
    token_endpoint_auth_method?: string;
    application_type?: 'web' | 'native';
    scope?: string;
    client_name?: string;
    dpop_bound_access_tokens?: boolean;
  }

  export interface Client extends AnyObject {
    readonly clientId: string;
    readonly clientName?: string;
    readonly clientAuthMethod: string;
    readonly redirectUris: string[];
    readonly scope?: string;
    readonly applicationType?: string;
    metadata(): ClientMetadata;
  }

  export interface Account {
    accountId: string;
    claims(use: string, scope: string, claims: AnyObject, rejected: string[]): Promise<AnyObject> | AnyObject;
  }

  export interface Grant {
    readonly jti: string;
    accountId?: string;
    clientId?: string;
    addOIDCScope(scope: string): void;
    addOIDCClaims(claims: string[]): void;
    addResourceScope(resource: string, scope: string): void;
    save(ttl?: number): Promise<string>;
  }

  export interface ResourceServerInfo {
    scope: string;
    audience?: string;
    accessTokenTTL?: number;
    accessTokenFormat?: 'jwt' | 'opaque';
    jwt?: { sign?: { alg: string; kid?: string } };
  }

  export interface Interaction extends AnyObject {
    readonly uid: string;
    readonly prompt: { name: string; reasons: string[]; details: AnyObject };
    readonly params: AnyObject;
    readonly session?: { accountId?: string; uid?: string } | undefined;
    readonly grantId?: string;
    readonly lastSubmission?: AnyObject;
    readonly returnTo: string;
  }

  export interface InteractionResults extends AnyObject {
    login?: { accountId: string; amr?: string[]; acr?: string; remember?: boolean; ts?: number };
    consent?: { grantId?: string };
    error?: string;
    error_description?: string;
  }

  /** What oidc-provider hands its hooks; only the fields SprintConnect reads are typed. */
  export interface KoaContextWithOIDC {
    oidc: {
      route: string;
      client?: Client;
      entities: AnyObject;
      params?: AnyObject;
      urlFor(name: string, opt?: AnyObject): string;
    };
    body?: unknown;
    type?: string;
    status?: number;
    get(header: string): string;
  }

  export interface Token extends AnyObject {
    readonly kind: string;
    accountId?: string;
    clientId?: string;
    grantId?: string;
    scope?: string;
    client?: Client;
  }

  export type Configuration = AnyObject & {
    adapter?: (name: string) => Adapter;
    clients?: ClientMetadata[];
    jwks?: { keys: AnyObject[] };
    cookies?: AnyObject;
    features?: AnyObject;
    scopes?: string[];
    claims?: Record<string, string[] | null>;
    interactions?: {
      url?: (ctx: KoaContextWithOIDC, interaction: Interaction) => string | Promise<string>;
      policy?: unknown;
    };
    findAccount?: (
      ctx: KoaContextWithOIDC,
      sub: string,
      token?: Token,
    ) => Promise<Account | undefined> | Account | undefined;
    extraTokenClaims?: (ctx: KoaContextWithOIDC, token: Token) => Promise<AnyObject | undefined>;
    fetch?: (input: string | URL | Request, init?: RequestInit) => Promise<Response>;
  };

  export class Provider {
    constructor(issuer: string, configuration?: Configuration);
    readonly issuer: string;
    proxy: boolean;
    callback(): (req: IncomingMessage, res: ServerResponse) => Promise<void>;
    interactionDetails(req: IncomingMessage, res: ServerResponse): Promise<Interaction>;
    interactionFinished(
      req: IncomingMessage,
      res: ServerResponse,
      result: InteractionResults,
      options?: { mergeWithLastSubmission?: boolean },
    ): Promise<void>;
    interactionResult(
      req: IncomingMessage,
      res: ServerResponse,
      result: InteractionResults,
      options?: { mergeWithLastSubmission?: boolean },
    ): Promise<string>;
    on(event: string, listener: (...args: never[]) => void): this;
    readonly Grant: {
      new (init: { accountId: string; clientId: string }): Grant;
      find(id: string): Promise<Grant | undefined>;
    };
    readonly Client: {
      find(id: string): Promise<Client | undefined>;
      validate(metadata: ClientMetadata): Promise<void>;
    };
  }

  export const errors: {
    InvalidTarget: new (description?: string) => Error;
    InvalidClientMetadata: new (description?: string) => Error;
    AccessDenied: new (description?: string) => Error;
    InvalidGrant: new (description?: string) => Error;
  };

  export default Provider;
}
