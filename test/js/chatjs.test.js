'use strict';
// The unmodified amazon-connect-chatjs (as the CUSTOMER) and the AWS SDK for JS v3 (as a CUSTOM_BOT participant)
// run one whole chat against a parley server. Driven by chatjs_test.go, which starts the server and passes:
//
//   PARLEY_ENDPOINT     http://127.0.0.1:PORT (Connect API, Participant API and the WebSocket)
//   PARLEY_REGION       e.g. us-west-2
//   PARLEY_INSTANCE_ID  instance for StartChatContact
//   PARLEY_FLOW_ID      its inbound contact flow
//   PARLEY_CONTROL_URL  test control endpoint: POST /drop-sockets cuts every open WebSocket
//
// Optional: PARLEY_CHATJS_LOG=1 prints ChatJS's own log and every WebSocket frame as it happens (otherwise the last
// lines are printed only when a test fails).
//
// Harness recipe: shared/reference/websocket-protocol.md §4.2. One ChatJS session per process (§4.4), so the tests
// below run in order against one chat and share it; each test sends the messages it needs itself.

const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');

const ENV_NAMES = ['PARLEY_ENDPOINT', 'PARLEY_REGION', 'PARLEY_INSTANCE_ID', 'PARLEY_FLOW_ID', 'PARLEY_CONTROL_URL'];
const missingEnv = ENV_NAMES.filter((n) => !process.env[n]);
const SKIP = missingEnv.length > 0 ? `${missingEnv.join(', ')} not set: run this through go test ./test/js` : false;

const ENDPOINT = process.env.PARLEY_ENDPOINT;
const REGION = process.env.PARLEY_REGION;
const INSTANCE_ID = process.env.PARLEY_INSTANCE_ID;
const FLOW_ID = process.env.PARLEY_FLOW_ID;
const CONTROL_URL = process.env.PARLEY_CONTROL_URL;
const VERBOSE = !!process.env.PARLEY_CHATJS_LOG;

const ISO_MILLIS = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/; // 2019-11-08T02:41:28.172Z
const WAIT_MS = 10_000; // deadline for anything that should happen promptly
const RECONNECT_WAIT_MS = 30_000; // deadline for ChatJS to reconnect by itself

const CT = {
  text: 'text/plain',
  typing: 'application/vnd.amazonaws.connect.event.typing',
  read: 'application/vnd.amazonaws.connect.event.message.read',
  delivered: 'application/vnd.amazonaws.connect.event.message.delivered',
  joined: 'application/vnd.amazonaws.connect.event.participant.joined',
  left: 'application/vnd.amazonaws.connect.event.participant.left',
  ended: 'application/vnd.amazonaws.connect.event.chat.ended',
};

// ---------------------------------------------------------------------------------------------------------------
// Diagnostics: a ring buffer of ChatJS log lines and WebSocket frames, printed when a test fails.

const LOG_LINES = 400;
const logRing = [];
function diag(line) {
  const s = `${new Date().toISOString().slice(11, 23)} ${line}`;
  if (VERBOSE) process.stderr.write(s + '\n');
  logRing.push(s);
  if (logRing.length > LOG_LINES) logRing.shift();
}
let anyFailure = false;
function dumpDiagnostics(title) {
  if (VERBOSE || logRing.length === 0) return;
  process.stderr.write(`---- ${title}: last ${logRing.length} ChatJS log lines and WebSocket frames ----\n`);
  process.stderr.write(logRing.join('\n') + '\n---- end ----\n');
}

// chatjsLog records a ChatJS log line, without the session metadata ChatJS appends to every line.
function chatjsLog(line) {
  const s = String(line).replace(/ \{"contactId":[^{}]*\}$/, '');
  diag(`chatjs ${s.length > 500 ? s.slice(0, 500) + '…' : s}`);
}

// it wraps a test body so that a failure prints the recent diagnostics next to the assertion message.
function it(name, fn, opts = {}) {
  test(name, { skip: SKIP, ...opts }, async (t) => {
    diag(`---- test: ${name}`);
    try {
      await fn(t);
    } catch (err) {
      anyFailure = true;
      dumpDiagnostics(`failed: ${name}`);
      throw err;
    }
  });
}

// ---------------------------------------------------------------------------------------------------------------
// Globals ChatJS needs in Node (§4.1), with a WebSocket that records frames and subscribe acknowledgements.

globalThis.self ??= globalThis;
globalThis.window ??= globalThis;
if (typeof navigator === 'undefined') globalThis.navigator = { onLine: true, userAgent: 'node' };

