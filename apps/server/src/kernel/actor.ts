/** Who caused a state change: recorded on every audit event. */
export interface Actor {
  readonly type: 'api_key' | 'user' | 'client' | 'system';
  readonly id: string;
  readonly orgId: string;
  readonly requestId?: string | undefined;
}
