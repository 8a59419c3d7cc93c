// The agent workspace tells the agent how the customer's sign-in went: a customer signs in from parley's widget
// (the flow's Authenticate Customer block, then the queue), and the demo agent, in the workspace, accepts the chat
// and sees the sign-in in it. Run by auth_browser_test.go (CHROMIUM, PAGE_URL, CALLBACK_URL, BASE_URL,
// AGENT_USER, AGENT_PASSWORD).
'use strict';
const { run, openPage, logIn } = require('./browser-env.js');

run(async (browser) => {
  const env = process.env;
  const agent = await openPage(browser, 'agent', { viewport: { width: 1100, height: 700 } });
  const customer = await openPage(browser, 'customer', { viewport: { width: 1000, height: 700 } });
  await logIn(agent, env.BASE_URL, env.AGENT_USER, env.AGENT_PASSWORD);
  await agent.getByLabel('Status').selectOption('Available');
  console.log('the agent is Available');

  await customer.goto(env.PAGE_URL);
  await customer.getByRole('button', { name: 'Chat with us' }).click();
  await customer.getByRole('textbox', { name: 'Your name' }).fill('Guest');
  await customer.getByRole('button', { name: 'Start chat' }).click();
  const signIn = customer.getByRole('log').getByRole('button', { name: 'Sign in' });
  await signIn.waitFor({ timeout: 15000 });
  const [popup] = await Promise.all([customer.waitForEvent('popup'), signIn.click()]);
  await popup.waitForURL((u) => u.href.startsWith(env.CALLBACK_URL + '?'), { timeout: 15000 });
  await popup.close();
  await customer.getByRole('log').getByText('Welcome back Ann').waitFor({ timeout: 15000 });
  console.log('the customer signed in');

  // The flow then queues the chat: the agent takes it and reads the sign-in in the chat, under the name the
  // customer signed in with.
  await agent.getByRole('button', { name: 'Accept' }).click({ timeout: 20000 });
  const chat = agent.getByRole('log', { name: 'Chat with Ann' });
  await chat.getByText('The customer was asked to sign in.').waitFor({ timeout: 15000 });
  await chat.getByText('The customer signed in.').waitFor({ timeout: 15000 });
  await chat.getByText('Welcome back Ann').waitFor({ timeout: 15000 });
  console.log('the agent sees the sign-in');
});
