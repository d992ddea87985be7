/**
 * What the generated wasm module (src/kernels/wasm/kernels-wasm.ts) is built from: the AssemblyScript
 * sources in asm/, the compiler flags of each variant, and the compiler version. The build script stores
 * {@link wasmSourceHash} in the generated file; a test recomputes it to catch a stale artifact.
 */
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** packages/core/asm, the AssemblyScript source folder. */
export const asmDir = join(dirname(fileURLToPath(import.meta.url)), '..', 'asm');

/** The generated TypeScript module holding the binaries. */
export const generatedFile = join(asmDir, '..', 'src', 'kernels', 'wasm', 'kernels-wasm.ts');

const common = [
  '-O3',
  '--noAssert',
  '--runtime',
  'stub',
  '--importMemory',
  '--noExportMemory',
  '--initialMemory',
  '1',
  '--maximumMemory',
  '65536',
  '--enable',
  'simd',
  '--enable',
  'threads',
];
const shared = ['--sharedMemory'];
const relaxed = ['--enable', 'relaxed-simd'];

/**
 * The four variants: relaxed SIMD (FMA) or plain SIMD, importing a shared memory (threads, tensors in
 * place) or an ordinary one (browsers that are not cross-origin isolated).
 */
export const wasmVariants = {
  simdShared: [...common, ...shared],
  relaxedShared: [...common, ...shared, ...relaxed],
  simd: common,
  relaxed: [...common, ...relaxed],
} as const satisfies Record<string, readonly string[]>;

/** Names of the variants, in build order. */
export type WasmVariant = keyof typeof wasmVariants;

/** Version of the installed AssemblyScript compiler (read from its package.json, without loading it). */
export function compilerVersion(): string {
  const pkg = createRequire(import.meta.url)('assemblyscript/package.json') as { version: string };
  return pkg.version;
}

/** The AssemblyScript source files (names relative to asm/), sorted. */
export function asmSources(): string[] {
  return readdirSync(asmDir)
    .filter((f) => f.endsWith('.ts'))
    .sort();
}

/** sha256 over sources (line endings normalised), flags and compiler version, hex. */
export function wasmSourceHash(): string {
  const h = createHash('sha256');
  h.update(`asc ${compilerVersion()}\n`);
  h.update(`${JSON.stringify(wasmVariants)}\n`);
  for (const f of asmSources()) {
    h.update(`--- ${f}\n`);
    h.update(readFileSync(join(asmDir, f), 'utf8').replace(/\r\n/g, '\n'));
  }
  return h.digest('hex');
}
