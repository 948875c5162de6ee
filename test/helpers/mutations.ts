/**
 * Mutations of payloads for the guard/zod differential: a value is copied, then up to a few
 * mutations each change one place in it (drop a key, put a wrong value, retag a union, add a key,
 * punch a hole in an array, graft a node elsewhere, or make an object exotic).
 */
import fc from 'fast-check';

type Node = Record<string, unknown> | unknown[];

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

const ODD_VALUES: unknown[] = [
  undefined,
  null,
  0,
  -0,
  1.5,
  -1,
  Number.NaN,
  Number.POSITIVE_INFINITY,
  '',
  'x',
  true,
  false,
  [],
  {},
  ['fixed'],
  ['custom'],
];
/** A value of the wrong kind (a fresh copy each time: a later mutation may change it). */
export const odd = (n: number): unknown => structuredClone(ODD_VALUES[n % ODD_VALUES.length]);
export const ODD_COUNT = ODD_VALUES.length;

export const MUTATION_KINDS = [
  'drop', // delete a key (required or optional), or an element of an array
  'null',
  'odd', // a wrong primitive, undefined, NaN, ±Infinity, an empty array or object
  'json', // any JSON value
  'addKey', // an unknown key, anywhere (an own "__proto__" too, as JSON.parse makes it)
  'string', // another string: a known enum value or tag, or a random one
  'retag', // a union tag set to a known, a known-but-wrong, an unknown or a non-string value
  'flag', // a legacy flag set, cleared, removed or made a non-boolean
  'emptyArray',
  'badElement', // one element of an array replaced
  'hole', // an element of an array deleted, leaving a hole
  'graft', // a node replaced by another node of the same value (a known shape in the wrong place)
  'exotic', // a symbol key, a non-enumerable key, a null prototype, an inherited key
] as const;
export type MutationKind = (typeof MUTATION_KINDS)[number];

/** Mutations JSON.parse could have produced: no symbols, prototypes or non-enumerable keys. */
export const JSON_MUTATION_KINDS = MUTATION_KINDS.filter((k) => k !== 'exotic');

export interface Mutation {
  kind: MutationKind;
  pick: number;
  other: number;
  json: unknown;
  text: string;
}

/** What the mutations draw strings and tags from. */
export interface MutationPools {
  /** Every enum value and constant of the specs, and every table key of the open unions. */
  readonly strings: readonly string[];
  /** The tags of the open unions. */
  readonly tags: readonly string[];
  /** The properties the open unions dispatch on. */
  readonly tagKeys: readonly string[];
  /** The boolean flags that split a union's families (`legacy`). */
  readonly flagKeys: readonly string[];
}

export function mutationArb(
  pools: MutationPools,
  kinds: readonly MutationKind[] = MUTATION_KINDS,
): fc.Arbitrary<Mutation> {
  return fc.record({
    kind: fc.constantFrom(...kinds),
    pick: fc.nat(),
    other: fc.nat(),
    json: fc.jsonValue({ maxDepth: 2 }),
    text: fc.oneof(
      fc.constantFrom(...pools.strings),
      fc.string({ maxLength: 8 }),
      fc.constantFrom('__proto__', 'constructor', 'toString', ...pools.flagKeys),
    ),
  });
}

interface Slot {
  parent: Node;
  key: string | number;
}

/** Every place in a tree a value sits, the root (in its holder) included. */
function slotsOf(holder: { root: unknown }): Slot[] {
  const slots: Slot[] = [{ parent: holder as unknown as Node, key: 'root' }];
  const seen = new Set<unknown>();
  const visit = (value: unknown) => {
    if (!value || typeof value !== 'object' || seen.has(value)) return;
    seen.add(value);
    if (Array.isArray(value)) {
      value.forEach((item, i) => {
        slots.push({ parent: value, key: i });
        visit(item);
      });
    } else {
      for (const key of Object.keys(value)) {
        slots.push({ parent: value as Record<string, unknown>, key });
        visit((value as Record<string, unknown>)[key]);
      }
    }
  };
  visit(holder.root);
  return slots;
}
const read = (slot: Slot): unknown => (slot.parent as Record<string | number, unknown>)[slot.key];
const write = (slot: Slot, value: unknown): void => {
  (slot.parent as Record<string | number, unknown>)[slot.key] = value;
};

