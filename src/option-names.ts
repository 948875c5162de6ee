/**
 * Refusing option names a function does not know: a misspelt `tolerence` would otherwise be ignored
 * in silence, and the setting the user meant would never apply.
 *
 * @module
 */
import { WebhookConfigurationError } from './errors';

/** How many edits apart two names may be for one to be suggested as the other. */
function distance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let diagonal = row[0] as number;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const above = row[j] as number;
      const cost = a.charCodeAt(i - 1) === b.charCodeAt(j - 1) ? 0 : 1;
      row[j] = Math.min(above + 1, (row[j - 1] as number) + 1, diagonal + cost);
      diagonal = above;
    }
  }
  return row[b.length] as number;
}

function commonPrefix(a: string, b: string): number {
  let i = 0;
  while (i < a.length && i < b.length && a.charCodeAt(i) === b.charCodeAt(i)) i++;
  return i;
}

/**
 * The known name closest to `name`, when it is close enough to be what was meant: a few edits away
 * (`tolerence`), or sharing most of its beginning (`maxBodySize`, `onInvalid`).
 */
export function closestName(name: string, known: readonly string[]): string | undefined {
  const lower = name.toLowerCase();
  let best: string | undefined;
  let bestDistance = Math.max(2, Math.floor(name.length / 3)) + 1;
  for (const candidate of known) {
    const d = distance(lower, candidate.toLowerCase());
    if (d < bestDistance) {
      best = candidate;
      bestDistance = d;
    }
  }
  if (best !== undefined) return best;
  let longest = 0;
  for (const candidate of known) {
    const shared = commonPrefix(lower, candidate.toLowerCase());
    if (shared > longest && shared >= 6 && shared >= Math.min(lower.length, candidate.length) * 0.6) {
      best = candidate;
      longest = shared;
    }
  }
  return best;
}

/**
 * Throws `invalid_option` for the first own key of `options` that is not in `known`, suggesting the
 * closest known name. `where` names the function, for the message (`createWebhooks()`).
 */
export function checkOptionNames(options: object, known: ReadonlySet<string>, where: string): void {
  for (const key in options) {
    if (!Object.hasOwn(options, key) || known.has(key)) continue;
    const suggestion = closestName(key, [...known]);
    throw new WebhookConfigurationError(
      'invalid_option',
      `${where}: unknown option "${key}"${suggestion ? `. Did you mean "${suggestion}"?` : '.'} ` +
        `Its options are: ${[...known].join(', ')}.`,
    );
  }
}