const WS = require('ws');
const sockets = []; // every socket ChatJS opened, in order
class SpyWebSocket extends WS {
  constructor(url, ...rest) {
    super(url, ...rest);
    const n = sockets.length + 1;
    this.spy = { n, url: String(url), opened: false, closed: false, subscribed: false, closeCode: null };
    sockets.push(this);
    diag(`ws#${n} new ${String(url).replace(/token=[^&]+/, 'token=…')}`);
    this.addEventListener('open', () => {
      this.spy.opened = true;
      diag(`ws#${n} open`);
    });
    this.addEventListener('message', (ev) => {
      const text = typeof ev.data === 'string' ? ev.data : String(ev.data);
      diag(`ws#${n} << ${text.length > 600 ? text.slice(0, 600) + '…' : text}`);
      try {
        const f = JSON.parse(text);
        if (f.topic === 'aws/subscribe' && f.content && f.content.status === 'success') this.spy.subscribed = true;
      } catch {
        /* ChatJS itself will complain about non-JSON frames */
      }
    });
    this.addEventListener('close', (ev) => {
      this.spy.closed = true;
      this.spy.closeCode = ev.code;
      diag(`ws#${n} close code=${ev.code} reason=${JSON.stringify(ev.reason)}`);
    });
    this.addEventListener('error', (ev) => diag(`ws#${n} error ${ev.message || ev.error || ''}`));
  }

  send(data, ...rest) {
    const text = String(data);
    if (!/"aws\/(ping|heartbeat)"/.test(text) || VERBOSE) diag(`ws#${this.spy.n} >> ${text}`);
    return super.send(data, ...rest);
  }
}
globalThis.WebSocket = SpyWebSocket;

// ChatJS's bundled SDK uses fetch: record its REST calls (and the answers to failed ones). connectionGate, while
// set, holds ChatJS's CreateParticipantConnection calls back, as a slow network would: the reconnect test uses it to
// keep the customer offline while the bot talks.
const realFetch = globalThis.fetch;
let connectionGate = null;
globalThis.fetch = async (input, init) => {
  const req = new Request(input, init);
  const body = await req.clone().text();
  const path = new URL(req.url).pathname;
  const started = `${req.method} ${path}${body ? ' ' + body.slice(0, 300) : ''}`;
  if (connectionGate && path.endsWith('/participant/connection')) {
    diag(`chatjs http ${started} held back until the gate opens`);
    await connectionGate;
  }
  try {
    const res = await realFetch(req);
    let detail = '';
    if (!res.ok) detail = ' ' + (await res.clone().text()).slice(0, 300);
    diag(`chatjs http ${started} → ${res.status}${detail}`);
    return res;
  } catch (err) {
    diag(`chatjs http ${started} → ${err.message}`);
    throw err;
  }
};

require('amazon-connect-chatjs'); // defines globalThis.connect
const {
  ConnectClient,
  StartChatContactCommand,
  CreateParticipantCommand,
} = require('@aws-sdk/client-connect');
const {
  ConnectParticipantClient,
  CreateParticipantConnectionCommand,
  SendMessageCommand,
  SendEventCommand,
  GetTranscriptCommand,
} = require('@aws-sdk/client-connectparticipant');

// ---------------------------------------------------------------------------------------------------------------
// Waiting helpers. Every wait has a deadline and says what it was waiting for.

function sleep(ms) {
  return new Promise((r) => setTimeout(r, ms));
}

