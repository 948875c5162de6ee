/**
 * The claim a delivery holds while its handlers run, as handlers see it: what a store needs to mark
 * the delivery done from inside the handler, in the same transaction as the handler's own writes
 * (`postgresStore(pool).commitWith(client, context)`).
 *
 * @module
 */

/** The idempotency claim of the delivery being handled (`context.claim`, with the `idempotency` option). */
export interface IdempotencyClaim {
  /** The key in the store: `<namespace>:<webhook-id>`. */
  readonly key: string;
  /** This attempt's token: only it can commit or release the claim. */
  readonly token: string;
  /** How long the done mark is to last, in milliseconds (the router's `idempotency.doneTtlMs`). */
  readonly doneTtlMs: number;
}

/** What carries a claim: the handler's `context`. */
export interface ClaimCarrier {
  /** The webhook id. */
  readonly id: string;
  /** The claim, set by the router when the `idempotency` option is on. */
  readonly claim?: IdempotencyClaim | undefined;
}
