// Drives parley's chat widget on parley's demo page in headless Chromium (Debian's, through playwright-core; no
// browser is downloaded). Run by widget_browser_test.go, which passes CHROMIUM, PAGE_URL and SCREENSHOTS, and
// plays the agent: it answers every customer message with "Agent: got <message>".
'use strict';
const assert = require('node:assert/strict');
const path = require('node:path');
const { run, openPage } = require('./browser-env.js');

run(async (browser) => {
  const env = process.env;
  const page = await openPage(browser, 'page', { viewport: { width: 1000, height: 700 } });
  await page.goto(env.PAGE_URL);

  // Found by role and accessible name, as a screen reader finds them (Playwright pierces the Shadow DOM).
  const launch = page.getByRole('button', { name: 'Chat with us' });
  await launch.click();
  assert.equal(await launch.getAttribute('aria-expanded'), 'true');
  // The pre-chat form asks a name first, and has the focus.
  const name = page.getByRole('textbox', { name: 'Your name' });
  assert.ok(await name.evaluate((e) => e === e.getRootNode().activeElement), 'opening the widget focuses the first field');
  await name.fill('Jane');
  await page.getByRole('button', { name: 'Start chat' }).click();
  const box = page.getByRole('textbox', { name: 'Message' });
  assert.ok(await box.evaluate((e) => e === e.getRootNode().activeElement), 'starting the chat focuses the message box');
  // The flow's ListPicker shows as a group of buttons; choosing one answers it, and the flow goes on.
  const menu = page.getByRole('group', { name: 'How can we help?' });
  await menu.getByRole('button', { name: 'Support' }).click({ timeout: 15000 });
  await page.getByRole('log').getByText('Support it is').waitFor({ timeout: 15000 });
  assert.ok(await menu.getByRole('button', { name: 'Billing' }).isDisabled(), 'a menu answers once');
  console.log('the flow\'s menu was answered');
  // Focus order: the message box, then Send.
  await box.press('Tab');
  assert.equal(await page.getByRole('button', { name: 'Send' }).evaluate((e) => e === e.getRootNode().activeElement), true,
    'Tab from the message box reaches Send');
  await box.focus();
  await box.fill('hello from the widget');
  await box.press('Enter');
  const log = page.getByRole('log');
  assert.equal(await log.getAttribute('aria-live'), 'polite');
  await log.getByText('Agent: got hello from the widget').waitFor({ timeout: 20000 });
  // The agent's markdown is rendered, safely.
  await log.locator('strong', { hasText: 'waiting' }).waitFor({ timeout: 15000 });
  console.log('the agent answered');
  await page.screenshot({ path: path.join(env.SCREENSHOTS, 'widget.png') });

  // A reload resumes the same chat, transcript included.
  await page.reload();
  await page.getByRole('log').getByText('Agent: got hello from the widget').waitFor({ timeout: 15000 });
  assert.equal(await page.getByRole('log').getByText('hello from the widget', { exact: true }).count(), 1,
    'the customer\'s message appears once after the reload');
  const box2 = page.getByRole('textbox', { name: 'Message' });
  await box2.fill('still there?');
  await page.getByRole('button', { name: 'Send' }).click();
  await page.getByRole('log').getByText('Agent: got still there?').waitFor({ timeout: 15000 });
  console.log('the chat resumed after the reload');

  // Every control has an accessible name.
  const unnamed = await page.evaluate(() => {
    const root = document.querySelector('[data-parley-chat]').shadowRoot;
    return [...root.querySelectorAll('button, textarea, input')]
      .filter((e) => !(e.getAttribute('aria-label') || e.textContent.trim())).length;
  });
  assert.equal(unnamed, 0, 'controls without an accessible name');

  await page.getByRole('button', { name: 'End chat' }).click();
  await page.getByRole('status').getByText('The chat has ended.').waitFor({ timeout: 15000 });
  assert.ok(await page.getByRole('textbox', { name: 'Message' }).isDisabled());
  await page.getByRole('button', { name: 'New chat' }).waitFor();
  console.log('the customer ended the chat');
});
