/**
 * The options of the verifier: which names it knows, and the check that refuses the others.
 *
 * @module
 */
import { WebhookConfigurationError } from '../errors';
import { checkOptionNames } from '../option-names';

/** The option names `verifySignature` knows. */
export const VERIFY_OPTION_NAMES: ReadonlySet<string> = new Set(['scheme', 'tolerance', 'now']);

/**
 * Checks that `options` is an object holding only known option names (a misspelt `tolerence` would
 * otherwise leave the default in place, in silence).
 */
export function checkVerifyOptions(
  options: unknown,
  where: string,
  known: ReadonlySet<string> = VERIFY_OPTION_NAMES,
): void {
  if (options === null || typeof options !== 'object') {
    throw new WebhookConfigurationError(
      'invalid_option',
      `${where}: options must be an object (got ${options === null ? 'null' : typeof options}), or left out.`,
    );
  }
  checkOptionNames(options, known, where);
}
