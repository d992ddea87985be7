/**
 * Quick end-to-end timing of the LSTM layer per backend (input 128, hidden 256, batch 32, 64 steps):
 * ms per training batch (forward + backward) and per inference batch, wall clock and process CPU time
 * (steadier on a busy machine; with threads it is the sum over threads). For kernel tuning; the
 * cross-framework comparison lives in bench/.
 *
 *   pnpm --filter @recurrent/core exec tsx scripts/bench-lstm.ts [--relaxed] [--backends=js,wasm,wasm-threads]
 */
import { setFlagsFromString } from 'node:v8';
import { type BackendName, initBackend, LSTM, Rng, Tape, Tensor } from '../src/index.ts';

const args = process.argv.slice(2);
if (args.includes('--relaxed')) setFlagsFromString('--experimental-wasm-relaxed-simd');
const list = (args.find((a) => a.startsWith('--backends='))?.slice(11) ?? 'wasm,wasm-threads').split(
  ',',
) as BackendName[];

const [B, T, I, H] = [32, 64, 128, 256];
for (const backend of list) {
  const k = await initBackend({ backend });
  const rng = new Rng(1);
  const lstm = new LSTM({ inputSize: I, hiddenSize: H, rng });
  const x = Tensor.zeros([B, T, I]);
  for (let i = 0; i < x.data.length; i++) x.data[i] = rng.range(-1, 1);
  const seed = new Float32Array(B * T * H).fill(1e-3);
  const rounds = backend === 'js' ? 2 : 6;
  let train = Number.POSITIVE_INFINITY;
  let infer = Number.POSITIVE_INFINITY;
  let trainCpu = Number.POSITIVE_INFINITY;
  let inferCpu = Number.POSITIVE_INFINITY;
  const cpuMs = (c: NodeJS.CpuUsage): number => (c.user + c.system) / 1000;
  for (let r = 0; r < rounds; r++) {
    let c0 = process.cpuUsage();
    let t0 = performance.now();
    const tape = new Tape();
    const { output } = lstm.forward(tape, x);
    tape.backward(output, seed);
    train = Math.min(train, performance.now() - t0);
    trainCpu = Math.min(trainCpu, cpuMs(process.cpuUsage(c0)));
    c0 = process.cpuUsage();
    t0 = performance.now();
    lstm.forward(new Tape({ enabled: false }), x);
    infer = Math.min(infer, performance.now() - t0);
    inferCpu = Math.min(inferCpu, cpuMs(process.cpuUsage(c0)));
    await new Promise((r) => setImmediate(r)); // let finalizers reclaim transient tensors
  }
  console.log(
    `${k.name} (${k.threads} thread${k.threads > 1 ? 's' : ''}): train ${train.toFixed(1)} ms/batch, ` +
      `inference ${infer.toFixed(1)} ms/batch (process cpu time: ${trainCpu.toFixed(1)} / ${inferCpu.toFixed(1)} ms)`,
  );
}
await initBackend({ backend: 'js' });