// withDeadline rejects with a clear message if promise does not settle within ms.
async function withDeadline(promise, what, ms = WAIT_MS) {
  let timer;
  const timeout = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms waiting for ${what}`)), ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

// eventually polls fn (sync or async) until it returns a truthy value; fails with what and the last error or value.
async function eventually(fn, what, ms = WAIT_MS) {
  const end = Date.now() + ms;
  let last;
  for (;;) {
    try {
      const v = await fn();
      if (v) return v;
      last = v;
    } catch (err) {
      last = err;
    }
    if (Date.now() >= end) {
      const detail = last instanceof Error ? last.message : JSON.stringify(last);
      throw new Error(`timed out after ${ms} ms waiting for ${what} (last: ${detail})`);
    }
    await sleep(100);
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Shared state of the one chat.

const dummyCredentials = { accessKeyId: 'parley', secretAccessKey: 'parley' };
const chat = {}; // ContactId, customer {ParticipantId, ParticipantToken}, bot {ParticipantId, ConnectionToken, ...}
const events = {
  message: [],
  typing: [],
  readReceipt: [],
  deliveredReceipt: [],
  established: [],
  lost: [],
  broken: [],
  ended: [],
};
let session;
let connectClient;
let participantClient;
let botSocket; // raw `ws` socket of the bot (protocol observer), open until the sockets are dropped
const botSocketItems = [];

function item(e) {
  return e && e.data;
}
function describeItems(items) {
  return items.map((i) => `${i.Type}/${i.ContentType}/${i.ParticipantRole || ''}/${i.Id}`).join(', ');
}

// Bot side, through @aws-sdk/client-connectparticipant.
async function botSend(content) {
  const r = await participantClient.send(
    new SendMessageCommand({ ConnectionToken: chat.bot.ConnectionToken, ContentType: CT.text, Content: content }),
  );
  assert.ok(r.Id, `bot SendMessage returned no Id: ${JSON.stringify(r)}`);
  return r;
}
async function botEvent(contentType, content) {
  const input = { ConnectionToken: chat.bot.ConnectionToken, ContentType: contentType };
  if (content !== undefined) input.Content = content;
  return participantClient.send(new SendEventCommand(input));
}
// botTranscript returns the whole transcript as the bot sees it, oldest first (BACKWARD pages, each ASCENDING).
async function botTranscript() {
  const pages = [];
  let NextToken;
  for (let i = 0; i < 100; i++) {
    const r = await participantClient.send(
      new GetTranscriptCommand({
        ConnectionToken: chat.bot.ConnectionToken,
        MaxResults: 100,
        ScanDirection: 'BACKWARD',
        SortOrder: 'ASCENDING',
        NextToken,
      }),
    );
    pages.push(r.Transcript || []);
    NextToken = r.NextToken;
    if (!NextToken) return pages.reverse().flat();
  }
  throw new Error('bot GetTranscript: more than 100 pages (NextToken never ends?)');
}

// customerTranscript pages through ChatJS getTranscript; returns {items (oldest first), pages}.
async function customerTranscript({ maxResults, scanDirection, sortOrder = 'ASCENDING' }) {
  const pages = [];
  let nextToken;
  for (let i = 0; i < 200; i++) {
    const args = { maxResults, scanDirection, sortOrder };
    if (nextToken) args.nextToken = nextToken;
    const r = await withDeadline(session.getTranscript(args), `ChatJS getTranscript(${JSON.stringify(args)})`);
    assert.ok(r && r.data, `ChatJS getTranscript returned ${JSON.stringify(r)}`);
    const page = r.data.Transcript || [];
    assert.ok(page.length <= maxResults, `page of ${page.length} items exceeds maxResults ${maxResults}`);
    pages.push(page);
    nextToken = r.data.NextToken;
    if (!nextToken) break;
    if (i === 199) throw new Error('ChatJS getTranscript: more than 200 pages (NextToken never ends?)');
  }
  let ordered = scanDirection === 'BACKWARD' ? [...pages].reverse() : pages;
  if (sortOrder === 'DESCENDING') ordered = ordered.map((p) => [...p].reverse());
  return { items: ordered.flat(), pages };
}

function duplicates(ids) {
  const seen = new Set();
  const dup = new Set();
  for (const id of ids) (seen.has(id) ? dup : seen).add(id);
  return [...dup];
}

async function dropSockets() {
  const r = await withDeadline(realFetch(`${CONTROL_URL}/drop-sockets`, { method: 'POST' }), 'POST /drop-sockets');
  diag(`control: POST /drop-sockets → ${r.status}`);
  assert.ok(r.ok, `POST ${CONTROL_URL}/drop-sockets: HTTP ${r.status}`);
}

// openBotSocket connects a raw WebSocket as the bot and records every aws/chat item it receives.
async function openBotSocket(url) {
  const ws = new WS(url);
  ws.on('message', (data) => {
    const text = data.toString();
    let f;
    try {
      f = JSON.parse(text);
    } catch {
      botSocketItems.push({ error: `non-JSON frame: ${text}` });
      return;
    }
    if (f.topic === 'aws/chat') {
      try {
        assert.equal(typeof f.content, 'string', 'aws/chat frame content must be a JSON string');
        botSocketItems.push(JSON.parse(f.content));
      } catch (err) {
        botSocketItems.push({ error: `bad aws/chat frame ${text}: ${err.message}` });
      }
    } else if (f.topic === 'aws/subscribe') {
      ws.subscribeAck = f;
    }
  });
  ws.on('error', (err) => diag(`bot ws error: ${err.message}`));
  await withDeadline(
    new Promise((resolve, reject) => {
      ws.once('open', resolve);
      ws.once('error', reject);
    }),
    'the bot WebSocket to open',
  );
  ws.send(JSON.stringify({ topic: 'aws/subscribe', content: { topics: ['aws/chat'] } }));
  const ack = await eventually(() => ws.subscribeAck, 'the aws/subscribe acknowledgement on the bot WebSocket');
  assert.deepEqual(ack.content, { status: 'success', topics: ['aws/chat'] }, 'subscribe ack');
  ws.heartbeat = setInterval(() => {
    if (ws.readyState === WS.OPEN) ws.send(JSON.stringify({ topic: 'aws/heartbeat' }));
  }, 10_000);
  ws.on('close', () => clearInterval(ws.heartbeat));
  return ws;
}

// ---------------------------------------------------------------------------------------------------------------

before(async () => {
  if (SKIP) return;
  try {
    await setUp();
  } catch (err) {
    anyFailure = true;
    dumpDiagnostics('setting up the chat failed');
    throw err;
  }
});

// setUp starts the chat, adds and connects the bot, and creates (but does not connect) the customer's ChatJS session.
async function setUp() {
  connect.ChatSession.setGlobalConfig({
    region: REGION,
    endpoint: ENDPOINT,
    webSocketManagerConfig: { isNetworkOnline: () => true },
    features: { messageReceipts: { throttleTime: 500 } },
    loggerConfig: {
      level: connect.LogLevel.INFO,
      advancedLogWriter: 'warn',
      customizedLogger: {
        debug: chatjsLog,
        info: chatjsLog,
        warn: chatjsLog,
        error: chatjsLog,
        advancedLog: chatjsLog,
      },
    },
  });

  connectClient = new ConnectClient({ region: REGION, endpoint: ENDPOINT, credentials: dummyCredentials });
  participantClient = new ConnectParticipantClient({ region: REGION, endpoint: ENDPOINT, credentials: dummyCredentials });
  for (const [who, client] of [['connect', connectClient], ['bot', participantClient]]) {
    client.middlewareStack.add(
      (next) => async (args) => {
        const req = args.request;
        const body = typeof req.body === 'string' ? req.body : req.body instanceof Uint8Array ? new TextDecoder().decode(req.body) : '';
        const started = `${req.method} ${req.path}${body ? ' ' + body.slice(0, 300) : ''}`;
        try {
          const out = await next(args);
          diag(`${who} http ${started} → ${out.response.statusCode}`);
          return out;
        } catch (err) {
          diag(`${who} http ${started} → ${(err.$metadata && err.$metadata.httpStatusCode) || ''} ${err.name}: ${err.message}`);
          throw err;
        }
      },
      { step: 'deserialize', name: 'parleyTrace' },
    );
  }

  const started = await withDeadline(
    connectClient.send(
      new StartChatContactCommand({
        InstanceId: INSTANCE_ID,
        ContactFlowId: FLOW_ID,
        ParticipantDetails: { DisplayName: 'Customer' },
        InitialMessage: { ContentType: CT.text, Content: 'initial message from the customer' },
      }),
    ),
    'StartChatContact',
  );
  for (const k of ['ContactId', 'ParticipantId', 'ParticipantToken']) {
    assert.ok(started[k], `StartChatContact response lacks ${k}: ${JSON.stringify(started)}`);
  }
  chat.ContactId = started.ContactId;
  chat.customer = { ParticipantId: started.ParticipantId, ParticipantToken: started.ParticipantToken };

  const created = await withDeadline(
    connectClient.send(
      new CreateParticipantCommand({
        InstanceId: INSTANCE_ID,
        ContactId: chat.ContactId,
        ParticipantDetails: { ParticipantRole: 'CUSTOM_BOT', DisplayName: 'Bot' },
      }),
    ),
    'CreateParticipant',
  );
  assert.ok(created.ParticipantId, `CreateParticipant response lacks ParticipantId: ${JSON.stringify(created)}`);
  assert.ok(
    created.ParticipantCredentials && created.ParticipantCredentials.ParticipantToken,
    `CreateParticipant response lacks ParticipantCredentials.ParticipantToken: ${JSON.stringify(created)}`,
  );

  const conn = await withDeadline(
    participantClient.send(
      new CreateParticipantConnectionCommand({
        ParticipantToken: created.ParticipantCredentials.ParticipantToken,
        Type: ['WEBSOCKET', 'CONNECTION_CREDENTIALS'],
        ConnectParticipant: true,
      }),
    ),
    'the bot CreateParticipantConnection',
  );
  assert.ok(
    conn.ConnectionCredentials && conn.ConnectionCredentials.ConnectionToken,
    `bot CreateParticipantConnection lacks ConnectionCredentials.ConnectionToken: ${JSON.stringify(conn)}`,
  );
  assert.ok(conn.Websocket && conn.Websocket.Url, `bot CreateParticipantConnection lacks Websocket.Url: ${JSON.stringify(conn)}`);
  chat.bot = {
    ParticipantId: created.ParticipantId,
    ConnectionToken: conn.ConnectionCredentials.ConnectionToken,
    WebsocketUrl: conn.Websocket.Url,
  };
  botSocket = await openBotSocket(chat.bot.WebsocketUrl);

  session = connect.ChatSession.create({
    chatDetails: {
      ContactId: chat.ContactId,
      ParticipantId: chat.customer.ParticipantId,
      ParticipantToken: chat.customer.ParticipantToken,
    },
    type: connect.ChatSession.SessionTypes.CUSTOMER,
    options: { region: REGION },
    disableCSM: true,
  });
  assert.ok(session, 'ChatSession.create returned nothing');
  session.onMessage((e) => events.message.push(e));
  session.onTyping((e) => events.typing.push(e));
  session.onReadReceipt((e) => events.readReceipt.push(e));
  session.onDeliveredReceipt((e) => events.deliveredReceipt.push(e));
  session.onConnectionEstablished((e) => events.established.push(e));
  session.onConnectionLost((e) => events.lost.push(e));
  session.onConnectionBroken((e) => events.broken.push(e));
  session.onEnded((e) => events.ended.push(e));
}

after(async () => {
  if (botSocket) botSocket.terminate();
  if (session && events.ended.length === 0) {
    // A failed run may leave the chat open; end it so the socket and its timers go away.
    await withDeadline(session.disconnectParticipant(), 'disconnectParticipant in cleanup', 5000).catch(() => {});
  }
  for (const s of sockets) if (!s.spy.closed) s.terminate();
  if (anyFailure) process.exitCode = 1;
  // ChatJS keeps timers (token refresh, connectivity checker) after the chat; don't let them hold the process.
  setTimeout(() => process.exit(), 3000).unref();
});

// checkBotSocketItems asserts that every aws/chat frame the bot received so far was well formed (§1.3, §1.4).
function checkBotSocketItems() {
  for (const i of botSocketItems) {
    assert.ok(!i.error, i.error);
    if (i.Type !== 'MESSAGEMETADATA') {
      assert.ok(
        i.ContactId === chat.ContactId || i.InitialContactId === chat.ContactId,
        `item without this chat's ContactId/InitialContactId (ChatJS would drop it): ${JSON.stringify(i)}`,
      );
    }
    assert.ok(i.Id && i.AbsoluteTime && i.Type, `item lacks Id/AbsoluteTime/Type: ${JSON.stringify(i)}`);
  }
}

