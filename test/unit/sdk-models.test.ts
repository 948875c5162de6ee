/**
 * A differential against Polar's own newest models, per API version: every property that
 * `@polar-sh/sdk@1.0.1` declares on a webhook payload (and on everything a payload holds, read from
 * its generated `models.ts` and `webhooks.ts` in `dist/<version>/index.mjs.map`) must exist in our
 * types for that version, with a type that accepts what the SDK's does. Each difference is listed
 * below with its reason; one without a reason fails the test.
 */
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

import ts from 'typescript';
import { describe, expect, it } from 'vitest';

import { API_VERSIONS, type PolarApiVersion } from '../../src/events/api-version';
import { requiredByHistory, ROOT, specOf } from '../helpers/event-data';

/** A difference between the SDK's model and ours, as `Model.property: what`. */
type Difference = string;

/**
 * Differences with a reason other than the history (those are checked against the history itself).
 * Keyed by version; `*` applies to every version.
 */
const TUPLE =
  "the SDK types JSON Schema tuples as `unknown[]`; Polar's OpenAPI document (prefixItems) says what the tuple holds";
const EXPLAINED: Record<string, Record<Difference, string>> = {
  '*': Object.fromEntries(
    [
      'CustomerIndividual',
      'CustomerStateIndividual',
      'CustomerStateTeam',
      'CustomerTeam',
      'OrderCustomer',
      'SubscriptionCustomer',
    ].map((model) => [`${model}.tax_id: unknown[] | null is not accepted by [string, TaxIDFormat] | null`, TUPLE]),
  ),
  '2027-01': Object.fromEntries(
    [
      'ProductPriceSeatBased.seat_tiers: missing',
      'ProductPriceSeatTier: no such model',
      'ProductPriceSeatTiersOutput: no such model',
    ].map((difference) => [
      difference,
      'a newer source: in 2027-01 seat-based prices carry `tiers`, `minimum_units` and `maximum_units` instead of ' +
        "`seat_tiers` (Polar's 2027-01 OpenAPI document, applied over the SDK's models)",
    ]),
  ),
};

const SDK_DIST = join(ROOT, 'node_modules', '@polar-sh', 'sdk', 'dist');

/** The SDK's own sources for a version, from its source map. */
function sdkSources(version: string): { models: string; webhooks: string } {
  const map = JSON.parse(readFileSync(join(SDK_DIST, version, 'index.mjs.map'), 'utf8')) as {
    sources: string[];
    sourcesContent: string[];
  };
  const of = (name: string) => {
    const i = map.sources.findIndex((s) => s.endsWith(`/${version}/${name}`));
    if (i < 0) throw new Error(`no ${name} in the ${version} source map`);
    return map.sourcesContent[i]!;
  };
  return { models: of('models.ts'), webhooks: of('webhooks.ts') };
}

/** One program holding the SDK's models of every version (written to a scratch folder) and our generated types. */
function buildProgram() {
  const dir = mkdtempSync(join(tmpdir(), 'polar-webhooks-sdk-models-'));
  const write = (path: string, text: string) => {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), text);
  };
  // what the SDK's webhooks.ts imports beside its models, reduced to declarations
  write(
    'webhooks.ts',
    [
      'export declare function validateWebhook<T>(...args: unknown[]): Promise<T>;',
      'export declare class PolarWebhookError extends Error {}',
      'export declare class PolarWebhookUnknownTypeError extends Error {}',
      'export declare class PolarWebhookVerificationError extends Error {}',
    ].join('\n'),
  );
  for (const version of API_VERSIONS) {
    const { models, webhooks } = sdkSources(version);
    write(`${version}/models.ts`, models);
    write(`${version}/webhooks.ts`, webhooks);
  }
  const ours = join(ROOT, 'src', 'events', 'generated', 'types');
  write(
    'probe.ts',
    [
      `import type { PolarWebhookEventMapByVersion } from ${JSON.stringify(ours)};`,
      ...API_VERSIONS.map(
        (v) =>
          `export type Ours_${v.replace('-', '_')} = PolarWebhookEventMapByVersion['${v}'];\n` +
          `export type { WebhookPayload as Sdk_${v.replace('-', '_')} } from './${v}/webhooks';`,
      ),
    ].join('\n'),
  );
  const options: ts.CompilerOptions = {
    target: ts.ScriptTarget.ES2022,
    module: ts.ModuleKind.ESNext,
    moduleResolution: ts.ModuleResolutionKind.Bundler,
    strict: true,
    noEmit: true,
    skipLibCheck: true,
    types: [],
  };
  const program = ts.createProgram([join(dir, 'probe.ts')], options);
  const probe = program.getSourceFile(join(dir, 'probe.ts'))!;
  const problems = ts.getPreEmitDiagnostics(program, probe);
  if (problems.length > 0) throw new Error(ts.flattenDiagnosticMessageText(problems[0]!.messageText, '\n'));
  return { program, checker: program.getTypeChecker(), probe };
}

