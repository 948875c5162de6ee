/**
 * One Express 5 server for the adapter-overhead comparison, run as a child process so that each
 * server has a core of its own and shares nothing (heap, JIT state, event loop) with the load
 * generator or with the other servers. Configured over IPC:
 *   { kind: 'bare' }                          express.raw() then 202, nothing else
 *   { kind: 'floor', key }                    express.raw(), HMAC + timingSafeEqual, UTF-8 decode,
 *                                             JSON.parse, then 202: the least a verifying route does
 *   { kind: 'ours', secret, index, express }  polar-webhooks/express, one no-op order.paid handler
 *                                             (index, express: the specifiers to import the package by)
 * Answers { listening: port }; on { report: true } answers { report: { handled, cpu } }: requests
 * handled and CPU microseconds (user + system) used so far, so the parent can tell the CPU cost of
 * each request.
 */
import express from 'express';
import { createHmac, timingSafeEqual } from 'node:crypto';

const ACCEPTED_BODY = '{"ok":true}';
const JSON_TYPE = 'application/json; charset=utf-8';

/** The answer every server gives, written the way the adapter writes it (no ETag, no res.send()). */
function accept(res) {
  res.statusCode = 202;
  res.setHeader('content-type', JSON_TYPE);
  res.end(ACCEPTED_BODY);
}

async function app(config) {
  const server = express();
  let handled = 0;
  const raw = express.raw({ type: '*/*', limit: '1mb' });
  if (config.kind === 'bare') {
    server.post('/webhooks', raw, (req, res) => {
      if (!(req.body instanceof Uint8Array)) throw new Error('express.raw() gave no body');
      handled++;
      accept(res);
    });
  } else if (config.kind === 'floor') {
    const key = Buffer.from(config.key, 'base64');
    server.post('/webhooks', raw, (req, res) => {
      const h = req.headers;
      const mac = createHmac('sha256', key)
        .update(`${h['webhook-id']}.${h['webhook-timestamp']}.`)
        .update(req.body)
        .digest();
      const expected = Buffer.from(String(h['webhook-signature']).slice(3), 'base64');
      if (mac.length !== expected.length || !timingSafeEqual(mac, expected)) {
        res.statusCode = 403;
        res.end();
        return;
      }
      if (JSON.parse(req.body.toString('utf8')).type !== 'order.paid') throw new Error('unexpected payload');
      handled++;
      accept(res);
    });
  } else {
    const { createWebhooks } = await import(config.index);
    const { createExpressMiddleware } = await import(config.express);
    const webhooks = createWebhooks({ secret: config.secret });
    webhooks.on('order.paid', () => {
      handled++;
    });
    webhooks.onError((error) => {
      process.send?.({ error: String(error) });
    });
    server.post('/webhooks', createExpressMiddleware(webhooks));
  }
  return { server, handledCount: () => handled };
}

process.once('message', async (config) => {
  const { server, handledCount } = await app(config);
  const listener = server.listen(0, '127.0.0.1', () => {
    process.send({ listening: listener.address().port });
  });
  process.on('message', (message) => {
    if (message?.report) {
      const { user, system } = process.cpuUsage();
      process.send({ report: { handled: handledCount(), cpu: user + system } });
    }
    if (message?.stop) listener.close(() => process.exit(0));
  });
});
