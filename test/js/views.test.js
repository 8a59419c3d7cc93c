'use strict';
// The unmodified amazon-connect-chatjs, as the customer, answers a flow's ShowView: it receives the interactive
// ViewResource message, describes the view with the message's token, submits the form as an interactive response,
// and receives the message the flow sends with the form's data. Driven by views_test.go, which starts the server,
// creates the flow and passes PARLEY_ENDPOINT, PARLEY_REGION, PARLEY_INSTANCE_ID and PARLEY_FLOW_ID.

const { test, after } = require('node:test');
const assert = require('node:assert/strict');

const { SKIP, ENDPOINT, REGION, INSTANCE_ID, FLOW_ID, eventually } = require('./chatjs-env.js');
const { ConnectClient, StartChatContactCommand } = require('@aws-sdk/client-connect');

const CT = {
  text: 'text/plain',
  interactive: 'application/vnd.amazonaws.connect.message.interactive',
  response: 'application/vnd.amazonaws.connect.message.interactive.response',
};

let session;
const messages = [];

test('ChatJS describes and answers a ShowView form', { skip: SKIP }, async () => {
  const quiet = () => {};
  connect.ChatSession.setGlobalConfig({
    region: REGION,
    endpoint: ENDPOINT,
    webSocketManagerConfig: { isNetworkOnline: () => true },
    // Quiet: the bad token below makes ChatJS log an error; the assertions say what went wrong.
    loggerConfig: {
      level: connect.LogLevel.WARN,
      advancedLogWriter: 'warn',
      customizedLogger: { debug: quiet, info: quiet, warn: quiet, error: quiet, advancedLog: quiet },
    },
  });
  const cc = new ConnectClient({ region: REGION, endpoint: ENDPOINT, credentials: { accessKeyId: 'parley', secretAccessKey: 'parley' } });
  const started = await cc.send(
    new StartChatContactCommand({
      InstanceId: INSTANCE_ID,
      ContactFlowId: FLOW_ID,
      ParticipantDetails: { DisplayName: 'Customer' },
      SupportedMessagingContentTypes: [CT.text, CT.interactive, CT.response],
    }),
  );
  session = connect.ChatSession.create({
    chatDetails: { ContactId: started.ContactId, ParticipantId: started.ParticipantId, ParticipantToken: started.ParticipantToken },
    type: connect.ChatSession.SessionTypes.CUSTOMER,
    options: { region: REGION },
    disableCSM: true,
  });
  session.onMessage((e) => messages.push(e.data));
  await session.connect();

  // The flow showed the view before the customer connected: it is in the transcript.
  const transcript = await session.getTranscript({ maxResults: 100, sortOrder: 'ASCENDING' });
  const shown = transcript.data.Transcript.find((i) => i.ContentType === CT.interactive);
  assert.ok(shown, `no interactive message in ${JSON.stringify(transcript.data.Transcript)}`);
  const msg = JSON.parse(shown.Content);
  assert.equal(msg.templateType, 'ViewResource');
  const { viewId, viewToken, viewData } = msg.data.content;
  assert.match(viewId, /^arn:aws:connect:[^:]+:aws:view\/form$/);
  assert.equal(viewData.Heading, 'Your address');

  const described = await session.describeView({ viewToken });
  const view = described.data.View;
  assert.equal(view.Name, 'Form');
  assert.equal(view.Arn, viewId);
  assert.ok(view.Content.Actions.includes('Next'), `actions ${view.Content.Actions}`);
  JSON.parse(view.Content.Template);
  await assert.rejects(session.describeView({ viewToken: 'V' + viewToken.slice(1, -2) + 'AA' }), (err) => {
    const status = err.statusCode || (err.$metadata && err.$metadata.httpStatusCode) || (err.err && err.err.$metadata && err.err.$metadata.httpStatusCode);
    assert.equal(status, 404, `a bad token: ${JSON.stringify(err)}`);
    return true;
  });

  await session.sendMessage({
    contentType: CT.response,
    message: JSON.stringify({ templateType: 'ViewResource', version: '1.0', action: 'Next', data: { city: 'Lisbon' } }),
  });
  const thanks = await eventually(
    () => messages.find((m) => m.ContentType === CT.text && m.ParticipantRole === 'SYSTEM'),
    "the flow's answer on onMessage",
  );
  assert.equal(thanks.Content, 'See you in Lisbon');
});

after(() => {
  setTimeout(() => process.exit(), 3000).unref(); // ChatJS keeps timers after the chat
});