const { checker, probe } = buildProgram();
const exported = (name: string): ts.Type => {
  const symbol = checker.getSymbolAtLocation(probe)!.exports!.get(name as ts.__String)!;
  const target = symbol.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(symbol) : symbol;
  return checker.getDeclaredTypeOfSymbol(target);
};

/** Our model names drop the version suffix (`Order_2026_10` → `Order`) and any non-identifier character. */
const modelName = (type: ts.Type): string | undefined => {
  const symbol = type.aliasSymbol ?? type.getSymbol();
  if (!symbol || symbol.flags & ts.SymbolFlags.TypeLiteral) return undefined;
  const name = symbol.getName();
  if (name === '__type' || name === 'Array' || name === 'Record') return undefined;
  return name.replace(/_\d{4}_\d{2}$/, '');
};

const isObjectType = (type: ts.Type) => (type.flags & ts.TypeFlags.Object) !== 0;

/** Every named object type reachable from `root`, by model name. */
function reachable(root: ts.Type): Map<string, ts.Type> {
  const found = new Map<string, ts.Type>();
  const seen = new Set<ts.Type>();
  const visit = (type: ts.Type): void => {
    if (seen.has(type)) return;
    seen.add(type);
    if (type.isUnion() || type.isIntersection()) return type.types.forEach(visit);
    if (!isObjectType(type)) return;
    if (checker.isArrayType(type)) return checker.getTypeArguments(type as ts.TypeReference).forEach(visit);
    const index = checker.getIndexInfosOfType(type);
    for (const info of index) visit(info.type);
    const name = modelName(type);
    const properties = checker.getPropertiesOfType(type);
    if (name && properties.length > 0 && !found.has(name)) found.set(name, type);
    for (const property of properties) visit(checker.getTypeOfSymbol(property));
  };
  visit(root);
  return found;
}

/** What a property's type holds, with named object types as names (compared on their own). */
function leaves(type: ts.Type): { primitives: ts.Type[]; names: Set<string>; structural: ts.Type[] } {
  const primitives: ts.Type[] = [];
  const names = new Set<string>();
  const structural: ts.Type[] = [];
  const visit = (t: ts.Type): void => {
    if (t.flags & ts.TypeFlags.Undefined) return;
    if (t.isUnion()) return t.types.forEach(visit);
    if (isObjectType(t) && !checker.isArrayType(t)) {
      const name = modelName(t);
      if (name && checker.getPropertiesOfType(t).length > 0) names.add(name);
      else structural.push(t);
      return;
    }
    if (checker.isArrayType(t)) {
      structural.push(t);
      return;
    }
    primitives.push(t);
  };
  visit(type);
  return { primitives, names, structural };
}

/**
 * Whether our property type accepts every value the SDK's does: primitives by assignability, named
 * models by name (each compared on its own), arrays and records element by element.
 */