function customerMessages() {
  return events.message.map(item).filter(Boolean);
}
function ensureConnected() {
  assert.ok(session && events.established.length > 0, 'the ChatJS session is not connected (see the connect test)');
}

// ---------------------------------------------------------------------------------------------------------------

it('connect() succeeds, onConnectionEstablished fires and the WebSocket subscribes', async () => {
  const r = await withDeadline(session.connect(), 'ChatJS connect()');
  assert.equal(r && r.connectSuccess, true, `connect() resolved with ${JSON.stringify(r)}`);
  // Fires once from connect() itself and once when the WebSocket opens (§2.4); wait for the socket one.
  await eventually(() => {
    if (events.broken.length) throw new Error(`onConnectionBroken fired: ${JSON.stringify(events.broken[0].data)}`);
    return events.established.some((e) => !('connectSuccess' in e));
  }, 'onConnectionEstablished from the WebSocket opening');
  await eventually(() => sockets.some((s) => s.spy.subscribed), 'the server to acknowledge aws/subscribe');
  assert.equal(events.broken.length, 0, `onConnectionBroken fired: ${JSON.stringify(events.broken)}`);
});

it('customer sendMessage: the response Id is the Id in the bot transcript and on every socket', async () => {
  ensureConnected();
  const text = `customer says hello ${Date.now()}`;
  const r = await withDeadline(session.sendMessage({ contentType: CT.text, message: text }), 'ChatJS sendMessage');
  const id = r && r.data && r.data.Id;
  assert.ok(id, `sendMessage resolved without data.Id: ${JSON.stringify(r)}`);
  assert.match(r.data.AbsoluteTime || '', ISO_MILLIS, 'SendMessage AbsoluteTime');
  chat.customerMessageId = id;

  const tr = await botTranscript();
  const inTranscript = tr.filter((i) => i.Id === id);
  assert.equal(inTranscript.length, 1, `Id ${id} appears ${inTranscript.length} times in the bot transcript: ${describeItems(tr)}`);
  assert.equal(inTranscript[0].Content, text);
  assert.equal(inTranscript[0].Type, 'MESSAGE');
  assert.equal(inTranscript[0].AbsoluteTime, r.data.AbsoluteTime, 'AbsoluteTime differs between SendMessage and transcript');
  assert.equal(inTranscript[0].ParticipantId, chat.customer.ParticipantId);
  assert.equal(inTranscript[0].ParticipantRole, 'CUSTOMER');

  const initial = tr.filter((i) => i.Type === 'MESSAGE' && i.Content === 'initial message from the customer');
  assert.equal(initial.length, 1, `StartChatContact InitialMessage should be in the transcript once: ${describeItems(tr)}`);

  // The customer's own message comes back on its socket with the same Id (the widget replaces by Id).
  const echo = await eventually(
    () => customerMessages().find((i) => i.Id === id),
    `the customer's own message ${id} on the customer's onMessage`,
  );
  assert.equal(echo.Content, text);
  assert.equal(echo.ContactId, chat.ContactId);
  const atBot = await eventually(() => botSocketItems.find((i) => i.Id === id), `message ${id} on the bot's WebSocket`);
  assert.equal(atBot.Content, text);
  checkBotSocketItems();

  // A retry with the same ClientToken (what the SDK does after a lost response) has the same effect once.
  const clientToken = `retry-${Date.now()}`;
  const first = await withDeadline(
    session.sendMessage({ contentType: CT.text, message: 'sent twice', clientToken }),
    'ChatJS sendMessage with a ClientToken',
  );
  const again = await withDeadline(
    session.sendMessage({ contentType: CT.text, message: 'sent twice', clientToken }),
    'ChatJS sendMessage retried with the same ClientToken',
  );
  assert.equal(again.data.Id, first.data.Id, 'a retried SendMessage (same ClientToken) must return the same Id');
  const after = await botTranscript();
  assert.equal(after.filter((i) => i.Content === 'sent twice').length, 1, 'a retried SendMessage must be stored once');
});

