// Drives parley's chat widget through a customer sign-in (the flow's Authenticate Customer block) on parley's demo
// page in headless Chromium. Run by auth_browser_test.go, which passes CHROMIUM, PAGE_URL and CALLBACK_URL
// (parley's callback page, where the fake OpenID Connect provider sends the popup). The flow asks twice: the first
// time the customer signs in, the second time they go on without signing in.
'use strict';
const assert = require('node:assert/strict');
const { run, openPage } = require('./browser-env.js');

run(async (browser) => {
  const env = process.env;
  const page = await openPage(browser, 'page', { viewport: { width: 1000, height: 700 } });
  const asked = [];
  page.on('request', (r) => { if (r.method() === 'POST' && r.url().endsWith('/participant/authentication-url')) asked.push(JSON.parse(r.postData())); });
  await page.goto(env.PAGE_URL);

  await page.getByRole('button', { name: 'Chat with us' }).click();
  await page.getByRole('textbox', { name: 'Your name' }).fill('Guest');
  await page.getByRole('button', { name: 'Start chat' }).click();

  // authentication.initiated: a prompt with "Sign in" and "Continue without signing in".
  const log = page.getByRole('log');
  const first = log.getByRole('group', { name: 'Please sign in to your account' }).first();
  const signIn = first.getByRole('button', { name: 'Sign in' });
  await signIn.waitFor({ timeout: 15000 });
  console.log('the widget asks the customer to sign in');

  // "Sign in" opens the provider's sign-in page in a popup, which the provider sends on to parley's callback.
  const [popup] = await Promise.all([page.waitForEvent('popup'), signIn.click()]);
  await popup.waitForURL((u) => u.href.startsWith(env.CALLBACK_URL + '?'), { timeout: 15000 });
  assert.match(await popup.locator('body').innerText(), /close this window/);
  await popup.close();
  // (The flow's second sign-in may have started already: only the first request is looked at here.)
  assert.ok(asked.length >= 1, 'GetAuthenticationUrl was asked');
  assert.equal(asked[0].RedirectUri, env.CALLBACK_URL);
  assert.equal(asked[0].SessionId.length, 36);
  console.log('the customer signed in in the popup');

  await log.getByText('You are now signed in to your account').waitFor({ timeout: 15000 });
  await log.getByText('Welcome back Ann').waitFor({ timeout: 15000 });
  assert.ok(await signIn.isDisabled(), 'the finished sign-in cannot be started again');
  assert.ok(await first.getByRole('button', { name: 'Continue without signing in' }).isDisabled());
  console.log('the outcome shows in the chat');

  // The flow asks again: the customer goes on without signing in (CancelParticipantAuthentication).
  const second = log.getByRole('group', { name: 'Please sign in to your account' }).nth(1);
  const skip = second.getByRole('button', { name: 'Continue without signing in' });
  await skip.waitFor({ timeout: 15000 });
  await skip.click();
  await log.getByText('Sign in cancelled').waitFor({ timeout: 15000 });
  await log.getByText('You chose not to sign in.').waitFor({ timeout: 15000 });
  assert.ok(await second.getByRole('button', { name: 'Sign in' }).isDisabled());
  assert.equal(asked.length, 2, 'the second sign-in\'s URL was asked for too');
  assert.notEqual(asked[1].SessionId, asked[0].SessionId);
  console.log('the customer declined the second sign-in');

  // A reload replays the transcript: both prompts are shown finished, and no URL is asked for again.
  await page.reload();
  await page.getByRole('log').getByText('You chose not to sign in.').waitFor({ timeout: 15000 });
  const prompts = page.getByRole('log').getByRole('group', { name: 'Please sign in to your account' });
  assert.equal(await prompts.count(), 2);
  for (const b of await prompts.getByRole('button').all()) assert.ok(await b.isDisabled(), 'a replayed prompt is finished');
  // The widget asks for a prompt's URL in a timer of its own; a timer of the page's after it, then a marker
  // request, make sure any such request was seen before counting.
  await page.evaluate(() => new Promise((r) => setTimeout(r, 0)));
  const marker = page.waitForRequest((r) => r.url().endsWith('/favicon.ico?marker'));
  await page.evaluate(() => fetch('/favicon.ico?marker').catch(() => {}));
  await marker;
  assert.equal(asked.length, 2, 'no URL asked for past sign-ins');
  console.log('the reload shows the past sign-ins as finished');
});
