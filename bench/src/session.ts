/**
 * The contenders of one section: started together, measured in interleaved rounds, closed together.
 */
import { Contender } from './contender.ts';
import { type ContenderId, type ContenderOptions, contenderSpec } from './contenders.ts';
import type { Request } from './protocol.ts';
import { roundSchedule } from './stats.ts';

/** What the bench knows about a peer it started (printed in the "compared against" list). */
export interface PeerInfo {
  id: string;
  label: string;
  short: string;
  family: string;
  available: boolean;
  version: string;
  threads: number;
  notes?: string;
  reason?: string;
}

/** Progress output: everything goes to stderr so stdout stays for the report (or the JSON line). */
export function log(msg: string): void {
  process.stderr.write(`${msg}\n`);
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** The contenders of one section, each in its own process. */
export class Session {
  readonly contenders = new Map<string, Contender>();
  private constructor(private readonly settleMs: number) {}

  /** Starts `ids` in parallel; unavailable ones stay in the map with `available` false. */
  static async start(
    ids: readonly ContenderId[],
    o: ContenderOptions & { settleMs: number; verbose: boolean },
  ) {
    const s = new Session(o.settleMs);
    const started = await Promise.all(ids.map((id) => Contender.start(contenderSpec(id, o), o.verbose)));
    for (const c of started) {
      s.contenders.set(c.spec.id, c);
      if (!c.available) log(`  ${c.spec.label}: not available (${c.info.reason ?? 'unknown'})`);
    }
    return s;
  }

  /** Ids that started and can run. */
  available(ids?: readonly string[]): string[] {
    return [...this.contenders.values()]
      .filter((c) => c.available && (ids === undefined || ids.includes(c.spec.id)))
      .map((c) => c.spec.id);
  }

  get(id: string): Contender {
    const c = this.contenders.get(id);
    if (!c) throw new Error(`contender ${id} was not started`);
    return c;
  }

  /** Sends a request to one contender. */
  request<T>(id: string, req: Request): Promise<T> {
    return this.get(id).request<T>(req);
  }

  /**
   * Runs `measure` over the interleaved schedule and returns per-contender per-round values. A failure
   * marks that contender's round as unmeasured (logged) instead of ending the run. After PyTorch a short
   * pause lets OpenBLAS's spinning threads go to sleep before the next contender starts.
   */
  async rounds(
    ids: readonly string[],
    rounds: number,
    measure: (id: string, round: number) => Promise<number>,
    options: { maxRounds?: Record<string, number>; afterRound?: (round: number) => Promise<void> } = {},
  ): Promise<Record<string, (number | undefined)[]>> {
    const out: Record<string, (number | undefined)[]> = {};
    for (const id of ids) out[id] = new Array<number | undefined>(rounds).fill(undefined);
    let current = 0;
    for (const [round, id] of roundSchedule(ids, rounds, options.maxRounds)) {
      if (round !== current) {
        await options.afterRound?.(current);
        current = round;
      }
      try {
        out[id]![round] = await measure(id, round);
      } catch (e) {
        log(`  ${id} round ${round + 1}: ${e instanceof Error ? e.message : String(e)}`);
      }
      if (this.get(id).spec.family === 'torch') await sleep(this.settleMs);
    }
    await options.afterRound?.(current);
    return out;
  }

  /** What each started contender reported about itself. */
  peers(): PeerInfo[] {
    return [...this.contenders.values()].map((c) => ({
      id: c.spec.id,
      label: c.spec.label,
      short: c.spec.short,
      family: c.spec.family,
      available: c.available,
      version: c.info.version,
      threads: c.info.threads,
      ...(c.info.notes !== undefined && { notes: c.info.notes }),
      ...(c.info.reason !== undefined && { reason: c.info.reason }),
    }));
  }

  async close(): Promise<void> {
    await Promise.all([...this.contenders.values()].map((c) => c.close()));
  }
}
