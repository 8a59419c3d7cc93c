// Drives the unmodified amazon-connect-chatjs in headless Chromium (Debian's, through playwright-core; no browser
// is ever downloaded): the page, served from another origin than parley, sends an attachment with
// sendAttachment and downloads it with downloadAttachment, so every request, the upload PUT and the download
// GET included, goes through the browser's real CORS checks. Run by attachments_browser_test.go, which passes:
//   CHROMIUM, PAGE_URL, PARLEY_ENDPOINT, PARLEY_REGION, CONTACT_ID, PARTICIPANT_ID, PARTICIPANT_TOKEN.
'use strict';
const assert = require('node:assert/strict');
const { run, openPage } = require('./browser-env.js');

run(async (browser) => {
  const env = process.env;
  const page = await openPage(browser, 'page', { warnings: true });
  const requests = [];
  page.on('request', (r) => requests.push(`${r.method()} ${new URL(r.url()).pathname}`));
  // ChatJS never reads the body of the upload PUT's response, so Chromium reports that request as aborted
  // after its 200; only other failures are worth a line.
  page.on('requestfailed', (r) => {
    if (r.failure()?.errorText !== 'net::ERR_ABORTED') console.log(`[request failed] ${r.method()} ${r.url()}: ${r.failure()?.errorText}`);
  });

  await page.goto(env.PAGE_URL);
  assert.equal(typeof (await page.evaluate(() => typeof window.connect)), 'string');

  const result = await page.evaluate(async (cfg) => {
    const withTimeout = (p, ms, what) => Promise.race([p,
      new Promise((_, rej) => setTimeout(() => rej(new Error(`timed out waiting for ${what}`)), ms))]);
    connect.ChatSession.setGlobalConfig({ region: cfg.region, endpoint: cfg.endpoint });
    const session = connect.ChatSession.create({
      chatDetails: { ContactId: cfg.contactId, ParticipantId: cfg.participantId, ParticipantToken: cfg.participantToken },
      type: 'CUSTOMER', options: { region: cfg.region }, disableCSM: true,
    });
    let gotAttachment;
    const attachmentItem = new Promise((resolve) => { gotAttachment = resolve; });
    session.onMessage((e) => { if (e.data.Type === 'ATTACHMENT') gotAttachment(e.data); });
    await withTimeout(session.connect(), 15000, 'connect');

    // A PNG-looking file of 200 KB: image/png is not a CORS-safelisted type, so the PUT is preflighted.
    const bytes = new Uint8Array(200 * 1024);
    bytes.set([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
    for (let i = 8; i < bytes.length; i++) bytes[i] = (i * 31 + (i >> 8)) & 0xff;
    const file = new File([bytes], 'screen shot.png', { type: 'image/png' });
    await withTimeout(session.sendAttachment({ attachment: file }), 15000, 'sendAttachment');
    const item = await withTimeout(attachmentItem, 15000, 'the ATTACHMENT item');

    const blob = await withTimeout(session.downloadAttachment({ attachmentId: item.Attachments[0].AttachmentId }),
      15000, 'downloadAttachment');
    const got = new Uint8Array(await blob.arrayBuffer());
    let same = got.length === bytes.length;
    for (let i = 0; same && i < got.length; i++) same = got[i] === bytes[i];

    // A refused upload is visible to the page as an error status, not as a CORS failure.
    const start = await fetch(cfg.endpoint + '/participant/start-attachment-upload', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', 'X-Amz-Bearer': session.getChatDetails().connectionDetails.connectionToken },
      body: JSON.stringify({ AttachmentName: 'x.png', ContentType: 'image/png', AttachmentSizeInBytes: 4, ClientToken: 'refused-upload' }),
    }).then((r) => r.json());
    const refused = await fetch(start.UploadMetadata.Url, {
      method: 'PUT', headers: start.UploadMetadata.HeadersToInclude, body: new Uint8Array(5),
    }).then((r) => r.status, (e) => `network error: ${e}`);

    return { item, downloaded: got.length, same, blobType: blob.type, refused };
  }, {
    region: env.PARLEY_REGION, endpoint: env.PARLEY_ENDPOINT, contactId: env.CONTACT_ID,
    participantId: env.PARTICIPANT_ID, participantToken: env.PARTICIPANT_TOKEN,
  });

  console.log('browser result:', JSON.stringify({ ...result, item: result.item.Attachments }));
  assert.equal(result.item.Type, 'ATTACHMENT');
  assert.equal(result.item.ContactId, env.CONTACT_ID);
  assert.equal(result.item.ParticipantRole, 'CUSTOMER');
  assert.deepEqual(result.item.Attachments.map((a) => [a.AttachmentName, a.ContentType, a.Status]),
    [['screen shot.png', 'image/png', 'APPROVED']]);
  assert.equal(result.downloaded, 200 * 1024);
  assert.ok(result.same, 'the downloaded bytes differ from the uploaded ones');
  assert.equal(result.blobType, 'image/png');
  assert.equal(result.refused, 400, 'a PUT of the wrong size must be refused with a readable 400');
  // The page reached parley's upload and download endpoints itself (cross-origin: CORS was exercised).
  assert.ok(requests.some((r) => r.startsWith('PUT /attachments/upload/')), `no upload PUT in ${requests}`);
  assert.ok(requests.some((r) => r.startsWith('GET /attachments/download/')), `no download GET in ${requests}`);
  console.log('ok: sendAttachment and downloadAttachment work in Chromium');
});
