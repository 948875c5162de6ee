// @ts-check
// Reads models out of JSON Schema: an OpenAPI document's `components.schemas`, or the `$defs` of one
// of our per-version schemas.
import { shapeOfSchema } from './type-shape.mjs';

/** @typedef {import('./type-shape.mjs').Shape} Shape */

/**
 * The models of a set of named schemas, as shapes.
 * @param {Record<string, unknown>} schemas
 * @returns {Map<string, Shape>}
 */
export function modelsOfSchemas(schemas) {
  /** @type {Map<string, Shape>} */
  const models = new Map();
  for (const [name, schema] of Object.entries(schemas)) models.set(name, shapeOfSchema(schema));
  return models;
}
