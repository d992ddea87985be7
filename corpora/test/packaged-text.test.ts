import { OptionError } from '@recurrent/core';
import {
  loadMobyDick,
  loadSentimentSentences,
  loadSotu,
  loadSpamAssassin,
  splitCorpus,
  splitEmail,
  stripEmailHeaders,
} from '@recurrent/corpora';
import { describe, expect, it } from 'vitest';

describe('Moby-Dick', () => {
  const book = loadMobyDick();

  it('has the 135 chapters and the epilogue in order', () => {
    expect(book.items).toHaveLength(136);
    expect(book.items.slice(0, 3).map((c) => c.id)).toEqual(['1', '2', '3']);
    expect(book.items.at(-1)!.id).toBe('epilogue');
    expect(book.items[0]!.title).toBe('Loomings.');
    expect(book.items[0]!.text.startsWith('Call me Ishmael.')).toBe(true);
    expect(book.source).toMatch(/^@stdlib\/datasets-moby-dick@/);
    const withFront = loadMobyDick({ includeFrontMatter: true });
    expect(withFront.items.slice(0, 3).map((c) => c.id)).toEqual(['contents', 'etymology', 'extracts']);
    expect(withFront.checksum).not.toBe(book.checksum);
  });

  it('holds out whole chapters, reproducibly', () => {
    const s = splitCorpus(book, { heldOut: { test: ['134', '135', 'epilogue'], valid: ['133'] } });
    expect(s.test.map((c) => c.id)).toEqual(['134', '135', 'epilogue']);
    expect(s.valid.map((c) => c.id)).toEqual(['133']);
    expect(s.train).toHaveLength(132);
    expect(splitCorpus(book, { seed: 2 })).toEqual(splitCorpus(loadMobyDick(), { seed: 2 }));
  });
});

describe('State of the Union', () => {
  it('loads all speeches or a filtered set', () => {
    const all = loadSotu();
    expect(all.items).toHaveLength(233);
    expect(all.items[0]).toMatchObject({ year: 1790, name: 'George Washington' });
    const lincoln = loadSotu({ name: 'Abraham Lincoln' });
    expect(lincoln.items.map((s) => s.year)).toEqual([1861, 1862, 1863, 1864]);
    expect(() => loadSotu({ name: 'Nobody Atall' })).toThrow(OptionError);
  });
});

describe('sentiment labelled sentences', () => {
  it('has 1,000 sentences per site, half positive, without the empty terminator', () => {
    const c = loadSentimentSentences();
    expect(c.items).toHaveLength(3000);
    for (const source of ['amazon', 'imdb', 'yelp'] as const) {
      const part = c.items.filter((s) => s.source === source);
      expect(part).toHaveLength(1000);
      expect(part.filter((s) => s.label === 1)).toHaveLength(500);
    }
    expect(c.items.every((s) => s.text.length > 0 && s.text === s.text.trim())).toBe(true);
    expect(c.items[0]).toEqual({
      text: 'So there is no way for me to plug it in here in the US unless I go by a converter.',
      label: 0,
      source: 'amazon',
    });
    expect(loadSentimentSentences({ sources: ['yelp'] }).items[0]!.text).toBe('Wow... Loved this place.');
  });
});

describe('SpamAssassin', () => {
  it('labels the groups and strips headers on request', () => {
    const c = loadSpamAssassin();
    expect(c.items).toHaveLength(6046);
    expect(c.items.filter((m) => m.label === 'spam')).toHaveLength(1896);
    expect(c.items[0]!.text).toMatch(/^From .*\nReturn-Path:/);
    const stripped = loadSpamAssassin({ groups: ['spam-1'], stripHeaders: ['Subject'] });
    expect(stripped.items).toHaveLength(500);
    expect(stripped.items[0]!.text.startsWith('Subject: Life Insurance - Why Pay More?\n\n')).toBe(true);
    expect(stripped.items[0]!.text).not.toMatch(/^Received:/m);
  });

  it('splits a message into unfolded headers and body', () => {
    const msg =
      'From a@b  Thu Aug 22 2002\r\nSubject: Hello\r\n there\r\nTo: x@y\r\n\r\nBody line 1\r\n\r\nBody 2';
    expect(splitEmail(msg)).toEqual({
      headers: [
        { name: 'Subject', value: 'Hello there' },
        { name: 'To', value: 'x@y' },
      ],
      body: 'Body line 1\n\nBody 2',
    });
    expect(stripEmailHeaders(msg)).toBe('Body line 1\n\nBody 2');
    expect(stripEmailHeaders(msg, { keep: ['subject'] })).toBe(
      'Subject: Hello there\n\nBody line 1\n\nBody 2',
    );
  });
});
