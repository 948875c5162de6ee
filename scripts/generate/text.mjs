// @ts-check
// Text helpers the renderers share: doc comments, quoting, wrapping at the line width.

/** The line width the generated files are wrapped at. */
export const WIDTH = 100;

/**
 * A doc comment (`/** … *\/`), one line when it fits.
 *
 * @param {(string | undefined)[]} lines Paragraphs; `''` separates them.
 * @param {string} [indent]
 * @returns {string[]}
 */
export function docComment(lines, indent = '') {
  const text = lines
    .filter((l) => l !== undefined)
    .join('\n')
    .trim();
  if (!text) return [];
  /** @type {string[]} */
  const body = [];
  for (const paragraph of text.split('\n')) {
    const escaped = paragraph.replace(/\*\//g, '*\\/').trimEnd();
    body.push(...wrap(escaped, WIDTH - indent.length - 3));
  }
  while (body.length && body[body.length - 1] === '') body.pop();
  if (body.length === 1 && (body[0] ?? '').length <= WIDTH - indent.length - 7) return [`${indent}/** ${body[0]} */`];
  return [`${indent}/**`, ...body.map((l) => (l ? `${indent} * ${l}` : `${indent} *`)), `${indent} */`];
}

/**
 * @param {string} text
 * @param {number} width
 * @returns {string[]}
 */
export function wrap(text, width) {
  if (text.length <= width) return [text];
  const lines = [];
  let line = '';
  for (const word of text.split(' ')) {
    if (line && line.length + 1 + word.length > width) {
      lines.push(line);
      line = word;
    } else line = line ? `${line} ${word}` : word;
  }
  if (line) lines.push(line);
  return lines;
}

/** A single-quoted string literal. */
export const quote = (/** @type {unknown} */ s) => `'${String(s).replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;

/** A property key: bare when it is an identifier. */
export const propKey = (/** @type {string} */ name) => (/^[A-Za-z_$][A-Za-z0-9_$]*$/.test(name) ? name : quote(name));

/**
 * Items joined by `sep` between `open` and `close`, one item per line when too long.
 *
 * @param {string[]} items
 * @param {{ open: string, close: string, sep: string, indent: string, lead?: string }} options
 * @returns {string}
 */
export function joinList(items, { open, close, sep, indent, lead = '' }) {
  const inline = `${open}${items.join(sep)}${close}`;
  if (lead.length + inline.length <= WIDTH - indent.length && !inline.includes('\n')) return inline;
  const inner = indent + '  ';
  return `${open}\n${items.map((i) => `${inner}${i}${sep.trim()}`).join('\n')}\n${indent}${close}`;
}

/**
 * The versions a variant is for, in words: `2026-04`, `2026-10 and 2027-01`.
 *
 * @param {string[]} versions
 * @returns {string}
 */
export function versionList(versions) {
  if (versions.length <= 1) return versions.join('');
  return `${versions.slice(0, -1).join(', ')} and ${versions[versions.length - 1]}`;
}
