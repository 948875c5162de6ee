// @ts-check
// Polar's generated models for one API version, as @polar-sh/sdk ships them: the package's source
// maps carry `src/<version>/models.ts` and `src/<version>/webhooks.ts` in `sourcesContent`.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import ts from 'typescript';

/**
 * One declaration of the SDK's models.
 * @typedef {object} SdkDeclaration
 * @property {string} name
 * @property {ts.InterfaceDeclaration | ts.TypeAliasDeclaration} node
 * @property {string | undefined} doc its JSDoc text
 */

/**
 * The SDK's models of one API version.
 * @typedef {object} SdkModels
 * @property {string} version
 * @property {string} packageVersion
 * @property {string} sha256 of models.ts and webhooks.ts, concatenated
 * @property {Map<string, SdkDeclaration>} declarations
 * @property {string[]} payloads the `Webhook…Payload` interfaces, in the order webhooks.ts declares them
 */

/**
 * Reads the SDK's models of one API version from an installed @polar-sh/sdk.
 * @param {string} packageDir e.g. node_modules/@polar-sh/sdk
 * @param {string} version e.g. 2026-04
 * @returns {SdkModels}
 */
export function readSdkModels(packageDir, version) {
  const manifest = JSON.parse(readFileSync(join(packageDir, 'package.json'), 'utf8'));
  const map = JSON.parse(readFileSync(join(packageDir, 'dist', version, 'index.mjs.map'), 'utf8'));
  /** @param {string} file */
  const source = (file) => {
    const i = map.sources.findIndex((/** @type {string} */ s) => s.endsWith(`src/${version}/${file}`));
    if (i < 0 || typeof map.sourcesContent?.[i] !== 'string')
      throw new Error(`@polar-sh/sdk ${manifest.version}: no src/${version}/${file} in dist/${version}/index.mjs.map`);
    return /** @type {string} */ (map.sourcesContent[i]);
  };
  const models = source('models.ts');
  const webhooks = source('webhooks.ts');
  /** @type {Map<string, SdkDeclaration>} */
  const declarations = new Map();
  /** @type {string[]} */
  const payloads = [];
  for (const [file, text] of /** @type {[string, string][]} */ ([
    ['models.ts', models],
    ['webhooks.ts', webhooks],
  ])) {
    const sourceFile = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true, ts.ScriptKind.TS);
    for (const statement of sourceFile.statements) {
      if (!ts.isInterfaceDeclaration(statement) && !ts.isTypeAliasDeclaration(statement)) continue;
      const name = statement.name.text;
      declarations.set(name, { name, node: statement, doc: docOf(statement) });
      if (file === 'webhooks.ts' && ts.isInterfaceDeclaration(statement) && /^Webhook\w+Payload$/.test(name))
        payloads.push(name);
    }
  }
  return {
    version,
    packageVersion: manifest.version,
    sha256: createHash('sha256').update(models).update(webhooks).digest('hex'),
    declarations,
    payloads,
  };
}

/**
 * The declarations the given ones refer to, transitively (themselves included).
 * @param {SdkModels} sdk
 * @param {string[]} roots
 * @returns {Set<string>}
 */
export function reachableDeclarations(sdk, roots) {
  /** @type {Set<string>} */
  const seen = new Set();
  const queue = [...roots];
  /** @param {ts.Node} node */
  const visit = (node) => {
    if (ts.isTypeReferenceNode(node) && ts.isIdentifier(node.typeName) && sdk.declarations.has(node.typeName.text))
      queue.push(node.typeName.text);
    ts.forEachChild(node, visit);
  };
  while (queue.length > 0) {
    const name = /** @type {string} */ (queue.pop());
    const decl = sdk.declarations.get(name);
    if (seen.has(name) || !decl) continue;
    seen.add(name);
    visit(decl.node);
  }
  return seen;
}

/**
 * The JSDoc text of a declaration or member, if it has one.
 * @param {ts.Node} node
 * @returns {string | undefined}
 */
export function docOf(node) {
  const docs = ts.getJSDocCommentsAndTags(node).filter(ts.isJSDoc);
  const last = docs[docs.length - 1];
  const text = last ? ts.getTextOfJSDocComment(last.comment) : undefined;
  return text?.trim() || undefined;
}
