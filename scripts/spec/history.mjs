// @ts-check
// The rule that turns a chain of dated snapshots of Polar's models into the history of every model
// and field of the newest one:
//
// - A model's `since` is the date of the first snapshot from which it exists in every snapshot
//   through the newest; a field's date is the first snapshot from which the field is there in every
//   snapshot through the newest. A snapshot stands for what Polar sent from its date until the next.
// - A model that existed under another name follows that name back (a rename): when, between two
//   snapshots, the model appears and a model with mostly the same fields (or enum values) disappears,
//   or stops being an object, and some field that held the old one holds the new one, the older one
//   is taken as its earlier self. Several new models may descend from one old model (a model split
//   into kinds). Names that differ only by openapi-typescript's `-Input`/`-Output` are one model.
// - A field whose type text changes along its run is listed under `typeChanges`, with whether every
//   value of the older type is a value of the newer one (`accepted`) and of the newest one
//   (`newestAccepts`): when not, payloads of the older shape can carry values the newest schema rejects.
import { accepts, refsOfShape, renameRefs, shapeText, unionOf } from './type-shape.mjs';

/** @typedef {import('./type-shape.mjs').Shape} Shape */

/**
 * One dated snapshot of Polar's models.
 * @typedef {object} Snapshot
 * @property {string} date YYYY-MM-DD
 * @property {string} source where it comes from, e.g. `v1.ts` or `openapi-2026-04`
 * @property {string} [commit]
 * @property {Map<string, Shape>} models
 */

/**
 * @typedef {object} TypeChange
 * @property {string} date the first snapshot with the new type
 * @property {string} [from] the old type (for a change between two unions: `added`, `removed` instead)
 * @property {string} [to]
 * @property {string[]} [added] members of the new union the old one lacked
 * @property {string[]} [removed] members of the old union the new one lacks
 * @property {boolean} accepted whether every value of the old type is a value of the new one
 * @property {boolean} newestAccepts whether every value of the old type is a value of the newest
 *   type: when false, payloads sent before `date` can carry values the newest schema rejects
 */

/**
 * The history of one model of the newest snapshot.
 * @typedef {object} ModelHistory
 * @property {string} since
 * @property {Record<string, string>} fields each field's date, in the newest model's order
 * @property {{ name: string, until: string, similarity: number }[]} [renamedFrom] newest first
 * @property {Record<string, TypeChange[]>} [typeChanges]
 * @property {TypeChange[]} [ownTypeChanges] for enums and unions: changes of the model's own type
 * @property {Record<string, string>} [removed] fields of its earlier selves the newest lacks: the first
 *   snapshot without them
 * @property {Record<string, { from: string, until: string }[]>} [gaps] stretches in which a field was
 *   missing from the snapshots although it had been there before (a field its date therefore puts
 *   later than its first appearance)
 */

/** Fields (or values) an old model must share with a new one to be taken as its earlier self. */
const RENAME_MIN_SHARED = 3;
const RENAME_MIN_SIMILARITY = 0.5;

/**
 * The history of every model of the newest snapshot of a chain.
 * @param {Snapshot[]} chain oldest first; the last one is the newest
 * @returns {Record<string, ModelHistory>}
 */
