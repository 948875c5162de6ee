/**
 * Own `__proto__` keys. `JSON.parse('{"__proto__": {…}}')` makes an own property of that name
 * (not a prototype), and zod leaves it out of what it returns. An event that kept it would hand
 * the key to whatever the app does next: `Object.assign({}, event.data)` or a deep merge turns it
 * into a prototype. So a payload is read without them, whether the guards or zod decide it.
 *
 * @module
 */

/**
 * Whether JSON text may hold a key that parses to `__proto__`: the key spelled out, or one written
 * with `\u` escapes (the only other way to spell it). Neither occurs in what Polar sends, so the
 * common case costs two quick scans of the text and nothing else. `proto` is looked for first: a
 * scan for `__proto__` itself stops at every underscore of every snake_case key, four times slower.
 */
export function mayHoldProtoKey(text: string): boolean {
  return (text.includes('proto') && text.includes('__proto__')) || text.includes('\\u');
}

/** A `JSON.parse` reviver that leaves out every `__proto__` key. */
export function dropProtoKeys(key: string, value: unknown): unknown {
  return key === '__proto__' ? undefined : value;
}

/**
 * `value` without own `__proto__` keys at any depth: the value itself when it has none (the
 * common case), otherwise a copy of the objects on the way to them.
 */
export function withoutProtoKeys(value: unknown): unknown {
  return strip(value, new Set());
}

function strip(value: unknown, seen: Set<object>): unknown {
  if (typeof value !== 'object' || value === null || seen.has(value)) return value;
  seen.add(value);
  if (Array.isArray(value)) {
    let copy: unknown[] | undefined;
    for (let i = 0; i < value.length; i++) {
      const item: unknown = value[i];
      const stripped = strip(item, seen);
      if (stripped !== item) (copy ??= value.slice())[i] = stripped;
    }
    return copy ?? value;
  }
  const record = value as Record<string, unknown>;
  let copy: Record<string, unknown> | undefined;
  if (Object.hasOwn(record, '__proto__')) {
    copy = {};
    for (const key of Object.keys(record)) if (key !== '__proto__') copy[key] = record[key];
  }
  for (const key of Object.keys(record)) {
    if (key === '__proto__') continue;
    const item = record[key];
    const stripped = strip(item, seen);
    if (stripped !== item) (copy ??= { ...record })[key] = stripped;
  }
  return copy ?? value;
}
