/**
 * Heap stability: many validations, mixing payloads, secrets of both schemes, a rotation list, a
 * hundred tenants' secrets, the sync and async entry points and some rejected deliveries, must
 * leave the heap (after full GCs) where it was after a warm-up of the same mix.
 */
import { keyOf, legacyPolarSecret, legacyWhsecSecret, signedHeaders, standardSecret } from './deliveries.mjs';

/** Distinct tenant secrets in the mix. */
const TENANTS = 100;

function collect() {
  // Several passes: weak references and finalizers can need more than one to let go.
  for (let i = 0; i < 4; i++) globalThis.gc();
  return process.memoryUsage();
}

/**
 * Builds the mix: for each secret setup and payload, a few valid deliveries; every tenth delivery
 * carries a wrong signature and must be rejected.
 */
function deliveries(payloads) {
  const standard = standardSecret('memory standard');
  const polar = legacyPolarSecret('memory polar');
  const whsec = legacyWhsecSecret('memory whsec');
  const rotatedOld = standardSecret('memory rotated old');
  const rotatedNew = standardSecret('memory rotated new');
  const setups = [
    { secret: standard, key: keyOf(standard, 'standard') },
    { secret: polar, key: keyOf(polar, 'legacy') },
    { secret: whsec, key: keyOf(whsec, 'legacy') },
    { secret: [rotatedNew, rotatedOld], key: keyOf(rotatedOld, 'standard') },
  ];
  const wrongKey = keyOf(standardSecret('memory wrong'), 'standard');
  const list = [];
  let n = 0;
  setups.forEach((setup, s) => {
    for (const payload of payloads) {
      // Weighted like real traffic: small events often, the large state rarely (half of the setups, once).
      const copies = payload.large ? s % 2 : payload.bytes > 4096 ? 3 : 6;
      for (let c = 0; c < copies; c++) {
        const forged = n % 10 === 9;
        const id = `msg_mem_${n++}`;
        const headers = signedHeaders(forged ? wrongKey : setup.key, payload.body, id);
        list.push({ body: payload.body, headers, secret: setup.secret, forged });
      }
    }
  });
  // A multi-tenant receiver: more distinct secrets than any per-process key cache should keep.
  const small = payloads.find((p) => !p.large && p.bytes <= 4096) ?? payloads[0];
  for (let t = 0; t < TENANTS; t++) {
    const secret = standardSecret(`memory tenant ${t}`);
    const headers = signedHeaders(keyOf(secret, 'standard'), small.body, `msg_mem_${n++}`);
    list.push({ body: small.body, headers, secret, forged: false });
  }
  return list;
}

function run(lib, mix, count) {
  return (async () => {
    let rejected = 0;
    for (let i = 0; i < count; i++) {
      const d = mix[i % mix.length];
      try {
        if (i % 2 === 0) lib.validateEvent(d.body, d.headers, d.secret);
        else await lib.validateEventAsync(d.body, d.headers, d.secret);
        if (d.forged) throw new Error('a forged delivery was accepted');
      } catch (error) {
        if (!d.forged || error?.code !== 'no_matching_signature') throw error;
        rejected++;
      }
    }
    return rejected;
  })();
}

/**
 * Runs `count` validations after a warm-up, and reports the heap before and after.
 *
 * @param lib - The built package's main entry.
 * @param payloads - `{ body, bytes, large }` for each payload.
 */
export async function heapAfterValidations(lib, payloads, count) {
  const mix = deliveries(payloads);
  await run(lib, mix, Math.min(count, 5000));
  const before = collect();
  const started = process.hrtime.bigint();
  const rejected = await run(lib, mix, count);
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  const after = collect();
  return {
    validations: count,
    rejected,
    seconds,
    heapBefore: before.heapUsed,
    heapAfter: after.heapUsed,
    heapDelta: after.heapUsed - before.heapUsed,
    rssBefore: before.rss,
    rssAfter: after.rss,
  };
}