export function historyOf(chain) {
  const n = chain.length;
  if (n === 0) throw new Error('history: empty chain');
  const newest = /** @type {Snapshot} */ (chain[n - 1]);
  const lineages = lineagesOf(chain);
  /** @type {Map<number, (name: string) => string>} */
  const renamers = new Map();
  /** @param {number} i */
  const renameAt = (i) => {
    let renamer = renamers.get(i);
    if (!renamer) renamers.set(i, (renamer = renamerAt(lineages, i)));
    return renamer;
  };
  /** @type {Record<string, ModelHistory>} */
  const out = {};
  for (const [model, lineage] of [...lineages.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    const first = firstOfRun(n, (i) => lineage.names[i] !== null);
    /** @param {number} i */
    const at = (i) => {
      const name = lineage.names[i];
      return name === null || name === undefined ? undefined : chain[i]?.models.get(name);
    };
    /** @type {ModelHistory} */
    const entry = { since: dateOf(chain, first), fields: {} };
    const latest = /** @type {Shape} */ (newest.models.get(model));
    if (lineage.renames.length > 0) entry.renamedFrom = lineage.renames;
    if (latest.kind === 'fields' || latest.kind === 'object') {
      const fields = latest.kind === 'fields' ? Object.keys(latest.fields) : [];
      /** @type {Record<string, TypeChange[]>} */
      const typeChanges = {};
      for (const field of fields) {
        /** @param {number} i */
        const shapeAt = (i) => {
          const shape = at(i);
          return shape?.kind === 'fields' ? shape.fields[field]?.shape : undefined;
        };
        const from = firstOfRun(n, (i) => i >= first && shapeAt(i) !== undefined);
        entry.fields[field] = dateOf(chain, from);
        const absent = gapsOf(chain, first, from, (i) => shapeAt(i) !== undefined);
        if (absent.length > 0) (entry.gaps ??= {})[field] = absent;
        const changes = changesOf(chain, from, shapeAt, renameAt);
        if (changes.length > 0) typeChanges[field] = changes;
      }
      if (Object.keys(typeChanges).length > 0) entry.typeChanges = typeChanges;
      const removed = removedFields(chain, first, at, new Set(fields));
      if (Object.keys(removed).length > 0) entry.removed = removed;
    } else {
      const changes = changesOf(chain, first, at, renameAt);
      if (changes.length > 0) entry.ownTypeChanges = changes;
    }
    out[model] = entry;
  }
  return out;
}

/**
 * For each model of the newest snapshot, the name it had in each snapshot (null where it did not
 * exist), walking back from the newest.
 * @param {Snapshot[]} chain
 * @returns {Map<string, { names: (string | null)[], renames: { name: string, until: string, similarity: number }[] }>}
 */
function lineagesOf(chain) {
  const n = chain.length;
  const newest = /** @type {Snapshot} */ (chain[n - 1]);
  /** @type {Map<string, { names: (string | null)[], renames: { name: string, until: string, similarity: number }[] }>} */
  const lineages = new Map();
  for (const name of newest.models.keys()) {
    /** @type {(string | null)[]} */
    const names = new Array(n).fill(null);
    names[n - 1] = name;
    lineages.set(name, { names, renames: [] });
  }
  for (let i = n - 2; i >= 0; i--) {
    const here = /** @type {Snapshot} */ (chain[i]).models;
    const next = /** @type {Snapshot} */ (chain[i + 1]).models;
    // names that went away (or stopped being objects) between this snapshot and the next
    const gone = [...here.keys()].filter((name) => {
      const later = next.get(name);
      return later === undefined || (isObject(/** @type {Shape} */ (here.get(name))) && !isObject(later));
    });
    const sites = sitesCache(here, next);
    for (const lineage of lineages.values()) {
      const current = lineage.names[i + 1];
      if (current === null || current === undefined) continue;
      if (here.has(current)) {
        lineage.names[i] = current;
        continue;
      }
      const later = /** @type {Shape} */ (next.get(current));
      // openapi-typescript names a model `X-Output` while the server also has an input schema `X`:
      // the same model under a passing name, followed without being reported as a rename
      const alias = gone.find((name) => baseName(name) === baseName(current));
      if (alias !== undefined) {
        lineage.names[i] = alias;
        continue;
      }
      let best = { name: '', similarity: 0 };
      for (const candidate of gone) {
        const similarity = similarityOf(/** @type {Shape} */ (here.get(candidate)), later);
        if (similarity > best.similarity && sites.shared(candidate, current)) best = { name: candidate, similarity };
      }
      if (best.similarity >= RENAME_MIN_SIMILARITY) {
        lineage.names[i] = best.name;
        lineage.renames.push({
          name: best.name,
          until: /** @type {Snapshot} */ (chain[i + 1]).date,
          similarity: Math.round(best.similarity * 100) / 100,
        });
      }
    }
  }
  return lineages;
}

/**
 * Where models are used, for telling a rename from a coincidence: an old and a new model are one
 * only if some field that held the old one holds the new one in the next snapshot (directly, or
 * through a union that contains it).
 * @param {Map<string, Shape>} here
 * @param {Map<string, Shape>} next
 */
function sitesCache(here, next) {
  /** @type {Map<string, Set<string>>} */
  const cache = new Map();
  /**
   * @param {Map<string, Shape>} models
   * @param {string} name
   * @param {string} key
   */
  const sitesOf = (models, name, key) => {
    const cached = cache.get(key);
    if (cached) return cached;
    const holders = new Set([name]);
    for (const [model, shape] of models) if (shape.kind === 'union' && refsOfShape(shape).has(name)) holders.add(model);
    /** @type {Set<string>} */
    const sites = new Set();
    for (const [model, shape] of models) {
      if (shape.kind !== 'fields') continue;
      for (const [field, f] of Object.entries(shape.fields))
        for (const ref of refsOfShape(f.shape)) if (holders.has(ref)) sites.add(`${model}.${field}`);
    }
    cache.set(key, sites);
    return sites;
  };
  return {
    /**
     * @param {string} old a model of `here`
     * @param {string} later a model of `next`
     */
    shared(old, later) {
      const before = sitesOf(here, old, `here:${old}`);
      const after = sitesOf(next, later, `next:${later}`);
      for (const site of before) if (after.has(site)) return true;
      return false;
    },
  };
}

/**
 * How alike two models are: the share of field names (or enum values) they have in common, 0 when
 * they have fewer than {@link RENAME_MIN_SHARED} in common or are of different kinds.
 * @param {Shape} old
 * @param {Shape} later
 */
function similarityOf(old, later) {
  const keys = (/** @type {Shape} */ s) =>
    s.kind === 'fields'
      ? Object.keys(s.fields)
      : s.kind === 'union' && s.members.every((m) => m.kind === 'literal')
        ? s.members.map(shapeText)
        : undefined;
  const a = keys(old);
  const b = keys(later);
  if (!a || !b || old.kind !== later.kind) return 0;
  const shared = a.filter((k) => b.includes(k)).length;
  if (shared < RENAME_MIN_SHARED) return 0;
  return shared / new Set([...a, ...b]).size;
}

/**
 * A model's name without the `-Input`/`-Output` suffix pydantic adds when a model has two schemas.
 * @param {string} name
 */
const baseName = (name) => name.replace(/-(Input|Output)$/, '');

/**
 * @param {Shape} shape
 */
const isObject = (shape) => shape.kind === 'fields' || shape.kind === 'object';

/**
 * A function that writes, in snapshot i, every old model name as the newest name of its lineage,
 * so that a rename alone does not read as a type change.
 * @param {ReturnType<typeof lineagesOf>} lineages
 * @param {number} i
 * @returns {(name: string) => string}
 */
function renamerAt(lineages, i) {
  /** @type {Map<string, { name: string, renames: number }>} */
  const map = new Map();
  for (const [newestName, lineage] of lineages) {
    const old = lineage.names[i];
    if (!old || old === newestName || lineages.has(old)) continue;
    // an old model several new ones descend from (a split) is written as the closest of them
    const known = map.get(old);
    if (!known || lineage.renames.length < known.renames)
      map.set(old, { name: newestName, renames: lineage.renames.length });
  }
  return (name) => map.get(name)?.name ?? (lineages.has(name) ? name : baseName(name));
}

/**
 * The index of the first snapshot of the run that ends at the newest and where `present` holds
 * throughout.
 * @param {number} n
 * @param {(i: number) => boolean} present
 */
function firstOfRun(n, present) {
  let i = n - 1;
  while (i > 0 && present(i - 1)) i--;
  return i;
}

/**
 * @param {Snapshot[]} chain
 * @param {number} i
 */
const dateOf = (chain, i) => /** @type {Snapshot} */ (chain[i]).date;

/**
 * The type changes along a run. A reference to an enum, union or record model is compared by what
 * it names, so that naming an inline type is not a change; objects are written `object`.
 * @param {Snapshot[]} chain
 * @param {number} from
 * @param {(i: number) => Shape | undefined} shapeAt
 * @param {(i: number) => (name: string) => string} renameAt
 * @returns {TypeChange[]}
 */
function changesOf(chain, from, shapeAt, renameAt) {
  /** @type {TypeChange[]} */
  const changes = [];
  /** @type {{ shape: Shape, opened: Shape, text: string } | undefined} */
  let previous;
  const last = chain.length - 1;
  const newestShape = shapeAt(last);
  const newest = newestShape && openAliases(renameRefs(newestShape, renameAt(last)), chain[last]?.models ?? new Map(), renameAt(last));
  for (let i = from; i < chain.length; i++) {
    const raw = shapeAt(i);
    if (!raw) continue;
    const rename = renameAt(i);
    const shape = renameRefs(raw, rename);
    const models = /** @type {Snapshot} */ (chain[i]).models;
    const opened = openAliases(shape, models, rename);
    const text = changeText(opened);
    // a change of a model this field names (an enum that gained a value, an object that became a
    // union) is that model's change, listed under it; here only what the field itself says counts
    if (previous && previous.text !== text && changeText(previous.shape) !== changeText(shape)) {
      /** @type {TypeChange} */
      const change = {
        date: dateOf(chain, i),
        from: changeText(previous.shape),
        to: changeText(shape),
        accepted: accepts(opened, previous.opened),
        newestAccepts: newest !== undefined && accepts(newest, previous.opened),
      };
      changes.push(unionDelta(change, previous.opened, opened));
    }
    previous = { shape, opened, text };
  }
  return changes;
}

/**
 * A type's text for a change entry: objects are written `object` (their fields have their own history).
 * @param {Shape} shape
 */
function changeText(shape) {
  return shape.kind === 'fields' ? 'object' : shapeText(shape);
}

/**
 * For a change between two unions, the members added and removed instead of both whole texts.
 * @param {TypeChange} change
 * @param {Shape} before
 * @param {Shape} after
 * @returns {TypeChange}
 */
function unionDelta(change, before, after) {
  if (before.kind !== 'union' || after.kind !== 'union') return change;
  const a = before.members.map(shapeText);
  const b = after.members.map(shapeText);
  return {
    date: change.date,
    added: b.filter((t) => !a.includes(t)),
    removed: a.filter((t) => !b.includes(t)),
    accepted: change.accepted,
    newestAccepts: change.newestAccepts,
  };
}

/**
 * The shape with references to enum, union and record models replaced by what they name (one level).
 * @param {Shape} shape
 * @param {Map<string, Shape>} models
 * @param {(name: string) => string} rename
 * @returns {Shape}
 */
function openAliases(shape, models, rename) {
  const members = shape.kind === 'union' ? shape.members : [shape];
  /** @type {Map<string, string>} */
  const newestOf = new Map();
  for (const name of models.keys()) newestOf.set(rename(name), name);
  return unionOf(
    members.map((m) => {
      if (m.kind !== 'ref') return m;
      const target = models.get(newestOf.get(m.name) ?? m.name);
      return target && target.kind !== 'fields' && target.kind !== 'object' ? renameRefs(target, rename) : m;
    }),
  );
}

/**
 * The stretches before a field's run in which it was missing although it had been there before:
 * each from the first snapshot without it until the next one with it.
 * @param {Snapshot[]} chain
 * @param {number} first the model's first snapshot
 * @param {number} from the field's run's first snapshot
 * @param {(i: number) => boolean} present
 * @returns {{ from: string, until: string }[]}
 */
function gapsOf(chain, first, from, present) {
  /** @type {{ from: string, until: string }[]} */
  const gaps = [];
  let seen = false;
  /** @type {number | undefined} */
  let start;
  for (let i = first; i <= from; i++) {
    if (present(i)) {
      if (start !== undefined) gaps.push({ from: dateOf(chain, start), until: dateOf(chain, i) });
      start = undefined;
      seen = true;
    } else if (seen && start === undefined) start = i;
  }
  return gaps;
}

/**
 * Fields an earlier self of the model had that the newest lacks, with the first snapshot after
 * their last one.
 * @param {Snapshot[]} chain
 * @param {number} first
 * @param {(i: number) => Shape | undefined} at
 * @param {Set<string>} kept
 * @returns {Record<string, string>}
 */
function removedFields(chain, first, at, kept) {
  /** @type {Record<string, string>} */
  const removed = {};
  for (let i = chain.length - 2; i >= first; i--) {
    const shape = at(i);
    if (shape?.kind !== 'fields') continue;
    for (const field of Object.keys(shape.fields))
      if (!kept.has(field) && !(field in removed)) removed[field] = dateOf(chain, i + 1);
  }
  return Object.fromEntries(Object.keys(removed).sort().map((k) => [k, /** @type {string} */ (removed[k])]));
}
