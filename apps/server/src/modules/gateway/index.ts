export type { Catalogue, GatewayServer } from './catalogue.ts';
export { exposedName } from './catalogue.ts';
export { GATEWAY_ERRORS } from './gateway.errors.ts';
export type { GatewayModule, GatewayOptions } from './gateway.module.ts';
export { createGatewayModule } from './gateway.module.ts';
export type { GatewayCallRecord, GatewayUsage } from './gateway-call.ts';
