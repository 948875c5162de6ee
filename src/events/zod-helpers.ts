/**
 * Two helpers the generated schemas are built with.
 *
 * {@link openUnion}: a zod schema for Polar's tagged unions (benefits, prices, customers, grants...) that stays open:
 * the tag picks exactly one branch (so a broken payload gets that branch's precise issues, never a
 * vague "no union member matched"), and a tag this version does not know falls back to the fields
 * every branch shares instead of rejecting the event. Polar adds benefit types, price types and
 * the like over time; a receiver must keep accepting them.
 *
 * @module
 */
import { z } from 'zod/v4';

/** How an {@link openUnion} chooses its branch. */
export interface OpenUnionOptions {
  /**
   * Where the tag lives: a property name (`'type'`) or a path into a nested object
   * (`['benefit', 'type']`).
   */
  readonly discriminator: string | readonly string[];
  /**
   * A boolean property that splits one tag into two families: when `input[flag] === true` the
   * branch is looked up as `` `${flag}:${tag}` `` first (legacy recurring prices carry `legacy: true`
   * and reuse the `amount_type` values of current prices); if that branch rejects the value but the
   * plain `tag` branch accepts it, the value is accepted.
   */
  readonly flag?: string;
  /** Tag value (or `flag:tag`) → the schema of that branch. */
  readonly options: Readonly<Record<string, z.ZodType>>;
  /**
   * Maps the tag to a key of `options` before the lookup, for tags that name a range rather than
   * one branch (an API version this package does not know is read by the closest one it knows).
   */
  readonly select?: (tag: unknown) => string;
  /**
   * The schema for a tag no option names: the fields all branches share. Without it, an unknown
   * tag is an `invalid_value` issue at the discriminator's path.
   */
  readonly fallback?: z.ZodType;
}

type Internals = {
  parse(payload: z.core.ParsePayload, ctx: z.core.ParseContextInternal): z.core.util.MaybeAsync<z.core.ParsePayload>;
  run(payload: z.core.ParsePayload, ctx: z.core.ParseContextInternal): z.core.util.MaybeAsync<z.core.ParsePayload>;
};

interface OpenUnionDef extends z.core.$ZodUnionDef {
  openUnion: OpenUnionOptions;
}

type Result = z.core.util.MaybeAsync<z.core.ParsePayload>;

/** Carries a branch's result (value and issues) over to the payload the union was given. */
const adopt = (payload: z.core.ParsePayload, result: Result): Result => {
  if (result instanceof Promise) return result.then((r) => adopt(payload, r));
  payload.value = result.value;
  payload.issues.push(...result.issues);
  return payload;
};

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * Built on zod's own union (so introspection, `toJSONSchema`, `.optional()` and friends treat it as
 * the `anyOf` it is) with a parse that dispatches on the tag. Declared as a zod constructor so that
 * clones made by `.describe()`, `.refine()` or `.meta()` keep the dispatch.
 */
const ZodOpenUnion = /* @__PURE__ */ z.core.$constructor<z.ZodUnion, OpenUnionDef>('ZodOpenUnion', (inst, def) => {
  z.ZodUnion.init(inst, def);
  const { discriminator, flag, options, fallback, select } = def.openUnion;
  const path = typeof discriminator === 'string' ? [discriminator] : [...discriminator];
  const table = new Map<string, Internals>();
  for (const [key, schema] of Object.entries(options)) table.set(key, schema._zod as unknown as Internals);
  const fallbackInternals = fallback?._zod as unknown as Internals | undefined;
  const known = [...table.keys()];

  const tagOf = (input: Record<string, unknown>): unknown => {
    let node: unknown = input;
    for (const key of path) {
      if (!isObject(node)) return undefined;
      node = node[key];
    }
    return node;
  };

  (inst._zod as unknown as Internals).parse = (payload, ctx) => {
    const input = payload.value;
    if (!isObject(input)) {
      payload.issues.push({ code: 'invalid_type', expected: 'object', input, inst });
      return payload;
    }
    const tag = select ? select(tagOf(input)) : tagOf(input);
    const plain = typeof tag === 'string' ? table.get(tag) : undefined;
    const flagged = flag !== undefined && input[flag] === true ? table.get(`${flag}:${String(tag)}`) : undefined;
    if (flagged) {
      // the flag picks the family, but a value the other family accepts is still accepted
      const first = flagged.run({ value: input, issues: [] }, ctx);
      if (first instanceof Promise || first.issues.length === 0 || !plain) return adopt(payload, first);
      const second = plain.run({ value: input, issues: [] }, ctx);
      return adopt(payload, second instanceof Promise || second.issues.length === 0 ? second : first);
    }
    if (plain) return plain.run(payload, ctx);
    if (fallbackInternals) return fallbackInternals.run(payload, ctx);
    payload.issues.push({ code: 'invalid_value', values: known, input: tag, path, inst });
    return payload;
  };
});

/**
 * Create an open tagged union. The result's static type is `T`, the union of the known branches:
 * narrowing on the tag keeps working in TypeScript, while at run time a value with a tag this
 * version does not know is validated by `fallback` and passed through with that tag.
 *
 * @example
 * ```ts
 * const Shape = openUnion<Circle | Square>({
 *   discriminator: 'kind',
 *   options: { circle: CircleSchema, square: SquareSchema },
 *   fallback: z.looseObject({ kind: z.string() }),
 * });
 * ```
 */
export function openUnion<T>(definition: OpenUnionOptions): z.ZodType<T> {
  const members = [
    ...new Set([...Object.values(definition.options), ...(definition.fallback ? [definition.fallback] : [])]),
  ];
  return new ZodOpenUnion({ type: 'union', options: members, openUnion: definition }) as unknown as z.ZodType<T>;
}

interface ClosestUnionDef extends z.core.$ZodUnionDef {
  closest: true;
}

/**
 * A union that reports, when no member accepts the value, the issues of the member that came
 * closest (the fewest issues; the first of those) instead of zod's `invalid_union`: what the
 * schemas of a model in every API version are combined with, so that `OrderSchema` accepts an
 * order of any version and still says precisely what is wrong with one that fits none.
 */
const ZodClosestUnion = /* @__PURE__ */ z.core.$constructor<z.ZodUnion, ClosestUnionDef>(
  'ZodClosestUnion',
  (inst, def) => {
    z.ZodUnion.init(inst, def);
    const members = def.options.map((option) => option._zod as unknown as Internals);
    (inst._zod as unknown as Internals).parse = (payload, ctx) => {
      let best: z.core.ParsePayload | undefined;
      for (const member of members) {
        const result = member.run({ value: payload.value, issues: [] }, ctx);
        if (result instanceof Promise) return adopt(payload, result);
        if (result.issues.length === 0) return adopt(payload, result);
        if (!best || result.issues.length < best.issues.length) best = result;
      }
      return best ? adopt(payload, best) : payload;
    };
  },
);

/**
 * Combine the schemas of one model in several API versions: accepted when any accepts, and
 * explained by the closest when none does.
 */
export function closestOf<T>(members: readonly z.ZodType[]): z.ZodType<T> {
  return new ZodClosestUnion({ type: 'union', options: [...members], closest: true }) as unknown as z.ZodType<T>;
}

/**
 * Give a schema its interface type after checking, at compile time, that the schema's output is
 * assignable to it. Checking against zod's small core type keeps type-checking the ~200 generated
 * schemas fast; the result is the full classic `ZodType<T>` with `.parse()` and friends.
 */
export function typed<T>(schema: z.core.$ZodType<T>): z.ZodType<T> {
  return schema as unknown as z.ZodType<T>;
}
