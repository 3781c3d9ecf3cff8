import { randomUUID } from 'node:crypto';
import type { Page } from 'playwright-core';
import { startProjector, type RunningProjector } from '../../apps/projector/src/projector.app';
import { eventually } from '../support/environment';
import { TestKafka } from '../support/kafka';
import {
  ADMIN_KEY,
  API_KEY,
  appendEvents,
  dropSchemas,
  scenario,
  testConfig,
  withDb,
} from '../projector/projector.fixtures';
import { launchBrowser, screenshot } from './browser';

/** Each payload would set window.__xss or open a dialog if it ran; rendered as text it does nothing. */
const XSS = {
  attribute: '<img src=x onerror="window.__xss=1">',
  attribute2: '<script>window.__xss=2</script>',
  url: 'https://app.example.test/sent/"><img src=x onerror=window.__xss=3>?q=<script>window.__xss=4</script>',
  snippet: '</pre><script>window.__xss=5</script><b onmouseover="window.__xss=6">boom</b>',
};

describe('the operator console in a browser', () => {
  const tk = new TestKafka();
  const config = testConfig({ workers: { projection: true, relay: true, mail: false, recovery: false } });
  let projector: RunningProjector;
  let browser: Awaited<ReturnType<typeof launchBrowser>>;
  let page: Page;
  const dialogs: string[] = [];

  // The most hostile id the contract allows (letters, digits, . _ : -): it looks like a URL scheme.
  const broken = scenario(`javascript:alert.${randomUUID().slice(0, 8)}`);
  const healthy = scenario(`ok-${randomUUID().slice(0, 8)}`);
  const messageId = randomUUID();
  const sent = broken.sent(messageId, { name: XSS.attribute, note: XSS.attribute2 });
  const attempts = [
    broken.attempted(sent, 1, 'retrying'),
    broken.attempted(sent, 2, 'retrying'),
    broken.attempted(sent, 3, 'failed'),
  ];
  for (const a of attempts) {
    a.data.url = XSS.url;
    a.data.responseSnippet = XSS.snippet;
  }
  const failed = broken.failed(sent);
  failed.data.url = XSS.url;
  const okSent = healthy.sent();

  beforeAll(async () => {
    await tk.createTopic(config.logTopic, 3);
    await appendEvents(tk, config.logTopic, [
      broken.configured(),
      sent,
      ...attempts,
      failed,
      healthy.configured(),
      okSent,
      healthy.attempted(okSent, 1, 'succeeded', 200),
      healthy.completed(1),
    ]);
    projector = await startProjector(config, { host: '127.0.0.1', logger: ['error'] });
    // The disable is on the log (not "disable pending") once the relay published it.
    await eventually(
      () =>
        withDb(async (db) => {
          const { rows } = await db.query(
            `SELECT 1 FROM "${config.schema}".outbox_events WHERE communication_id = $1 AND published_offset IS NOT NULL`,
            [broken.communicationId],
          );
          return rows.length > 0 ? true : undefined;
        }),
      { what: 'the automatic disable on the log' },
    );
    await eventually(
      () =>
        withDb(async (db) => {
          const { rows } = await db.query(
            `SELECT status FROM "${config.schema}".batches WHERE batch_id = $1`,
            [healthy.batchId],
          );
          return rows[0]?.status === 'complete' ? true : undefined;
        }),
      { what: 'the healthy batch to complete' },
    );
    browser = await launchBrowser();
    page = await browser.context.newPage();
    page.on('dialog', (d) => {
      dialogs.push(d.message());
      void d.dismiss();
    });
  });

  afterAll(async () => {
    await browser?.close();
    await projector?.close();
    await tk.close();
    await dropSchemas(config.schema);
  });

  async function expectNoScriptRan(): Promise<void> {
    expect(await page.evaluate('typeof window.__xss')).toBe('undefined');
    expect(await page.locator('img[src="x"], b[onmouseover]').count()).toBe(0);
    expect(dialogs).toEqual([]);
  }

  it('asks for an API key, then lists the disabled communication first', async () => {
    const login = await page.goto(`${projector.url}/console`);
    expect(page.url()).toBe(`${projector.url}/console/login`);
    expect(login?.headers()['content-security-policy']).toMatch(/default-src 'self'.*script-src 'none'/);

    await page.fill('input[name=key]', 'not-a-key-0123456789');
    await page.click('button[type=submit]');
    expect(await page.textContent('.problem')).toContain('not one of the API keys');

    await page.fill('input[name=key]', ADMIN_KEY);
    await page.click('button[type=submit]');
    expect(page.url()).toBe(`${projector.url}/console/communications`);
    const [session] = (await browser.context.cookies()).filter((c) => c.name === 'dc_console');
    expect(session).toMatchObject({ httpOnly: true, sameSite: 'Strict', path: '/console' });
    expect(session.value).not.toContain(ADMIN_KEY);

    const ids = await page.locator('table.communications tbody tr td:first-child a').allTextContents();
    expect(ids[0]).toBe(broken.communicationId);
    expect(ids).toContain(healthy.communicationId);
    expect(await page.locator('table.communications tbody tr').first().locator('.badge').textContent()).toBe(
      'disabled',
    );
    await screenshot(page, 'communications');
  });

  it('opens the disabled communication from the list and shows the failed attempts as text', async () => {
    await page.click(`text=${broken.communicationId}`);
    expect(decodeURIComponent(page.url())).toBe(
      `${projector.url}/console/communications/${broken.communicationId}`,
    );
    expect(await page.textContent('#status')).toBe('disabled');
    const why = page.locator('section.disabled');
    const rows = await why.locator('table.attempts tbody tr').allInnerTexts();
    expect(rows).toHaveLength(3);
    expect(rows[2]).toContain('HTTP 500');
    expect(rows[2]).toContain('failed');
    expect(await why.locator('table.attempts tbody tr').nth(2).locator('pre.snippet').textContent()).toBe(
      XSS.snippet,
    );
    expect(await why.locator('table.attempts td.url').first().textContent()).toBe(
      new URL(XSS.url).toString(),
    );
    // The configured URL template's userinfo and the sealed credentials are never shown.
    const config = await page.locator('table.config').innerText();
    expect(config).toContain('sealed');
    expect(await page.content()).not.toMatch(/user:pw|c2VjcmV0/);
    await expectNoScriptRan();
    await screenshot(page, 'communication');
  });

  it("shows the message's properties and every attempt, hostile values as text", async () => {
    await page.click(`section.disabled a[href="/console/messages/${messageId}"]`);
    expect(page.url()).toBe(`${projector.url}/console/messages/${messageId}`);
    const attributes = await page.locator('table.attributes td').allTextContents();
    expect(attributes).toEqual([XSS.attribute, XSS.attribute2]);
    expect(await page.locator('pre.snippet').allTextContents()).toEqual([
      XSS.snippet,
      XSS.snippet,
      XSS.snippet,
    ]);
    await expectNoScriptRan();
    await page.click(`a[href="/console/batches/${encodeURIComponent(broken.batchId)}"]`);
    expect(await page.locator('table.members td .attr').allTextContents()).toEqual([
      `name=${XSS.attribute}`,
      `note=${XSS.attribute2}`,
    ]);
    await expectNoScriptRan();
  });

  it('lists the failed attempts by receiver host', async () => {
    await page.click('nav >> text=Failed attempts');
    const host = page.locator('section.host').first();
    expect(await host.locator('h2').textContent()).toContain('app.example.test');
    expect(await host.locator('table.failures tbody tr').count()).toBe(3);
    expect(await host.locator('td.url').first().textContent()).toBe(new URL(XSS.url).toString());
    await expectNoScriptRan();
  });

  it('refuses a write without the session CSRF token, and one from a read-only session', async () => {
    const cookies = (await browser.context.cookies()).map((c) => `${c.name}=${c.value}`).join('; ');
    const forged = await fetch(
      `${projector.url}/console/communications/${encodeURIComponent(broken.communicationId)}/enable`,
      {
        method: 'POST',
        headers: { cookie: cookies, 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ by: 'attacker', reason: 'csrf', _csrf: 'guessed' }),
        redirect: 'manual',
      },
    );
    expect(forged.status).toBe(403);

    // The same browser, logged in again with a read key (the admin logs in again below).
    await browser.context.clearCookies();
    const readPage = await browser.context.newPage();
    await readPage.goto(`${projector.url}/console/login`);
    await readPage.fill('input[name=key]', API_KEY);
    await readPage.click('button[type=submit]');
    await readPage.goto(
      `${projector.url}/console/communications/${encodeURIComponent(broken.communicationId)}`,
    );
    expect(await readPage.locator('#enable').count()).toBe(0);
    expect(await readPage.textContent('section.actions')).toContain('need an admin key');
    await readPage.close();
    await browser.context.clearCookies();
  });

  it('enables the communication with the Enable button and shows the status change', async () => {
    await page.goto(`${projector.url}/console/login`);
    await page.fill('input[name=key]', ADMIN_KEY);
    await page.click('button[type=submit]');
    await page.goto(`${projector.url}/console/communications/${encodeURIComponent(broken.communicationId)}`);
    await page.fill('form.enable input[name=by]', 'on-call <b>desk</b>');
    await page.fill('form.enable input[name=reason]', 'receiver fixed');
    await page.click('#enable');
    expect(await page.textContent('.notice')).toContain('Enable requested');
    const status = await eventually(
      async () => {
        await page.reload();
        const s = await page.textContent('#status');
        return s === 'active' ? s : undefined;
      },
      { what: 'the status to become active', intervalMs: 300 },
    );
    expect(status).toBe('active');
    const history = await page.locator('table.history tbody tr').first().innerText();
    expect(history).toContain('enabled');
    expect(history).toContain('on-call <b>desk</b>');
    expect(history).toContain('receiver fixed');
    await expectNoScriptRan();
  });
});
