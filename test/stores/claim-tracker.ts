/**
 * The claim a handler's context carries (`context.claim`), for `commitWith`. Where the router does
 * not put it there, the claim is found by watching the store: the token of this process's last
 * successful claim of the key. Free of test-runner imports: the child servers use it too.
 */
import type { ClaimCarrier } from '../../src/stores/claim';
import type { IdempotencyStore } from '../../src/stores/types';

/** Wraps `store` to remember its claims; `claimOf(context)` gives the handler's claim. */
export function claimTracker<S extends IdempotencyStore>(store: S, namespace = 'polar', doneTtlMs = 60_000) {
  const tokens = new Map<string, string>();
  const tracked: S = {
    ...store,
    async claim(key: string, token: string, leaseMs: number) {
      const result = await store.claim(key, token, leaseMs);
      if (result === 'claimed') tokens.set(key, token);
      return result;
    },
  };
  return {
    store: tracked,
    claimOf(context: { readonly id: string }): ClaimCarrier {
      const { id } = context;
      const carried = (context as Partial<ClaimCarrier>).claim;
      if (carried !== undefined) return { id, claim: carried };
      const key = `${namespace}:${id}`;
      const token = tokens.get(key);
      return { id, claim: token === undefined ? undefined : { key, token, doneTtlMs } };
    },
  };
}
