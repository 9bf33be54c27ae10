export type {
  Clash,
  ExposedTool,
  Exposure,
  MemberServer,
  NamingRule,
  VirtualServerSpec,
} from './expose-tools.ts';
export { exposeTools, prefixOf } from './expose-tools.ts';
export type { Drifted } from './tool-pins.ts';
export { driftMessage } from './tool-pins.ts';
export { VIRTUAL_SERVERS_ERRORS } from './virtual-servers.errors.ts';
export type { VirtualServersModule } from './virtual-servers.module.ts';
export { createVirtualServersModule } from './virtual-servers.module.ts';
export type { VirtualServersTables } from './virtual-servers.schema.ts';
export type { Resolved, VirtualServersService } from './virtual-servers.service.ts';
