/**
 * The timing engine: every case is warmed up, calibrated to a batch of about `batchMs`, then
 * measured in interleaved rounds (each round runs every case once, in a shuffled order), so that
 * a slow moment on a shared machine hits all contenders alike instead of one of them.
 */

/** Keeps results alive so the engine cannot drop the work that made them. */
export let sink;

const now = () => process.hrtime.bigint();

/** A small seeded generator (mulberry32): the round orders are the same on every run. */
function random(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function shuffled(list, next) {
  const out = list.slice();
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(next() * (i + 1));
    [out[i], out[j]] = [out[j], out[i]];
  }
  return out;
}

/** Runs `n` calls and returns the nanoseconds per call. */
async function batch(c, n) {
  const fn = c.fn;
  const start = now();
  if (c.async) {
    for (let i = 0; i < n; i++) sink = await fn();
  } else {
    for (let i = 0; i < n; i++) sink = fn();
  }
  return Number(now() - start) / n;
}

/** Warms a case up for about `warmMs` and picks its batch size for `batchMs`. */
async function calibrate(c, warmMs, batchMs) {
  const deadline = now() + BigInt(Math.round(warmMs * 1e6));
  let n = 1;
  let perOp = 0;
  do {
    perOp = await batch(c, n);
    if (n < 1 << 20) n *= 2;
  } while (now() < deadline);
  c.iterations = Math.max(1, Math.round((batchMs * 1e6) / perOp));
}

/** The median of a list of numbers. */
export function median(values) {
  const sorted = values.slice().sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/** Median, min and max of a list of numbers. */
export function summary(values) {
  return { median: median(values), min: Math.min(...values), max: Math.max(...values) };
}

/**
 * Measures every case. Each case is `{ id, fn, async }`; on return it also has `iterations` and
 * `samples` (nanoseconds per call, one per round).
 *
 * @param {object} options
 * @param {number} options.rounds - How many interleaved rounds.
 * @param {number} options.batchMs - Target duration of one case's batch in one round.
 * @param {number} options.warmMs - Warm-up (and calibration) time per case.
 * @param {(round: number) => void} [options.beforeRound] - Called before each round (to re-sign deliveries).
 * @param {(round: number) => void} [options.afterRound] - Called after each round (progress).
 */
export async function measure(cases, { rounds, batchMs, warmMs, beforeRound, afterRound }) {
  for (const c of cases) {
    c.samples = [];
    await calibrate(c, warmMs, batchMs);
  }
  const next = random(0x5eed);
  for (let r = 0; r < rounds; r++) {
    beforeRound?.(r);
    for (const c of shuffled(cases, next)) c.samples.push(await batch(c, c.iterations));
    afterRound?.(r);
  }
  return cases;
}

/**
 * The ratio of two cases measured in the same rounds: the median of the per-round ratios (each
 * pair ran close together in time), with its min and max.
 */
export function pairedRatio(numerator, denominator) {
  const ratios = numerator.samples.map((value, i) => value / denominator.samples[i]);
  return summary(ratios);
}
