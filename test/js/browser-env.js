// What the *.browser.js scripts share: Debian's Chromium through playwright-core, kept off every network but
// loopback, and pages that print their errors.
'use strict';
const { chromium } = require('playwright-core');

// run launches Chromium (the CHROMIUM environment variable), runs body with it, closes it, and ends the process
// with status 1 when body fails.
function run(body) {
  (async () => {
    const browser = await chromium.launch({
      executablePath: process.env.CHROMIUM,
      args: ['--no-sandbox', '--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE 127.0.0.1'],
    });
    try {
      await body(browser);
    } finally {
      await browser.close();
    }
  })().catch((e) => { console.error(e); process.exit(1); });
}

// openPage opens a page in a browser context of its own (viewport: its size, optional); its exceptions and console
// errors (and warnings, with warnings set) are printed with who before them.
async function openPage(browser, who, { viewport, warnings } = {}) {
  const p = await (await browser.newContext(viewport ? { viewport } : {})).newPage();
  p.on('pageerror', (e) => console.log(`[${who} exception] ${e.message}`));
  p.on('console', (m) => {
    if (m.type() === 'error' || (warnings && m.type() === 'warning')) console.log(`[${who} ${m.type()}] ${m.text()}`);
  });
  return p;
}

// logIn signs in to the agent workspace at base + '/agent/' on page p with its form.
async function logIn(p, base, user, password) {
  await p.goto(base + '/agent/');
  await p.getByLabel('Username').fill(user);
  await p.getByLabel('Password').fill(password);
  await p.getByRole('button', { name: 'Log in' }).click();
}

module.exports = { run, openPage, logIn };
