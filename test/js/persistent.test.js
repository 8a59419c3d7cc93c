'use strict';
// Persistent chat with the unmodified amazon-connect-chatjs: a customer writes twice and leaves, then comes back
// with StartChatContact's PersistentChat (ENTIRE_PAST_SESSION); in the new chat ChatJS's getTranscript shows the
// past session's messages with their original Ids and ContactId, before the new chat's own. Driven by
// persistent_test.go, which starts the server and passes PARLEY_ENDPOINT, PARLEY_REGION, PARLEY_INSTANCE_ID and
// PARLEY_FLOW_ID.

const { test, after } = require('node:test');
const assert = require('node:assert/strict');

const { SKIP, ENDPOINT, REGION, INSTANCE_ID, FLOW_ID, eventually } = require('./chatjs-env.js');
const { ConnectClient, StartChatContactCommand, DescribeContactCommand } = require('@aws-sdk/client-connect');

function open(started) {
  return connect.ChatSession.create({
    chatDetails: { ContactId: started.ContactId, ParticipantId: started.ParticipantId, ParticipantToken: started.ParticipantToken },
    type: connect.ChatSession.SessionTypes.CUSTOMER,
    options: { region: REGION },
    disableCSM: true,
  });
}

test('ChatJS reads the past session of a persistent chat', { skip: SKIP }, async () => {
  const quiet = () => {};
  connect.ChatSession.setGlobalConfig({
    region: REGION,
    endpoint: ENDPOINT,
    webSocketManagerConfig: { isNetworkOnline: () => true },
    loggerConfig: {
      level: connect.LogLevel.WARN,
      advancedLogWriter: 'warn',
      customizedLogger: { debug: quiet, info: quiet, warn: quiet, error: quiet, advancedLog: quiet },
    },
  });
  const cc = new ConnectClient({ region: REGION, endpoint: ENDPOINT, credentials: { accessKeyId: 'parley', secretAccessKey: 'parley' } });

  // The first session: two messages, then the customer leaves, which ends the chat.
  const first = await cc.send(new StartChatContactCommand({ InstanceId: INSTANCE_ID, ContactFlowId: FLOW_ID,
    ParticipantDetails: { DisplayName: 'Ann' } }));
  const s1 = open(first);
  await s1.connect();
  const sent = [];
  for (const text of ['my order is late', 'it is order 1234']) {
    const r = await s1.sendMessage({ contentType: 'text/plain', message: text });
    sent.push({ id: r.data.Id, text });
  }
  await s1.disconnectParticipant();
  await eventually(async () => {
    const d = await cc.send(new DescribeContactCommand({ InstanceId: INSTANCE_ID, ContactId: first.ContactId }));
    return d.Contact.DisconnectTimestamp;
  }, 'the first chat to end');

  // The customer comes back: the new chat continues the first.
  const second = await cc.send(new StartChatContactCommand({ InstanceId: INSTANCE_ID, ContactFlowId: FLOW_ID,
    ParticipantDetails: { DisplayName: 'Ann' },
    PersistentChat: { RehydrationType: 'ENTIRE_PAST_SESSION', SourceContactId: first.ContactId } }));
  assert.notEqual(second.ContactId, first.ContactId);
  assert.equal(second.ContinuedFromContactId, first.ContactId);
  const s2 = open(second);
  await s2.connect();
  const now = await s2.sendMessage({ contentType: 'text/plain', message: 'back again' });

  const transcript = await s2.getTranscript({ maxResults: 100, sortOrder: 'ASCENDING', scanDirection: 'BACKWARD' });
  const msgs = transcript.data.Transcript.filter((i) => i.Type === 'MESSAGE' && i.ParticipantRole === 'CUSTOMER');
  assert.deepEqual(
    msgs.map((i) => [i.Id, i.Content, i.ContactId]),
    [...sent.map((m) => [m.id, m.text, first.ContactId]), [now.data.Id, 'back again', second.ContactId]],
    `the customer's messages in the new chat's transcript: ${JSON.stringify(transcript.data.Transcript)}`,
  );
  await s2.disconnectParticipant();
});

after(() => {
  setTimeout(() => process.exit(), 3000).unref(); // ChatJS keeps timers after the chat
});
