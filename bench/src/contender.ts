/**
 * A contender process seen from the bench: spawn it, send requests, await replies (one at a time).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { type InfoReply, REPLY_MARKER, type Reply, type Request } from './protocol.ts';

/** How to start one contender. */
export interface ContenderSpec {
  /** Stable id used in results, e.g. `ours-wasm2`, `torch-2`. */
  id: string;
  /** What the peer list prints, e.g. `recurrent wasm, 2 threads`. */
  label: string;
  /** Table column/row name, e.g. `ours wasm 2T`. */
  short: string;
  /** Library family, used to group peers: `ours`, `torch`, `tfjs`, `brain`. */
  family: 'ours' | 'torch' | 'tfjs' | 'brain';
  command: string;
  args: string[];
  env?: Record<string, string>;
}

/** Every contender process still running, so an interrupted bench leaves none behind. */
const live = new Set<ChildProcess>();
let cleanupInstalled = false;

function installCleanup(): void {
  if (cleanupInstalled) return;
  cleanupInstalled = true;
  process.on('exit', () => {
    for (const c of live) c.kill('SIGKILL');
  });
  for (const sig of ['SIGINT', 'SIGTERM'] as const) {
    process.on(sig, () => process.exit(sig === 'SIGINT' ? 130 : 143));
  }
}

/** A running contender. */
export class Contender {
  readonly spec: ContenderSpec;
  /** Filled by {@link start}: what the process says about itself. */
  info: InfoReply = { available: false, reason: 'not started', version: '', threads: 0 };
  private readonly child: ChildProcess;
  private readonly waiting: ((r: Reply) => void)[] = [];
  private exited: string | null = null;
  private stderrTail = '';

  private constructor(spec: ContenderSpec, verbose: boolean) {
    this.spec = spec;
    installCleanup();
    this.child = spawn(spec.command, spec.args, {
      stdio: ['pipe', 'pipe', 'pipe'],
      env: { ...process.env, ...spec.env },
    });
    live.add(this.child);
    this.child.on('exit', () => live.delete(this.child));
    const lines = createInterface({ input: this.child.stdout!, crlfDelay: Number.POSITIVE_INFINITY });
    lines.on('line', (line) => {
      if (line.startsWith(REPLY_MARKER)) {
        const r = JSON.parse(line.slice(REPLY_MARKER.length)) as Reply;
        this.waiting.shift()?.(r);
      } else if (verbose) {
        process.stderr.write(`[${spec.id}] ${line}\n`);
      }
    });
    this.child.stderr!.on('data', (d: Buffer) => {
      this.stderrTail = (this.stderrTail + d.toString()).slice(-2000);
      if (verbose) process.stderr.write(`[${spec.id}] ${d}`);
    });
    this.child.stdin!.on('error', () => {}); // EPIPE after a crash; the exit handler reports it
    this.child.on('error', (e) => this.fail(`could not start: ${e.message}`));
    this.child.on('exit', (code, signal) => this.fail(`exited (${signal ?? code})`));
  }

  private fail(why: string): void {
    if (this.exited !== null) return;
    const tail = this.stderrTail.trim().split('\n').slice(-3).join(' | ');
    this.exited = tail ? `${why}: ${tail}` : why;
    for (const w of this.waiting.splice(0)) w({ ok: false, error: this.exited });
  }

  /** Spawns the process and asks for its info (an unavailable contender still resolves). */
  static async start(spec: ContenderSpec, verbose = false): Promise<Contender> {
    const c = new Contender(spec, verbose);
    try {
      c.info = await c.request<InfoReply>({ op: 'info' });
    } catch (e) {
      c.info = {
        available: false,
        reason: String(e instanceof Error ? e.message : e),
        version: '',
        threads: 0,
      };
    }
    return c;
  }

  get available(): boolean {
    return this.info.available;
  }

  /** Sends one request and resolves with its result; rejects with the contender's error. */
  request<T>(req: Request): Promise<T> {
    if (this.exited !== null) return Promise.reject(new Error(`${this.spec.id} ${this.exited}`));
    return new Promise<T>((resolve, reject) => {
      this.waiting.push((r) =>
        r.ok ? resolve(r.result as T) : reject(new Error(`${this.spec.id}: ${r.error}`)),
      );
      this.child.stdin!.write(`${JSON.stringify(req)}\n`);
    });
  }

  /** Asks the process to quit and waits for it (kills it after a grace period). */
  async close(): Promise<void> {
    if (this.exited !== null) return;
    const gone = new Promise<void>((resolve) => this.child.once('exit', () => resolve()));
    this.request({ op: 'quit' }).catch(() => {});
    const timer = setTimeout(() => this.child.kill('SIGKILL'), 5000);
    await gone;
    clearTimeout(timer);
  }
}