it('bot message reaches customer onMessage with the Id of the transcript', async () => {
  ensureConnected();
  const text = `bot says hi ${Date.now()}`;
  const { Id: id } = await withDeadline(botSend(text), 'bot SendMessage');
  const got = await eventually(() => customerMessages().find((i) => i.Id === id), `bot message ${id} on customer onMessage`);
  assert.equal(got.Content, text);
  assert.equal(got.Type, 'MESSAGE');
  assert.equal(got.ParticipantId, chat.bot.ParticipantId);
  assert.equal(got.ParticipantRole, 'CUSTOM_BOT');
  assert.equal(got.ContactId, chat.ContactId);

  const { items } = await customerTranscript({ maxResults: 100, scanDirection: 'BACKWARD' });
  const inTranscript = items.filter((i) => i.Id === id);
  assert.equal(inTranscript.length, 1, `bot message ${id} in the customer transcript: ${describeItems(items)}`);
  assert.equal(inTranscript[0].Content, text);
  assert.equal(inTranscript[0].AbsoluteTime, got.AbsoluteTime, 'AbsoluteTime differs between socket and transcript');
});

it('bot typing reaches customer onTyping', async () => {
  ensureConnected();
  const r = await withDeadline(botEvent(CT.typing), 'bot SendEvent typing');
  assert.ok(r.Id, `SendEvent typing returned no Id: ${JSON.stringify(r)}`);
  const typing = await eventually(
    () => events.typing.map(item).find((i) => i.ParticipantId === chat.bot.ParticipantId),
    'customer onTyping for the bot',
  );
  assert.equal(typing.ContentType, CT.typing);
  assert.equal(typing.ParticipantRole, 'CUSTOM_BOT');
  assert.ok(
    !customerMessages().some((i) => i.ContentType === CT.typing),
    'typing must go to onTyping, not onMessage',
  );
});

