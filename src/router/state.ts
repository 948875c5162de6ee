/**
 * What every step of a router's pipeline reads: its settings, its handlers, and the little it
 * remembers between deliveries.
 *
 * @module
 */
import type { ReportFailures } from './dispatch';
import type { RouterConfig } from './options';
import type { Registry } from './registry';

/** One router's shared state. */
export interface RouterState {
  /** The checked options. */
  readonly config: RouterConfig;
  /** The registered handlers. */
  readonly registry: Registry;
  /** Reports failures to the `onError` handlers, or logs them. */
  readonly report: ReportFailures;
  /** Unknown event types already warned about (bounded), for the warn-once rule. */
  readonly warnedTypes: Set<string>;
}
