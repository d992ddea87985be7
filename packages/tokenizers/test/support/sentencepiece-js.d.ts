// sentencepiece-js ships no types; this is the part the sanity test uses.
declare module 'sentencepiece-js' {
  export class SentencePieceProcessor {
    /** Loads a `.model` from a file path (Node only); instantiates its own wasm module. */
    load(path: string): Promise<void>;
    encodeIds(text: string): number[];
    encodePieces(text: string): string[];
    decodeIds(ids: number[]): string;
  }
  const _default: { SentencePieceProcessor: typeof SentencePieceProcessor };
  export default _default;
}
