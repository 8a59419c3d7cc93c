// The widget and the agent workspace chat with each other in headless Chromium (Debian's, through
// playwright-core): the demo agent logs in through the workspace's form and goes Available, a customer starts a
// chat from the widget, the offer appears, the agent accepts, messages and typing go both ways, the customer's
// page is reloaded and the chat goes on, the agent ends the chat and clears after-contact work. Every control is
// found by role and accessible name. Run by widget_browser_test.go (CHROMIUM, BASE_URL, AGENT_USER,
// AGENT_PASSWORD, SCREENSHOTS, CHATJS_PAGE_URL: a page on another origin that loads the unmodified ChatJS, DROP_URL: cuts every WebSocket, SUPERVISOR_USER and SUPERVISOR_PASSWORD).
'use strict';
const assert = require('node:assert/strict');
const path = require('node:path');
const { run, openPage, logIn } = require('./browser-env.js');

run(async (browser) => {
  const env = process.env;
  const agent = await openPage(browser, 'agent', { viewport: { width: 1100, height: 700 } });
  const customer = await openPage(browser, 'customer', { viewport: { width: 1000, height: 700 } });

  await agent.goto(env.BASE_URL + '/agent/');
  // Focus order of the login form: Username (focused first), Password, Log in.
  assert.equal(await agent.evaluate(() => document.activeElement.id), 'username');
  await agent.keyboard.press('Tab');
  assert.equal(await agent.evaluate(() => document.activeElement.id), 'password');
  await agent.keyboard.press('Tab');
  assert.equal(await agent.evaluate(() => document.activeElement.textContent), 'Log in');
  await agent.getByLabel('Username').fill(env.AGENT_USER);
  await agent.getByLabel('Password').fill(env.AGENT_PASSWORD);
  await agent.getByRole('button', { name: 'Log in' }).click();
  await agent.getByLabel('Status').selectOption('Available');
  console.log('the agent is Available');

  await customer.goto(env.BASE_URL + '/');
  await customer.getByRole('button', { name: 'Chat with us' }).click();
  await customer.getByRole('textbox', { name: 'Your name' }).fill('Jane');
  await customer.getByRole('button', { name: 'Start chat' }).click();
  await customer.getByRole('textbox', { name: 'Message' }).fill('I need help with my order');
  await customer.getByRole('button', { name: 'Send' }).click();

  await agent.getByRole('button', { name: 'Accept' }).click({ timeout: 20000 });
  const chat = agent.getByRole('log', { name: 'Chat with Jane' });
  await chat.getByText('I need help with my order').waitFor({ timeout: 15000 });
  console.log('the agent accepted and sees the message');

  // Typing shows on the other side, then the answer arrives.
  await customer.getByRole('textbox', { name: 'Message' }).pressSequentially('a', { delay: 10 });
  await agent.getByRole('status').getByText(/is typing/).waitFor({ timeout: 15000 });
  await customer.getByRole('textbox', { name: 'Message' }).fill('');
  const reply = agent.getByRole('textbox', { name: /^Message to / });
  await reply.pressSequentially('Hello', { delay: 10 });
  await customer.getByRole('status').getByText(/is typing/).waitFor({ timeout: 15000 });
  await reply.fill('Hello, I am looking at your order now.');
  await reply.press('Enter');
  await customer.getByRole('log').getByText('Hello, I am looking at your order now.').waitFor({ timeout: 15000 });
  console.log('messages and typing go both ways');

  // The customer sends a file; the agent gets a link that downloads it.
  await customer.locator('input[type=file]').setInputFiles({ name: 'order.txt', mimeType: 'text/plain',
    buffer: Buffer.from('order #1234, late') });
  const link = chat.getByRole('link', { name: /order\.txt/ });
  await link.waitFor({ timeout: 15000 });
  let href = '#';
  for (let i = 0; i < 50 && href === '#'; i++) { href = await link.getAttribute('href'); await new Promise((r) => setTimeout(r, 100)); }
  assert.equal(await (await fetch(new URL(href, env.BASE_URL))).text(), 'order #1234, late');
  await customer.getByRole('log').getByRole('button', { name: /order\.txt/ }).waitFor();
  console.log('an attachment went from the widget to the workspace');

  // The agent answers with a quick reply, and sends a file back.
  await agent.getByRole('combobox', { name: 'Quick reply' }).selectOption('Let me check that for you.');
  await reply.press('Enter');
  await customer.getByRole('log').getByText('Let me check that for you.').waitFor({ timeout: 15000 });
  await agent.locator('input[type=file]').setInputFiles({ name: 'receipt.txt', mimeType: 'text/plain',
    buffer: Buffer.from('paid') });
  await customer.getByRole('log').getByRole('button', { name: /receipt\.txt/ }).waitFor({ timeout: 15000 });
  console.log('a quick reply and a file went from the workspace to the widget');

  // The customer reloads: the chat resumes, and goes on.
  await customer.reload();
  await customer.getByRole('log').getByText('Hello, I am looking at your order now.').waitFor({ timeout: 15000 });
  await customer.getByRole('textbox', { name: 'Message' }).fill('thanks!');
  await customer.getByRole('textbox', { name: 'Message' }).press('Enter');
  await chat.getByText('thanks!').waitFor({ timeout: 15000 });
  await agent.screenshot({ path: path.join(env.SCREENSHOTS, 'workspace.png') });

  // Every socket is cut (as a network drop would); the agent writes meanwhile; the widget reconnects and
  // shows each missed message once.
  assert.equal((await fetch(env.DROP_URL)).status, 204);
  for (const m of ['while you were away 1', 'while you were away 2']) {
    await reply.fill(m);
    await reply.press('Enter');
  }
  for (const m of ['while you were away 1', 'while you were away 2']) {
    await customer.getByRole('log').getByText(m).waitFor({ timeout: 20000 });
    assert.equal(await customer.getByRole('log').getByText(m, { exact: true }).count(), 1, `"${m}" shown once`);
  }
  console.log('after a dropped connection the widget caught up');

  // A supervisor sees the queues, the agents and the live chat, monitors it silently, then barges in.
  const sup = await openPage(browser, 'supervisor', { viewport: { width: 1100, height: 800 } });
  await logIn(sup, env.BASE_URL, env.SUPERVISOR_USER, env.SUPERVISOR_PASSWORD);
  await sup.getByRole('table', { name: 'Queues' }).getByText('BasicQueue').waitFor({ timeout: 15000 });
  await sup.getByRole('table', { name: 'Agents' }).getByText(env.AGENT_USER, { exact: true }).waitFor({ timeout: 15000 });
  await sup.getByRole('button', { name: /^Monitor / }).first().click({ timeout: 15000 });
  const watched = sup.getByRole('log', { name: /^Chat with / });
  await watched.getByText('I need help with my order').waitFor({ timeout: 15000 });
  assert.ok(await sup.getByRole('textbox', { name: /^Message to / }).isDisabled(), 'a silent monitor cannot write');
  await sup.getByRole('button', { name: 'Barge in' }).click();
  await sup.getByRole('textbox', { name: /^Message to / }).fill('A supervisor here, all is well.');
  await sup.getByRole('textbox', { name: /^Message to / }).press('Enter');
  await customer.getByRole('log').getByText('A supervisor here, all is well.').waitFor({ timeout: 15000 });
  await sup.screenshot({ path: path.join(env.SCREENSHOTS, 'supervisor.png') });
  console.log('a supervisor monitored the chat and barged in');

  // The agent sees the customer read the answer... and the customer sees "Read" under their message once the
  // agent's workspace shows it.
  await customer.getByRole('log').getByText('Read', { exact: true }).waitFor({ timeout: 15000 });

  // A transfer back to the queue: the agent's contact goes to after-contact work, the new contact is offered
  // (to the same agent, the only one), and its transcript holds the history.
  await agent.getByRole('combobox', { name: 'Transfer to' }).selectOption({ label: 'Back to the queue' });
  await agent.getByRole('button', { name: 'Transfer' }).click();
  await agent.getByRole('button', { name: 'Clear' }).click({ timeout: 15000 });
  await agent.getByRole('button', { name: 'Accept' }).click({ timeout: 20000 });
  await agent.getByRole('log', { name: /^Chat with / }).getByText('I need help with my order').waitFor({ timeout: 15000 });
  await customer.getByRole('log').getByText(/transfer|Demo joined/i).last().waitFor({ timeout: 15000 });
  console.log('the chat was transferred, and the history followed');

  await agent.getByRole('button', { name: 'End chat' }).click();
  await customer.getByRole('status').getByText('The chat has ended.').waitFor({ timeout: 15000 });
  await agent.getByRole('button', { name: 'Clear' }).click({ timeout: 15000 });
  await agent.getByRole('log', { name: /^Chat with / }).waitFor({ state: 'detached', timeout: 15000 });
  console.log('the agent ended the chat and cleared after-contact work');

  // The unmodified ChatJS, on another site, started through POST /start-chat, chats with the workspace.
  const cj = await (await browser.newContext()).newPage();
  cj.on('pageerror', (e) => console.log(`[chatjs exception] ${e.message}`));
  await cj.goto(env.CHATJS_PAGE_URL);
  await cj.evaluate(async (base) => {
    const r = await fetch(base + '/start-chat', { method: 'POST', headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ ParticipantDetails: { DisplayName: 'ChatJS customer' } }) });
    const { data } = await r.json();
    connect.ChatSession.setGlobalConfig({ region: 'us-west-2', endpoint: base });
    const session = connect.ChatSession.create({ chatDetails: data.startChatResult, type: 'CUSTOMER',
      options: { region: 'us-west-2' }, disableCSM: true });
    window.agentSaid = new Promise((resolve) => session.onMessage((e) => {
      if (e.data.ParticipantRole === 'AGENT' && e.data.Type === 'MESSAGE') resolve(e.data.Content);
    }));
    await session.connect();
    await session.sendMessage({ contentType: 'text/plain', message: 'hi from ChatJS' });
  }, env.BASE_URL);
  await agent.getByRole('button', { name: 'Accept' }).click({ timeout: 20000 });
  const cjChat = agent.getByRole('log', { name: 'Chat with ChatJS customer' });
  await cjChat.getByText('hi from ChatJS').waitFor({ timeout: 15000 });
  const cjReply = agent.getByRole('textbox', { name: 'Message to ChatJS customer' });
  await cjReply.fill('Hello, ChatJS');
  await cjReply.press('Enter');
  assert.equal(await cj.evaluate(() => Promise.race([window.agentSaid,
    new Promise((_, rej) => setTimeout(() => rej(new Error('no answer in ChatJS')), 15000))])), 'Hello, ChatJS');
  console.log('ChatJS, started through /start-chat, chats with the workspace');

  const unnamed = await agent.evaluate(() => [...document.querySelectorAll('button, input, textarea, select')]
    .filter((e) => !(e.labels && e.labels.length) && !e.getAttribute('aria-label') && !e.textContent.trim()).length);
  assert.equal(unnamed, 0, 'workspace controls without an accessible name');
});
