export type { CliDeps, OutStream, StartServer } from './context.ts';
export type { Column } from './output/table.ts';
export { formatTable } from './output/table.ts';
export { run } from './run.ts';
