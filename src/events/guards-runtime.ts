/**
 * The checks the generated guards (`./generated/guards.ts`) share, each deciding exactly as zod
 * does for the same input. A field check is one short call (`isStringOrNull(value.modified_at)`):
 * that keeps the generated code small, and engines inline such calls.
 *
 * @module
 */

/** A value the guards read properties of. */
export type GuardedObject = Record<string, unknown>;

/** What zod's objects accept: any object that is neither `null` nor an array. */
export function isObject(value: unknown): value is GuardedObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * What zod's records accept: an object (see {@link isObject}) with no constructor, a constructor
 * that is not a function, or one whose prototype is an object holding its own `isPrototypeOf`
 * (as `Object.prototype` does; class instances and `Date`s fail).
 */
export function isPlainObject(value: unknown): value is GuardedObject {
  if (!isObject(value)) return false;
  const ctor: unknown = value.constructor;
  if (ctor === undefined || typeof ctor !== 'function') return true;
  const prototype: unknown = ctor.prototype;
  return isObject(prototype) && Object.prototype.hasOwnProperty.call(prototype, 'isPrototypeOf');
}

/**
 * Whether `value` has an own enumerable symbol key: zod's records look at every own enumerable key
 * and reject a symbol one (its keys must be strings).
 */
export function hasEnumerableSymbol(value: object): boolean {
  const symbols = Object.getOwnPropertySymbols(value);
  for (let i = 0; i < symbols.length; i++) {
    if (Object.prototype.propertyIsEnumerable.call(value, symbols[i]!)) return true;
  }
  return false;
}

/** `z.string()`. */
export function isString(value: unknown): boolean {
  return typeof value === 'string';
}

/** `z.string().nullable()`. */
export function isStringOrNull(value: unknown): boolean {
  return value === null || typeof value === 'string';
}

/** `z.string().optional()`. */
export function isOptionalString(value: unknown): boolean {
  return value === undefined || typeof value === 'string';
}

/** `z.string().nullable().optional()`. */
export function isOptionalStringOrNull(value: unknown): boolean {
  return value === undefined || value === null || typeof value === 'string';
}

/** `z.number()`: a number that is neither NaN nor ±Infinity. */
export function isNumber(value: unknown): boolean {
  return Number.isFinite(value);
}

/** `z.number().nullable()`. */
export function isNumberOrNull(value: unknown): boolean {
  return value === null || Number.isFinite(value);
}

/** `z.number().optional()`. */
export function isOptionalNumber(value: unknown): boolean {
  return value === undefined || Number.isFinite(value);
}

/** `z.number().nullable().optional()`. */
export function isOptionalNumberOrNull(value: unknown): boolean {
  return value === undefined || value === null || Number.isFinite(value);
}

/** `z.boolean()`. */
export function isBoolean(value: unknown): boolean {
  return typeof value === 'boolean';
}

/** `z.boolean().nullable()`. */
export function isBooleanOrNull(value: unknown): boolean {
  return value === null || typeof value === 'boolean';
}

/** `z.boolean().optional()`. */
export function isOptionalBoolean(value: unknown): boolean {
  return value === undefined || typeof value === 'boolean';
}

/** `z.boolean().nullable().optional()`. */
export function isOptionalBooleanOrNull(value: unknown): boolean {
  return value === undefined || value === null || typeof value === 'boolean';
}

/** `z.looseObject({}).nullable()`. */
export function isObjectOrNull(value: unknown): boolean {
  return value === null || isObject(value);
}

/** `z.looseObject({}).optional()`. */
export function isOptionalObject(value: unknown): boolean {
  return value === undefined || isObject(value);
}

/** `z.looseObject({}).nullable().optional()`. */
export function isOptionalObjectOrNull(value: unknown): boolean {
  return value === undefined || value === null || isObject(value);
}
