// @ts-check
// The catalogue: the API versions, every event type, its data model and description. Plain data,
// no zod: the router and parseEvent read it on every delivery.
import { typeName } from './ir.mjs';
import { WIDTH, docComment, quote } from './text.mjs';

/**
 * @typedef {import('./versions.mjs').Merged} Merged
 * @typedef {import('./generate.mjs').Renderer} Renderer
 * @typedef {import('./generate.mjs').Events} Events
 */

/**
 * @param {Merged} merged
 * @param {Events} events
 * @returns {Renderer}
 */
export function createCatalogueRenderer(merged, events) {
  return {
    declaration() {
      // the catalogue is about event types, not declarations
    },
    lines() {
      const out = [];
      out.push(
        ...docComment([
          'The API versions Polar delivers webhooks in, oldest first. An endpoint created without a choice is on the ' +
            'first; events from before Polar versioned its webhooks carry no version and are read as the first too.',
        ]),
      );
      out.push(`export const API_VERSIONS = [${merged.versions.map(quote).join(', ')}] as const;`, '');

      out.push(...docComment(['Every event type Polar sends, as the specs list them (`x-event-types`).']));
      out.push('export const EVENT_TYPES = [');
      for (const [type] of events.all) out.push(`  ${quote(type)},`);
      out.push('] as const;', '');

      out.push(...docComment(['Event type → the name of the data model its `data` holds.']));
      out.push('export const EVENT_DATA_MODELS = {');
      for (const [type, data] of events.dataModels) out.push(`  ${quote(type)}: ${quote(typeName(data))},`);
      out.push('} as const;', '');

      out.push(...docComment(["Event type → what Polar says about it (the payload's description, first paragraph)."]));
      out.push('export const EVENT_DESCRIPTIONS: { readonly [K in (typeof EVENT_TYPES)[number]]: string } = {');
      for (const [type] of events.all) {
        const line = `  ${quote(type)}: ${quote(events.descriptions.get(type) ?? '')},`;
        if (line.length <= WIDTH) out.push(line);
        else out.push(`  ${quote(type)}:`, `    ${quote(events.descriptions.get(type) ?? '')},`);
      }
      out.push('};');
      return out;
    },
  };
}
