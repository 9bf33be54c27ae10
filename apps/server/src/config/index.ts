import type { ConfigResult } from './config.ts';
import { parseConfig } from './config.ts';

export type { Config, ConfigResult, LogLevel, Role } from './config.ts';
export { parseConfig } from './config.ts';

/** The one place that reads process.env (a machine check in test/architecture.test.ts keeps it so). */
export function readConfigFromProcess(overrides: Record<string, string | undefined> = {}): ConfigResult {
  return parseConfig({ ...process.env, ...overrides });
}
