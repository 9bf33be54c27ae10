import { AppError, type CodeOf, defineErrors, type FieldError } from '../../kernel/index.ts';

export const VIRTUAL_SERVERS_ERRORS = defineErrors({
  virtual_server_not_found: { status: 404, title: 'Virtual server not found' },
  virtual_server_slug_taken: { status: 409, title: 'Virtual server slug already used' },
  virtual_server_invalid: { status: 422, title: 'Virtual server invalid' },
  virtual_server_name_clash: { status: 422, title: 'Tool names clash' },
  virtual_server_approval_stale: { status: 409, title: 'Capability version is not the current one' },
});

export type VirtualServersErrorCode = CodeOf<typeof VIRTUAL_SERVERS_ERRORS>;

export class VirtualServersError extends AppError<VirtualServersErrorCode> {}

/** The one 404: unknown, or in another org (the same answer, so another org's ids do not leak). */
export const virtualServerNotFound = (what: string) =>
  new VirtualServersError('virtual_server_not_found', `No virtual server ${what} in this organization.`);

export const slugTaken = (slug: string) =>
  new VirtualServersError('virtual_server_slug_taken', `A virtual server "${slug}" already exists.`, {
    errors: [{ pointer: '/slug', detail: 'already used in this organization' }],
  });

/** Members or overrides naming what the org does not have (a server of another org reads as unknown). */
export const virtualServerInvalid = (errors: readonly FieldError[]) =>
  new VirtualServersError(
    'virtual_server_invalid',
    errors.length === 1 ? (errors[0]?.detail ?? 'Invalid.') : `${errors.length} problems; see errors[].`,
    { errors },
  );

/** Tool names that would clash on the endpoint, each named with both claimants (issue 11 point 2). */
export const nameClash = (errors: readonly FieldError[]) =>
  new VirtualServersError(
    'virtual_server_name_clash',
    `The endpoint would show ${errors.length === 1 ? 'a tool name' : `${errors.length} tool names`} twice: ${errors
      .map((e) => e.detail)
      .join('; ')}`,
    { errors },
  );

/**
 * An approval names the capability version the admin reviewed; if rediscovery stored another since (or the
 * version never existed), approving would approve definitions nobody saw (issue 11 point 5, ADR 0044).
 */
export const approvalStale = (serverId: string, version: number, current: number | null) =>
  new VirtualServersError(
    'virtual_server_approval_stale',
    current === null
      ? `Server ${serverId} has no discovered capabilities yet; there is nothing to approve.`
      : `Version ${version} of server ${serverId} is not its current capability version (${current}); review version ${current} and approve that.`,
    { errors: [{ pointer: '/version', detail: `the current version is ${current ?? 'none'}` }] },
  );
