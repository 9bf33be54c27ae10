import { AppError, type CodeOf, defineErrors } from '../../kernel/index.ts';

export const DISCOVERY_ERRORS = defineErrors({
  discovery_in_progress: { status: 409, title: 'Discovery already in progress' },
  capability_version_not_found: { status: 404, title: 'Capability version not found' },
  // A dry run naming a capability its server does not have (issue 10 point 2, ADR 0037).
  capability_not_found: { status: 404, title: 'Capability not found' },
});

export type DiscoveryErrorCode = CodeOf<typeof DISCOVERY_ERRORS>;

export class DiscoveryError extends AppError<DiscoveryErrorCode> {}
