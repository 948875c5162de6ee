/**
 * Adapter overhead: requests per second of polar-webhooks/express against a bare Express 5 route
 * (express.raw() then 202), both under autocannon on 127.0.0.1, in interleaved time-bounded runs.
 * A third server, the least a verifying Express route does (HMAC, decode, JSON.parse), shows how
 * much of the gap any correct receiver pays.
 */
import autocannon from 'autocannon';
import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { median } from './measure.mjs';

const SERVER = fileURLToPath(new URL('./server.mjs', import.meta.url));
const SIDES = ['bare', 'floor', 'ours'];

function startServer(config) {
  const child = fork(SERVER, [], { execArgv: [], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const errors = [];
  child.on('message', (message) => {
    if (message?.error) errors.push(message.error);
  });
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (code) => reject(new Error(`the ${config.kind} server exited early (code ${code})`)));
    child.on('message', function onListening(message) {
      if (message?.listening === undefined) return;
      child.off('message', onListening);
      resolve({ child, port: message.listening, errors });
    });
    child.send(config);
  });
}

/** Asks a server for its handled count and CPU time so far. */
function report(child) {
  return new Promise((resolve) => {
    child.on('message', function onAnswer(message) {
      if (message?.report === undefined) return;
      child.off('message', onAnswer);
      resolve(message.report);
    });
    child.send({ report: true });
  });
}

function stop(child) {
  return new Promise((resolve) => {
    child.removeAllListeners('exit');
    child.once('exit', () => resolve());
    child.send({ stop: true });
    setTimeout(() => child.kill(), 2000).unref();
  });
}

function load(port, request, seconds, connections) {
  return autocannon({
    url: `http://127.0.0.1:${port}/webhooks`,
    method: 'POST',
    headers: request.headers,
    body: request.body,
    connections,
    pipelining: 1,
    duration: seconds,
  });
}

function check(result, who) {
  const accepted = result['2xx'];
  if (result.errors > 0 || result.timeouts > 0 || result.non2xx > 0 || accepted === 0) {
    throw new Error(
      `${who}: ${accepted} accepted, ${result.non2xx} non-2xx, ${result.errors} errors, ${result.timeouts} timeouts: ` +
        'the comparison only counts when every request succeeds.',
    );
  }
  return { rps: accepted / result.duration, accepted };
}

function spread(values) {
  return { median: median(values), min: Math.min(...values), max: Math.max(...values) };
}

/**
 * Runs the comparison.
 *
 * @param {object} options
 * @param {string} options.index - Specifier of the package's main entry (as the server should import it).
 * @param {string} options.express - Specifier of its Express entry.
 * @param {string} options.secret - The endpoint secret.
 * @param {string} options.key - The HMAC key the secret yields (base64), for the floor server.
 * @param {() => { headers: Record<string, string>, body: string }} options.request - A freshly signed order.paid request.
 * @param {number} options.rounds - Runs per side.
 * @param {number} options.seconds - Duration of each run.
 * @param {number} options.warmSeconds - Unmeasured run per side first.
 * @param {number} options.connections - Concurrent connections.
 */
export async function compareExpress({
  index,
  express,
  secret,
  key,
  request,
  rounds,
  seconds,
  warmSeconds,
  connections,
}) {
  const servers = {
    bare: await startServer({ kind: 'bare' }),
    floor: await startServer({ kind: 'floor', key }),
    ours: await startServer({ kind: 'ours', secret, index, express }),
  };
  try {
    // One request each, checked by hand, before any load: each must answer 202 and count it.
    for (const side of SIDES) {
      const { headers, body } = request();
      const response = await fetch(`http://127.0.0.1:${servers[side].port}/webhooks`, {
        method: 'POST',
        headers,
        body,
      });
      const text = await response.text();
      if (response.status !== 202) throw new Error(`${side} answered ${response.status} ${text}`);
      if ((await report(servers[side].child)).handled !== 1)
        throw new Error(`${side} answered 202 without handling the request`);
    }
    const warm = request();
    for (const side of SIDES) await load(servers[side].port, warm, warmSeconds, connections);
    const rps = { bare: [], floor: [], ours: [] };
    const cpu = { bare: [], floor: [], ours: [] };
    const totals = {
      bare: { accepted: 0, handled: 0 },
      floor: { accepted: 0, handled: 0 },
      ours: { accepted: 0, handled: 0 },
    };
    for (let r = 0; r < rounds; r++) {
      const signed = request();
      // Rotate who goes first, so no side always follows the same neighbour.
      const order = SIDES.map((_, i) => SIDES[(i + r) % SIDES.length]);
      for (const side of order) {
        const { child, port } = servers[side];
        const before = await report(child);
        const run = check(await load(port, signed, seconds, connections), side);
        const after = await report(child);
        rps[side].push(run.rps);
        cpu[side].push((after.cpu - before.cpu) / run.accepted);
        totals[side].accepted += run.accepted;
        totals[side].handled += after.handled - before.handled;
      }
    }
    // Every accepted request must have been handled: verified, parsed and dispatched, for ours.
    for (const side of SIDES) {
      if (totals[side].handled < totals[side].accepted) {
        throw new Error(`${side} accepted ${totals[side].accepted} requests but handled ${totals[side].handled}`);
      }
    }
    if (servers.ours.errors.length > 0)
      throw new Error(`handler errors: ${servers.ours.errors.slice(0, 3).join('; ')}`);
    const side = (name) => ({
      runs: rps[name],
      median: median(rps[name]),
      cpuUsPerRequest: median(cpu[name]),
      handled: totals[name].handled,
    });
    return {
      connections,
      secondsPerRun: seconds,
      rounds,
      bare: side('bare'),
      floor: side('floor'),
      ours: side('ours'),
      ratio: spread(rps.ours.map((x, i) => x / rps.bare[i])),
      floorRatio: spread(rps.floor.map((x, i) => x / rps.bare[i])),
    };
  } finally {
    await Promise.all(SIDES.map((name) => stop(servers[name].child)));
  }
}