it('customer typing reaches the bot socket but is not in the transcript', async () => {
  ensureConnected();
  const r = await withDeadline(session.sendEvent({ contentType: CT.typing }), 'ChatJS sendEvent typing');
  assert.ok(r && r.data && r.data.Id, `sendEvent typing resolved with ${JSON.stringify(r)}`);
  await eventually(
    () => botSocketItems.find((i) => i.ContentType === CT.typing && i.ParticipantId === chat.customer.ParticipantId),
    "the customer's typing event on the bot's WebSocket",
  );
  const tr = await botTranscript();
  const typing = tr.filter((i) => i.ContentType === CT.typing || i.Id === r.data.Id);
  assert.deepEqual(typing, [], 'typing events must not be stored in the transcript');
  checkBotSocketItems();
});

it('read receipts: customer → bot transcript MessageMetadata, bot → customer onReadReceipt', async () => {
  ensureConnected();
  // The customer reads two bot messages, one after the other. ChatJS sends both receipts with the same constant
  // ClientToken "INCOMING_READ_RECEIPT" (§5): the second must not be swallowed as an idempotent retry.
  for (const n of [1, 2]) {
    const { Id: botMsg } = await withDeadline(botSend(`please read me (${n}) ${Date.now()}`), 'bot SendMessage');
    await eventually(() => customerMessages().find((i) => i.Id === botMsg), `bot message ${botMsg} at the customer`);
    const receipt = session
      .sendEvent({ contentType: CT.read, content: JSON.stringify({ messageId: botMsg }) })
      .catch((err) => ({ rejected: err }));
    const sent = await withDeadline(receipt, `ChatJS read receipt sendEvent (${n})`);
    assert.ok(!(sent && sent.rejected), `read receipt sendEvent rejected: ${JSON.stringify(sent && sent.rejected)}`);

    const withReceipt = await eventually(async () => {
      const tr = await botTranscript();
      const m = tr.find((i) => i.Id === botMsg);
      const receipts = (m && m.MessageMetadata && m.MessageMetadata.Receipts) || [];
      const mine = receipts.find((x) => x.RecipientParticipantId === chat.customer.ParticipantId && x.ReadTimestamp);
      return mine ? m : null;
    }, `MessageMetadata.Receipts with the customer's ReadTimestamp on bot message ${n} (${botMsg}) in the bot transcript`);
    assert.equal(withReceipt.MessageMetadata.MessageId, botMsg, 'MessageMetadata.MessageId');
  }

  // Bot reads the customer's message.
  const text = `customer message to be read ${Date.now()}`;
  const sentByCustomer = await withDeadline(session.sendMessage({ contentType: CT.text, message: text }), 'ChatJS sendMessage');
  const custMsg = sentByCustomer.data.Id;
  await withDeadline(botEvent(CT.read, JSON.stringify({ messageId: custMsg })), 'bot SendEvent message.read');
  const rr = await eventually(
    () =>
      events.readReceipt
        .map(item)
        .find((i) => i && i.MessageMetadata && i.MessageMetadata.MessageId === custMsg),
    `customer onReadReceipt for ${custMsg}`,
  );
  assert.equal(rr.Type, 'MESSAGEMETADATA');
  const r0 = rr.MessageMetadata.Receipts[0];
  assert.equal(r0.RecipientParticipantId, chat.bot.ParticipantId, 'Receipts[0].RecipientParticipantId is the reader');
  assert.ok(r0.ReadTimestamp, 'Receipts[0].ReadTimestamp');
});

