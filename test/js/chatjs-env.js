'use strict';
// What the ChatJS tests run by `go test ./test/js` share: the server's settings from the environment, the
// globals ChatJS needs in Node (shared/reference/websocket-protocol.md §4.1), and a wait for a condition.
// Requiring this module defines globalThis.connect (ChatJS).

const ENV_NAMES = ['PARLEY_ENDPOINT', 'PARLEY_REGION', 'PARLEY_INSTANCE_ID', 'PARLEY_FLOW_ID'];
const missingEnv = ENV_NAMES.filter((n) => !process.env[n]);
// SKIP is node:test's skip option: false, or why the test cannot run.
const SKIP = missingEnv.length > 0 ? `${missingEnv.join(', ')} not set: run this through go test ./test/js` : false;
const { PARLEY_ENDPOINT: ENDPOINT, PARLEY_REGION: REGION, PARLEY_INSTANCE_ID: INSTANCE_ID, PARLEY_FLOW_ID: FLOW_ID } =
  process.env;
const WAIT_MS = 10_000;

globalThis.self ??= globalThis;
globalThis.window ??= globalThis;
if (typeof navigator === 'undefined') globalThis.navigator = { onLine: true, userAgent: 'node' };
globalThis.WebSocket = require('ws');
require('amazon-connect-chatjs'); // defines globalThis.connect

// eventually calls fn every 100 ms until it returns something truthy, which it returns; it throws after WAIT_MS.
async function eventually(fn, what) {
  const end = Date.now() + WAIT_MS;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() >= end) throw new Error(`timed out after ${WAIT_MS} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

module.exports = { SKIP, ENDPOINT, REGION, INSTANCE_ID, FLOW_ID, WAIT_MS, eventually };
