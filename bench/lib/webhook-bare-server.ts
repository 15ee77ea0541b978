/**
 * Bench baseline process: the SDK's own EventDispatcher (encrypt key + verification token) on a plain
 * node:http server that reads the body, JSON-parses it and calls `dispatcher.invoke(data)` with the request
 * headers on the prototype — what the SDK's adaptDefault does — and a handler that does nothing but count
 * (so the bench can prove every event was decrypted, verified and dispatched, not dropped early).
 */
import * as lark from '@larksuiteoapi/node-sdk';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { processStats, serveCommands } from './ipc.js';
import { ENCRYPT_KEY, VERIFICATION_TOKEN } from '../../tests/helpers/fakes/feishu-sign.js';

let handled = 0;
const dispatcher = new lark.EventDispatcher({
  encryptKey: ENCRYPT_KEY,
  verificationToken: VERIFICATION_TOKEN,
  loggerLevel: lark.LoggerLevel.warn,
}).register({
  'im.message.receive_v1': async () => {
    handled++;
  },
});

const server = createServer((req, res) => {
  let chunks = '';
  req.on('data', (chunk) => {
    chunks += chunk;
  });
  req.on('end', async () => {
    let body: unknown = '';
    try {
      body = JSON.parse(chunks);
    } catch {
      // adaptDefault resolves '' for unparsable bodies
    }
    const data = Object.assign(Object.create({ headers: req.headers }), body);
    const value = await dispatcher.invoke(data);
    res.end(JSON.stringify(value));
  });
});
server.keepAliveTimeout = 60_000;
await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));

const loopDelay = monitorEventLoopDelay({ resolution: 5 });
loopDelay.enable();

serveCommands(
  { port: (server.address() as AddressInfo).port },
  {
    stats: (reset) => {
      const loop = { loopDelayP99Ms: loopDelay.percentile(99) / 1e6, loopDelayMaxMs: loopDelay.max / 1e6 };
      if (reset === true) loopDelay.reset();
      return { ...processStats(), handled, ...loop };
    },
  },
  async () => {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  },
);