it('ChatJS getTranscript paging returns every item exactly once', async () => {
  ensureConnected();
  const full = await customerTranscript({ maxResults: 100, scanDirection: 'BACKWARD' });
  const fullIds = full.items.map((i) => i.Id);
  diag(`customer transcript: ${describeItems(full.items)}`);
  assert.deepEqual(duplicates(fullIds), [], 'duplicate Ids in the transcript');
  assert.ok(fullIds.length >= 5, `expected at least 5 items by now, got ${describeItems(full.items)}`);
  assert.ok(fullIds.includes(chat.customerMessageId), 'the first customer message is in the transcript');

  for (const [scanDirection, sortOrder] of [
    ['BACKWARD', 'ASCENDING'],
    ['BACKWARD', 'DESCENDING'],
    ['FORWARD', 'ASCENDING'],
  ]) {
    const paged = await customerTranscript({ maxResults: 2, scanDirection, sortOrder });
    const ids = paged.items.map((i) => i.Id);
    const what = `${scanDirection}/${sortOrder} pages of 2`;
    assert.ok(paged.pages.length >= Math.ceil(fullIds.length / 2), `${what}: only ${paged.pages.length} pages`);
    assert.deepEqual(duplicates(ids), [], `${what}: duplicate Ids`);
    assert.deepEqual(ids, fullIds, `${what}: not the same items in the same order as one page of 100`);
  }
});

