/**
 * The bench's pure parts (no processes, no timing), exported for the tests in /test: interleaving and
 * medians, table formatting, the `lstm --json` line, argument parsing, report rendering, target checks.
 */
export * from './cli-args.ts';
export * from './json-line.ts';
export * from './plan.ts';
export * from './report.ts';
export type * from './results.ts';
export { type CpuProfile, summarizeProfile, wasmExportNames } from './sections/profile.ts';
export { findTokenizerScript, lastJsonLine } from './sections/tokenizers.ts';
export * from './stats.ts';
export * from './table.ts';
export * from './targets.ts';
