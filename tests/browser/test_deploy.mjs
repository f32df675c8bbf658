// Deployments on the three screens: a structure asks for a nurse on its page; a volunteer called
// sees the call on theirs and accepts; the coordinator's requests board and the structure's page
// show it live (1 / 1, and who is coming).
import { withDemo, screenshot, assert, assertEqual, openDashboard } from './lib.mjs';

async function open(browser, server, file, token, size) {
  const page = await browser.page();
  if (size) await page.setViewportSize(size);
  await page.goto(`${server.url}/${file}?token=${encodeURIComponent(token)}`);
  await page.waitForSelector('body[data-ready="1"]', { timeout: 20000 });
  await page.waitForSelector('#conn[data-state="live"]', { timeout: 10000 });
  return page;
}

function tomorrow() {
  return new Date(Date.now() + 86400000).toISOString().slice(0, 10);
}

export const tests = [
  {
    name: 'a structure asks, a volunteer accepts on the page, the coordinator sees it live',
    fn: () => withDemo(async ({ server, browsers }) => {
      const [s] = await server.ehpads(1, '81');
      // a nurse of the structure's commune, so that somebody is called whatever the demo drew
      await server.api('POST', '/volunteers', {
        body: {
          first_name: 'Anaïs', last_name: 'Navigateur', phone: '+33639989901', profession: 'nurse', home_commune: s.commune,
          consent_at: '2024-03-01', credentials: [{ kind: 'diploma' }],
        },
      });
      const stoken = server.makeToken('structure', { subject: s.id });
      const [b1, b2, b3] = browsers;
      const dash = await openDashboard(b1, server);
      const spage = await open(b2, server, 'structure.html', stoken, { width: 412, height: 915 });

      // the structure asks for one nurse tomorrow, 07:00 to 19:00
      await spage.selectOption('#staff-profession', 'nurse');
      await spage.fill('#staff-count', '1');
      await spage.fill('#staff-date', tomorrow());
      await spage.fill('#staff-start', '07:00');
      await spage.fill('#staff-end', '19:00');
      await spage.fill('#staff-address', '3 rue des Lilas');
      await spage.click('#staff-submit');
      await spage.waitForSelector('#staff-status.ok', { timeout: 10000 });
      const mine = await server.api('GET', `/deployments/requests?structure_id=${s.id}`);
      assertEqual(mine.items.length, 1, 'the server has the request');
      const req = await server.api('GET', `/deployments/requests/${mine.items[0].id}`);
      assertEqual(req.address, '3 rue des Lilas', 'the address given');
      assert(req.call_list.length >= 1, 'somebody was called');
      const row = `#staff-requests li[data-request="${req.id}"]`;
      await spage.waitForSelector(row, { timeout: 5000 });
      assertEqual((await spage.textContent(`${row} .progress-text`)).trim(), '0 / 1', 'nobody yet');

      // the coordinator's board has it, live
      const board = `#requests li[data-request="${req.id}"]`;
      await dash.waitForSelector(board, { timeout: 10000 });
      assertEqual((await dash.textContent(`${board} .progress-text`)).trim(), '0 / 1', 'the board: nobody yet');

      // the first volunteer called accepts on their page
      const called = req.call_list[0];
      const vtoken = server.makeToken('volunteer', { subject: called.volunteer_id });
      const vpage = await open(b3, server, 'volunteer.html', vtoken, { width: 412, height: 915 });
      const call = `#calls li[data-call="${called.id}"]`;
      await vpage.waitForSelector(call, { timeout: 5000 });
      assert((await vpage.textContent(call)).includes(called.code), 'the reply code is shown');
      await vpage.click(`${call} button[data-answer="accept"]`);
      await vpage.waitForSelector(`${call}[data-status="accepted"]`, { timeout: 10000 });
      assert((await vpage.textContent(call)).includes('3 rue des Lilas'), 'the address, once accepted');
      await screenshot(vpage, 'deploy-volunteer-accepted', { fullPage: true });

      // live: the board says 1 / 1, the structure sees who is coming
      await dash.waitForFunction((sel) => {
        const el = document.querySelector(sel);
        return el && el.textContent.trim() === '1 / 1';
      }, `${board} .progress-text`, { timeout: 10000 });
      await spage.waitForFunction((sel) => {
        const el = document.querySelector(sel);
        return el && el.textContent.trim() === '1 / 1';
      }, `${row} .progress-text`, { timeout: 10000 });
      const vol = await server.api('GET', `/volunteers/${called.volunteer_id}`);
      await spage.waitForSelector(`${row} .person`, { timeout: 10000 });
      const person = await spage.textContent(`${row} .person`);
      assert(person.includes(vol.last_name) && person.includes(vol.phone), `name and phone shown (${person})`);
      // the coordinator opens the calls: the acceptance and its reply are there
      await dash.click(`${board} button[data-act="details"]`);
      await dash.waitForSelector(`${board} table.calls tr[data-call="${called.id}"]`, { timeout: 10000 });
      assert((await dash.textContent(`${board} .replies`)).length > 0, 'the reply is listed');
      await screenshot(spage, 'deploy-structure', { fullPage: true });
      await dash.locator('#sec-deploy').scrollIntoViewIfNeeded();
      await screenshot(dash, 'deploy-dashboard', { fullPage: false });
    }, { browsers: 3 }),
  },
];