function applyMutation(holder: { root: unknown }, m: Mutation, pools: MutationPools): void {
  const slots = slotsOf(holder);
  const slot = slots[m.pick % slots.length]!;
  const objects = slots.map(read).filter((v): v is Record<string, unknown> => isObject(v));
  const arrays = slots.map(read).filter((v): v is unknown[] => Array.isArray(v));
  const pickFrom = <T>(list: T[]): T | undefined => (list.length ? list[m.other % list.length] : undefined);
  switch (m.kind) {
    case 'drop':
      if (slot.parent === (holder as unknown)) return;
      if (Array.isArray(slot.parent)) slot.parent.splice(slot.key as number, 1);
      else delete (slot.parent as Record<string, unknown>)[slot.key];
      return;
    case 'null':
      return write(slot, null);
    case 'odd':
      return write(slot, odd(m.other));
    case 'json':
      return write(slot, m.json);
    case 'addKey': {
      const target = pickFrom(objects);
      // defined, not assigned: an own "__proto__" key, as JSON.parse makes it
      if (target)
        Object.defineProperty(target, m.text, { value: m.json, enumerable: true, writable: true, configurable: true });
      return;
    }
    case 'string': {
      const strings = slots.filter((s) => typeof read(s) === 'string');
      const target = pickFrom(strings);
      if (target) write(target, m.text);
      return;
    }
    case 'retag': {
      const tagged = slots.filter((s) => !Array.isArray(s.parent) && pools.tagKeys.includes(String(s.key)));
      const target = pickFrom(tagged);
      const choice = m.pick % 3;
      if (target)
        write(target, choice === 0 ? m.text : choice === 1 ? pools.tags[m.other % pools.tags.length] : odd(m.other));
      return;
    }
    case 'flag': {
      const priced = objects.filter((o) => pools.tagKeys.some((k) => k in o));
      const target = pickFrom(priced);
      if (!target) return;
      const flag = pools.flagKeys[m.pick % Math.max(pools.flagKeys.length, 1)] ?? 'legacy';
      const choice = m.pick % 5;
      if (choice === 0) delete target[flag];
      else target[flag] = [true, false, 'true', null][choice - 1];
      return;
    }
    case 'emptyArray': {
      const target = pickFrom(arrays);
      if (target) target.length = 0;
      return;
    }
    case 'badElement': {
      const target = pickFrom(arrays);
      if (target && target.length) target[m.pick % target.length] = m.pick % 2 ? m.json : odd(m.pick);
      else if (target) target.push(m.json);
      return;
    }
    case 'hole': {
      const target = pickFrom(arrays.filter((a) => a.length > 0));
      if (target) delete target[m.pick % target.length];
      return;
    }
    case 'graft': {
      const source = slots[m.other % slots.length]!;
      return write(slot, structuredClone(read(source)));
    }
    case 'exotic': {
      const target = pickFrom(objects);
      if (!target) return;
      const choice = m.pick % 4;
      if (choice === 0) (target as Record<symbol, unknown>)[Symbol('extra')] = m.json;
      else if (choice === 1)
        Object.defineProperty(target, m.text || 'hidden', {
          value: { odd: true },
          enumerable: false,
          writable: true,
          configurable: true,
        });
      else if (choice === 2) Object.setPrototypeOf(target, null);
      else Object.setPrototypeOf(target, { [m.text || 'inherited']: { odd: true } }); // an enumerable inherited key
      return;
    }
  }
}

/** A copy of `value` with the mutations applied in turn. */
export function mutated(value: unknown, mutations: readonly Mutation[], pools: MutationPools): unknown {
  const holder = { root: structuredClone(value) };
  for (const m of mutations) applyMutation(holder, m, pools);
  return holder.root;
}

/** A value for a test message: JSON with undefined and non-finite numbers visible, cut short. */
export function inspect(value: unknown): string {
  try {
    const text = JSON.stringify(value, (_k, v) =>
      v === undefined ? '<undefined>' : typeof v === 'number' && !Number.isFinite(v) ? String(v) : v,
    );
    return text.length > 600 ? `${text.slice(0, 600)}…` : text;
  } catch {
    return String(value);
  }
}