it('reconnect without loss: messages sent while the socket is cut are in the transcript once, in order', async () => {
  ensureConnected();
  const establishedBefore = events.established.length;
  const lostBefore = events.lost.length;
  const socketsBefore = sockets.length;

  // Cut the sockets and keep ChatJS from reconnecting until the bot has sent its messages (otherwise it is back
  // within milliseconds and the messages would simply arrive live).
  let openGate;
  connectionGate = new Promise((resolve) => (openGate = resolve));
  const liveBefore = new Set(customerMessages().map((i) => i.Id));
  const sent = [];
  try {
    await dropSockets();
    await eventually(() => events.lost.length > lostBefore, 'onConnectionLost after the sockets were dropped');
    for (let i = 1; i <= 5; i++) {
      const { Id } = await withDeadline(botSend(`while you were away ${i}`), `bot SendMessage ${i} during the cut`);
      sent.push(Id);
    }
    assert.equal(sockets.filter((s) => !s.spy.closed).length, 0, 'a customer socket is still open during the cut');
  } finally {
    connectionGate = null;
    openGate();
  }
  await eventually(
    () => events.established.length > establishedBefore,
    'ChatJS to reconnect by itself (onConnectionEstablished)',
    RECONNECT_WAIT_MS,
  );
  await eventually(
    () => sockets.slice(socketsBefore).some((s) => s.spy.subscribed && !s.spy.closed),
    'the new WebSocket to be subscribed',
  );
  assert.equal(events.broken.length, 0, `onConnectionBroken fired: ${JSON.stringify(events.broken)}`);

  // What the app does after a reconnect (README "Messages Not Received During Network Disconnection").
  const { items } = await customerTranscript({ maxResults: 100, scanDirection: 'BACKWARD' });
  const ids = items.map((i) => i.Id);
  assert.deepEqual(duplicates(ids), [], 'duplicate Ids in the transcript after the reconnect');
  for (const id of sent) {
    assert.equal(ids.filter((x) => x === id).length, 1, `bot message ${id} in the transcript`);
  }
  const positions = sent.map((id) => ids.indexOf(id));
  assert.deepEqual(positions, [...positions].sort((a, b) => a - b), 'the cut-time messages are out of order in the transcript');

  // Merge with what the socket delivered, as an app would: every message once.
  const merged = new Map();
  for (const i of [...items, ...customerMessages()]) if (!merged.has(i.Id)) merged.set(i.Id, i);
  for (const id of sent) assert.ok(merged.has(id), `bot message ${id} missing from transcript ∪ onMessage`);
  const liveDup = duplicates(customerMessages().map((i) => i.Id));
  if (liveDup.length) diag(`note: onMessage delivered these Ids more than once: ${liveDup.join(', ')}`);
  const replayed = sent.filter((id) => customerMessages().some((i) => i.Id === id) && !liveBefore.has(id));
  diag(`note: ${replayed.length} of the ${sent.length} cut-time messages were also pushed on the new socket`);

  // The new socket carries new messages.
  const { Id: after } = await withDeadline(botSend('back online?'), 'bot SendMessage after the reconnect');
  await eventually(() => customerMessages().find((i) => i.Id === after), `bot message ${after} live after the reconnect`);
});

it('disconnect: customer gets participant.left then chat.ended, and the bot can no longer send', async () => {
  ensureConnected();
  const from = events.message.length;
  const r = await withDeadline(session.disconnectParticipant(), 'ChatJS disconnectParticipant');
  assert.ok(r, 'disconnectParticipant resolved');
  await eventually(() => events.ended.length > 0, 'onEnded');
  const after = events.message.slice(from).map(item);
  const left = after.findIndex((i) => i.ContentType === CT.left && i.ParticipantId === chat.customer.ParticipantId);
  const ended = after.findIndex((i) => i.ContentType === CT.ended);
  assert.ok(left >= 0, `no participant.left for the customer on onMessage; got: ${describeItems(after)}`);
  assert.ok(ended >= 0, `no chat.ended on onMessage; got: ${describeItems(after)}`);
  assert.ok(left < ended, `participant.left must come before chat.ended; got: ${describeItems(after)}`);
  assert.ok(after[ended].Id, 'chat.ended pushed by the server has an Id (not ChatJS\'s synthetic one)');

  const err = await botSend('anyone there?').then(
    (res) => assert.fail(`bot SendMessage after the chat ended succeeded: ${JSON.stringify(res)}`),
    (e) => e,
  );
  assert.equal(err.name, 'AccessDeniedException', `bot SendMessage after end: ${err.name}: ${err.message}`);
  assert.equal(err.$metadata && err.$metadata.httpStatusCode, 403);
});
