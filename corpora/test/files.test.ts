import { createHash } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DataError, FormatError } from '@recurrent/core';
import {
  loadLabelledFile,
  loadPairFile,
  loadTatoebaPairs,
  loadTextFile,
  parsePairs,
  splitCorpus,
} from '@recurrent/corpora';
import { describe, expect, it } from 'vitest';

const dir = mkdtempSync(join(tmpdir(), 'corpora-test-'));
function file(name: string, content: string | Uint8Array): string {
  const p = join(dir, name);
  writeFileSync(p, content);
  return p;
}

/** The first 400 lines of the shared tatoeba-eng-fra-train.tsv (see fixtures/README.md). */
const TATOEBA = fileURLToPath(new URL('./fixtures/tatoeba-eng-fra-sample.tsv', import.meta.url));

describe('user files', () => {
  it('loads plain text whole, by line or by paragraph', () => {
    const p = file('plain.txt', '\ufeffFirst line.\r\nSecond line.\r\n\r\nNew paragraph.\n');
    expect(loadTextFile(p).items).toEqual(['First line.\nSecond line.\n\nNew paragraph.\n']);
    expect(loadTextFile(p, { unit: 'lines' }).items).toEqual([
      'First line.',
      'Second line.',
      'New paragraph.',
    ]);
    expect(loadTextFile(p, { unit: 'paragraphs' }).items).toEqual([
      'First line.\nSecond line.',
      'New paragraph.',
    ]);
    expect(loadTextFile(p).source).toBe(p);
  });

  it('checksums what was loaded: SHA-256 of the items, independent of line endings', () => {
    const lf = loadTextFile(file('lf.txt', 'a\nb\n'), { unit: 'lines' });
    const crlf = loadTextFile(file('crlf.txt', 'a\r\nb\r\n'), { unit: 'lines' });
    const other = loadTextFile(file('other.txt', 'a\nc\n'), { unit: 'lines' });
    const expected = createHash('sha256').update('"a"\n"b"\n').digest('hex');
    expect(lf.checksum).toBe(expected);
    expect(crlf.checksum).toBe(expected);
    expect(other.checksum).not.toBe(expected);
  });

  it('rejects empty and binary files with typed errors that name the file', () => {
    const empty = file('empty.txt', '');
    const blank = file('blank.txt', ' \n\n');
    const binary = file('binary.bin', Uint8Array.of(0x50, 0x4b, 0x03, 0x04, 0x00, 0x00, 0x14));
    const latin1 = file('latin1.txt', Uint8Array.of(0x63, 0x61, 0x66, 0xe9, 0x0a));
    expect(() => loadTextFile(empty)).toThrow(DataError);
    expect(() => loadTextFile(empty)).toThrow(/empty\.txt/);
    expect(() => loadTextFile(blank)).toThrow(DataError);
    expect(() => loadPairFile(binary)).toThrow(FormatError);
    expect(() => loadPairFile(binary)).toThrow(/binary\.bin.*NUL byte at offset 4/);
    expect(() => loadLabelledFile(latin1)).toThrow(/latin1\.txt.*not valid UTF-8/);
    expect(() => loadTextFile(join(dir, 'missing.txt'))).toThrow(/missing\.txt/);
  });

  it('reads label<TAB>text and reports malformed lines by number', () => {
    const good = file('labels.tsv', 'pos\tI loved it.\nneg\t Awful. \n\nneu\tFine.\n');
    expect(loadLabelledFile(good).items).toEqual([
      { label: 'pos', text: 'I loved it.' },
      { label: 'neg', text: 'Awful.' },
      { label: 'neu', text: 'Fine.' },
    ]);
    const bad = file('bad-labels.tsv', 'pos\tgood\nno tab here\n\tempty label\nneg\tbad\nx\ty\tz\n');
    expect(() => loadLabelledFile(bad)).toThrow(FormatError);
    expect(() => loadLabelledFile(bad)).toThrow(
      /bad-labels\.tsv.*3 malformed: line 2: .*line 3: empty label.*line 5: expected 2/,
    );
    const skipped = loadLabelledFile(bad, { onMalformed: 'skip' });
    expect(skipped.items.map((r) => r.label)).toEqual(['pos', 'neg']);
    expect(skipped.skipped.map((s) => s.line)).toEqual([2, 3, 5]);
  });

  it('reads source<TAB>target pairs and groups them by source sentence', () => {
    const p = file('pairs.tsv', 'Hi.\tSalut.\nHi.\tBonjour.\nBye.\tSalut.\nThanks.\tMerci.\n');
    const c = loadPairFile(p);
    expect(c.items).toHaveLength(4);
    expect(c.groupKey(c.items[0]!)).toBe(c.groupKey(c.items[1]!));
    expect(c.groupKey(c.items[0]!)).not.toBe(c.groupKey(c.items[2]!));
    // Connected grouping also joins "Bye." through the shared target "Salut.".
    const conn = loadPairFile(p, { groupBy: 'connected' });
    expect(conn.groupKey(conn.items[2]!)).toBe(conn.groupKey(conn.items[0]!));
    expect(conn.groupKey(conn.items[3]!)).not.toBe(conn.groupKey(conn.items[0]!));
    expect(() => parsePairs('a\tb\nc\n', 'inline')).toThrow(/inline.*line 2/);
  });

  it('loads the Tatoeba eng-fra file and splits it without leaking English sentences', () => {
    const c = loadTatoebaPairs(TATOEBA);
    expect(c.items).toHaveLength(400);
    expect(c.skipped).toEqual([]);
    // 19 English sentences have two or more translations; each is one group.
    const groups = new Set(c.items.map(c.groupKey));
    const english = new Set(c.items.map((p) => p.source));
    expect(groups.size).toBe(english.size);
    expect(groups.size).toBeLessThan(400 - 18);
    expect(c.items[0]).toEqual({
      source: '80% of all English words come from other languages.',
      target: "Quatre-vingt pour cent des mots anglais proviennent d'autres langues.",
    });
    const s = splitCorpus(c, { seed: 4 });
    const trainEnglish = new Set(s.train.map((p) => p.source.toLowerCase()));
    for (const p of [...s.valid, ...s.test]) expect(trainEnglish.has(p.source.toLowerCase())).toBe(false);
    expect(s.valid.length + s.test.length).toBeGreaterThan(60);
    expect(loadTatoebaPairs(TATOEBA).checksum).toBe(c.checksum);
  });
});