function accepts(sdk: ts.Type, ours: ts.Type, depth = 0): boolean {
  if (depth > 4) return true;
  const a = leaves(sdk);
  const b = leaves(ours);
  const oursPrimitive = b.primitives;
  for (const p of a.primitives) {
    if (!oursPrimitive.some((q) => checker.isTypeAssignableTo(p, q))) return false;
  }
  for (const name of a.names) if (!b.names.has(name)) return false;
  for (const s of a.structural) {
    if (checker.isArrayType(s)) {
      const element = checker.getTypeArguments(s as ts.TypeReference)[0]!;
      const match = b.structural.find((o) => checker.isArrayType(o));
      if (!match || !accepts(element, checker.getTypeArguments(match as ts.TypeReference)[0]!, depth + 1)) return false;
    } else {
      const sdkIndex = checker.getIndexInfosOfType(s)[0];
      const match = b.structural.find((o) => !checker.isArrayType(o));
      if (!match) return false;
      const ourIndex = checker.getIndexInfosOfType(match)[0];
      if (sdkIndex && ourIndex && !accepts(sdkIndex.type, ourIndex.type, depth + 1)) return false;
    }
  }
  return true;
}

function differences(version: PolarApiVersion): { found: Difference[]; compared: number } {
  const key = version.replace('-', '_');
  const sdk = reachable(exported(`Sdk_${key}`));
  const ours = reachable(exported(`Ours_${key}`));
  const found: Difference[] = [];
  let compared = 0;
  for (const [name, sdkType] of [...sdk].sort(([a], [b]) => (a < b ? -1 : 1))) {
    const ourType = ours.get(name);
    if (!ourType) {
      found.push(`${name}: no such model`);
      continue;
    }
    for (const property of checker.getPropertiesOfType(sdkType)) {
      compared += 1;
      const field = property.getName();
      const mine = checker.getPropertyOfType(ourType, field);
      if (!mine) {
        found.push(`${name}.${field}: missing`);
        continue;
      }
      const sdkOptional = (property.flags & ts.SymbolFlags.Optional) !== 0;
      const ourOptional = (mine.flags & ts.SymbolFlags.Optional) !== 0;
      if (sdkOptional && !ourOptional) found.push(`${name}.${field}: required here, optional in the SDK`);
      if (!sdkOptional && ourOptional) found.push(`${name}.${field}: optional here`);
      if (!accepts(checker.getTypeOfSymbol(property), checker.getTypeOfSymbol(mine))) {
        found.push(
          `${name}.${field}: ${checker.typeToString(checker.getTypeOfSymbol(property))} is not accepted by ` +
            checker.typeToString(checker.getTypeOfSymbol(mine)),
        );
      }
    }
  }
  return { found, compared };
}

describe.each(API_VERSIONS)("@polar-sh/sdk 1.0.1's %s models against ours", (version) => {
  const { found, compared } = differences(version);
  const spec = specOf(version);
  const explained = { ...EXPLAINED['*'], ...EXPLAINED[version] };
  // our type names drop what is not an identifier from the spec's names (`…Tiers-Output`)
  const defName = new Map(Object.keys(spec.$defs).map((name) => [name.replace(/[^A-Za-z0-9_]/g, ''), name]));

  it('compares hundreds of properties of every model a payload holds', () => {
    expect(compared).toBeGreaterThan(1500);
  });

  it('every difference has its reason', () => {
    const unexplained = found.filter((difference) => {
      if (explained[difference]) return false;
      const optional = /^(\w+)\.(\w+): optional here$/.exec(difference);
      if (optional) {
        // optional by history: the spec requires it, older events lack it
        const model = defName.get(optional[1]!) ?? optional[1]!;
        const field = optional[2]!;
        const specRequired = (spec.$defs[model]?.required ?? []).includes(field);
        return !(specRequired && !requiredByHistory(version, model, field));
      }
      return true;
    });
    expect(unexplained).toEqual([]);
  });

  it('the reasons listed still apply (no stale entry)', () => {
    for (const difference of Object.keys(EXPLAINED[version] ?? {})) expect(found).toContain(difference);
  });
});
