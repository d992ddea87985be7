import {
  add,
  BaseModule,
  concat,
  Linear,
  type RecurrentState,
  type Rng,
  reshape,
  slice,
  type Tape,
  type Tensor,
  tanh,
} from '@recurrent/core';
import type { Seq2SeqConfig } from './config.ts';

/**
 * Maps the encoder's final state `[Le·D, B, He]` to the decoder's initial state `[Ld, B, Hd]`
 * (see {@link Seq2SeqConfig.bridge}). Decoder layer l reads encoder layer `Le − Ld + l` (clamped to
 * [0, Le)), so the top layers line up whatever the depths. Parameters (`linear` only): `h.weight
 * [Hd, D·He]`, `h.bias`, and for LSTM `c.weight`, `c.bias`.
 */
export class Bridge extends BaseModule {
  private readonly config: Seq2SeqConfig;
  private readonly mapH: Linear | null = null;
  private readonly mapC: Linear | null = null;

  constructor(config: Seq2SeqConfig, rng: Rng) {
    super();
    this.config = config;
    if (config.bridge === 'linear') {
      const inFeatures = (config.bidirectional ? 2 : 1) * config.encoderHidden;
      const o = { inFeatures, outFeatures: config.decoderHidden, rng };
      this.mapH = this.child('h', new Linear(o));
      if (config.cell === 'lstm') this.mapC = this.child('c', new Linear(o));
    }
  }

  /** Encoder final state -> decoder initial state (`null` for the `zero` bridge: the decoder starts at 0). */
  forward(tape: Tape, state: RecurrentState, batch: number): RecurrentState | null {
    const c = this.config;
    if (c.bridge === 'zero') return null;
    const h = this.mapOne(tape, state.h, this.mapH, batch);
    if (state.c === undefined) return { h };
    return { h, c: this.mapOne(tape, state.c, this.mapC, batch) };
  }

  private mapOne(tape: Tape, s: Tensor, map: Linear | null, batch: number): Tensor {
    const c = this.config;
    const D = c.bidirectional ? 2 : 1;
    const He = c.encoderHidden;
    const layers: Tensor[] = [];
    for (let l = 0; l < c.decoderLayers; l++) {
      const le = Math.min(c.encoderLayers - 1, Math.max(0, c.encoderLayers - c.decoderLayers + l));
      const dirs: Tensor[] = [];
      for (let d = 0; d < D; d++) {
        dirs.push(reshape(tape, slice(tape, s, 0, le * D + d, le * D + d + 1), [batch, He])); // [B, He]
      }
      let out: Tensor;
      if (map) {
        const joined = D === 1 ? dirs[0]! : concat(tape, dirs, 1); // [B, D·He]
        out = tanh(tape, map.forward(tape, joined)); // [B, Hd]
      } else {
        out = D === 1 ? dirs[0]! : add(tape, dirs[0]!, dirs[1]!); // [B, He = Hd]
      }
      layers.push(reshape(tape, out, [1, batch, c.decoderHidden]));
    }
    return layers.length === 1 ? layers[0]! : concat(tape, layers, 0); // [Ld, B, Hd]
  }
}
