// Joining the reserve: a newcomer signs up on the public page from a phone (the code read from the
// SMS log gateway's file), a coordinator sees the sign-up arrive live on the dashboard and validates
// it, and the newcomer is then callable; the link received by SMS opens their page.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { withDemo, screenshot, assert, assertEqual, openDashboard, sleep } from './lib.mjs';

const PHONE_TYPED = '06 39 98 99 51';
const PHONE = '+33639989951';

// The SMS the log gateway wrote to PHONE (JSON lines), waiting for the one whose text matches re.
async function smsMatching(file, re, timeoutMs = 10000) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const lines = fs.existsSync(file) ? fs.readFileSync(file, 'utf8').split('\n').filter(Boolean) : [];
    for (const line of lines.reverse()) {
      const m = JSON.parse(line);
      const found = m.to === PHONE && re.exec(m.text);
      if (found) return { sms: m, match: found };
    }
    await sleep(100);
  }
  throw new Error(`no SMS to ${PHONE} matching ${re} in ${file}`);
}

function inDays(n) {
  return new Date(Date.now() + n * 86400000).toISOString().slice(0, 10);
}

export const tests = [
  {
    name: 'a newcomer signs up with the SMS code, a coordinator validates, the newcomer is callable',
    fn: () => {
      const smsFile = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'renfort-sms-')), 'sms.jsonl');
      return withDemo(async ({ server, browsers }) => {
        const [b1, b2] = browsers;
        const dash = await openDashboard(b2, server);
        await dash.waitForSelector('#pending-box:not([hidden])', { timeout: 10000 });

        // the public page, on a phone, in English
        const page = await b1.page();
        await page.setViewportSize({ width: 412, height: 915 });
        await page.goto(`${server.url}/signup.html`);
        await page.waitForSelector('body[data-ready="1"]', { timeout: 20000 });
        await page.click('button[data-lang="en"]');
        await page.fill('#su-phone', PHONE_TYPED);
        await page.click('#su-send-code');
        await page.waitForSelector('#su-form:not([hidden])', { timeout: 10000 });
        const { sms, match } = await smsMatching(smsFile, /confirmation code is (\d{6})\./);
        assertEqual(sms.lang, 'en', 'the code SMS in the page\'s language');

        await page.fill('#su-code', match[1]);
        await page.fill('#su-first', 'Noémie');
        await page.fill('#su-last', 'Inscrite');
        await page.selectOption('#su-profession', 'nurse');
        // the commune by its name, as the search proposes it
        await page.fill('#su-commune', 'Gaill');
        await page.waitForSelector('#su-communes option[value="Gaillac (81099)"]', { state: 'attached', timeout: 10000 });
        await page.fill('#su-commune', 'Gaillac (81099)');
        await page.fill('#su-radius', '150');
        await page.fill('#su-creds .cred-ref', 'DE-2021-0451');
        await page.check('#su-consent');
        await screenshot(page, 'signup-form', { fullPage: true });
        await page.click('#su-submit');
        await page.waitForSelector('#su-done:not([hidden])', { timeout: 10000 });

        // the welcome SMS carries the personal link; it opens the volunteer's page
        const welcome = await smsMatching(smsFile, /(http:\/\/\S+\/volunteer\.html\?token=\S+)/);
        const link = welcome.match[1];
        assert(link.startsWith(server.url), `the link points at renfortd (${link})`);

        // live on the dashboard: a sign-up to validate
        const row = '#pending-volunteers li.pending';
        await dash.waitForSelector(row, { timeout: 10000 });
        assert((await dash.textContent(row)).includes('Noémie Inscrite'), 'the newcomer is listed');
        assert((await dash.textContent(row)).includes('DE-2021-0451'), 'with the credential to check');
        const id = Number(await dash.getAttribute(row, 'data-volunteer'));
        const v = await server.api('GET', `/volunteers/${id}`);
        assertEqual(JSON.stringify([v.status, v.phone, v.home_commune, v.dep]), JSON.stringify(['pending', PHONE, '81099', '81']), 'pending');

        // not callable yet
        const [s] = await server.ehpads(1, '81');
        const day = inDays(3);
        const body = { structure_id: s.id, professions: ['nurse'], count: 1, shifts: [{ start: `${day}T07:00`, end: `${day}T19:00` }] };
        let p = await server.api('POST', `/deployments/preview?volunteer_id=${id}`, { body });
        assertEqual(p.excluded.map((e) => e.rule).join(), 'status', 'pending: excluded by its status');

        await screenshot(dash, 'signup-pending', { fullPage: false });
        await dash.click(`${row} button[data-validate="${id}"]`);
        await dash.waitForSelector(`#pending-volunteers li[data-volunteer="${id}"]`, { state: 'detached', timeout: 10000 });
        assertEqual((await server.api('GET', `/volunteers/${id}`)).status, 'active', 'validated');
        p = await server.api('POST', `/deployments/preview?volunteer_id=${id}`, { body });
        assertEqual(p.candidates.map((c) => c.volunteer_id).join(), String(id), 'callable once validated');

        // the link from the SMS opens their own page
        const mine = await b1.page();
        await mine.goto(link);
        await mine.waitForSelector('body[data-ready="1"]', { timeout: 20000 });
        await mine.waitForFunction(() => document.body.textContent.includes('Noémie'), null, { timeout: 10000 });
      }, { browsers: 2, extra: ['--set', `sms_log_file=${smsFile}`] })
        .finally(() => fs.rmSync(path.dirname(smsFile), { recursive: true, force: true }));
    },
  },
];
