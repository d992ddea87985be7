/** An e-mail split at the blank line that ends its header. */
export interface EmailParts {
  /** Header fields in order, continuation lines unfolded; names as written. */
  headers: { name: string; value: string }[];
  /** Everything after the first blank line. */
  body: string;
}

/**
 * Splits an RFC 822 message into header fields and body. A leading mbox `From ` line is dropped;
 * folded header lines (starting with a space or tab) are joined to the field above. A message with
 * no blank line is all header.
 */
export function splitEmail(message: string): EmailParts {
  const text = message.replace(/\r\n?/g, '\n');
  const end = text.indexOf('\n\n');
  const head = end < 0 ? text : text.slice(0, end);
  const body = end < 0 ? '' : text.slice(end + 2);
  const headers: { name: string; value: string }[] = [];
  for (const line of head.split('\n')) {
    if (headers.length === 0 && line.startsWith('From ')) continue;
    if (/^[ \t]/.test(line) && headers.length > 0) {
      headers[headers.length - 1]!.value += ` ${line.trim()}`;
      continue;
    }
    const colon = line.indexOf(':');
    if (colon > 0) headers.push({ name: line.slice(0, colon), value: line.slice(colon + 1).trim() });
  }
  return { headers, body };
}

/** Options of {@link stripEmailHeaders}. */
export interface StripHeadersOptions {
  /** Header fields to keep (case-insensitive), written as `Name: value` lines before the body. Default none. */
  keep?: readonly string[];
}

/**
 * The body of an e-mail without its header block (routing lines, message ids, dates), which
 * would otherwise let a spam classifier learn mail servers instead of content. `keep: ['Subject']`
 * keeps the subject line, often the most telling part.
 */
export function stripEmailHeaders(message: string, options: StripHeadersOptions = {}): string {
  const { headers, body } = splitEmail(message);
  const keep = new Set((options.keep ?? []).map((k) => k.toLowerCase()));
  const kept = headers.filter((h) => keep.has(h.name.toLowerCase())).map((h) => `${h.name}: ${h.value}`);
  return kept.length > 0 ? `${kept.join('\n')}\n\n${body}` : body;
}
