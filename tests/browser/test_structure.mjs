// The structure page: a structure token counts its stock on one screen; the server has the report,
// the page shows the new levels and alert; a retry after a network error is counted once.
import { withDemo, screenshot, assert, assertEqual } from './lib.mjs';

async function openStructure(browser, server, token, size) {
  const page = await browser.page();
  if (size) await page.setViewportSize(size);
  await page.goto(`${server.url}/structure.html?token=${encodeURIComponent(token)}`);
  await page.waitForSelector('body[data-ready="1"]', { timeout: 20000 });
  await page.waitForSelector('#conn[data-state="live"]', { timeout: 10000 });
  return page;
}

export const tests = [
  {
    name: 'the structure page submits a report (the level shows up, the server has it)',
    fn: () => withDemo(async ({ server, browser }) => {
      const [s] = await server.ehpads(1, '34');
      const token = server.makeToken('structure', { subject: s.id });
      const page = await openStructure(browser, server, token, { width: 412, height: 915 }); // a phone
      assertEqual(new URL(page.url()).search, '', 'the token is removed from the address');
      assertEqual((await page.textContent('#structure-name')).trim(), s.name, 'its own name');
      // the items it holds, one big input each
      const lines = await page.locator('#report-lines input[data-item]').count();
      const held = await server.api('GET', `/stock/levels?holder_kind=structure&holder_id=${s.id}&limit=500`);
      assert(held.total > 0, 'the demo structure holds stock');
      assertEqual(lines, held.total, 'one input per item the structure holds');
      const box = await page.locator('#q-respirator').boundingBox();
      assert(box.height >= 44, `inputs large enough for a finger (${box.height}px)`);

      // a count in line with the last one (a far one asks first: test_cell)
      const gloves = held.items.find((l) => l.item === 'gloves-examination');
      const count = Math.max(11, Math.round(gloves.quantity * 0.8));
      await page.fill('#q-respirator', '0');
      await page.fill('#q-gloves-examination', String(count));
      await page.fill('#occupancy', String(Math.max(0, (s.occupancy || 10) - 1)));
      let key = null;
      let sentBody = null;
      page.on('request', (r) => {
        if (r.url().endsWith('/api/v1/stock/reports')) {
          key = r.headers()['idempotency-key'];
          sentBody = JSON.parse(r.postData());
        }
      });
      await page.click('#report-submit');
      await page.waitForSelector('#report-status.ok', { timeout: 5000 });
      assert(key && key.length > 10, 'the report carried an Idempotency-Key');
      const reportId = Number(await page.getAttribute('#report-status', 'data-report-id'));
      assert(reportId > 0, 'the report number is shown');

      // the server has it
      const lv = await server.api('GET', `/stock/levels?holder_kind=structure&holder_id=${s.id}&item=respirator`);
      assertEqual(lv.items[0].quantity, 0, 'respirators counted 0 on the server');
      const gl = await server.api('GET', `/stock/levels?holder_kind=structure&holder_id=${s.id}&item=gloves-examination`);
      assertEqual(gl.items[0].quantity, count, 'gloves counted on the server');
      // the page shows the new level and the alert it opened
      await page.waitForSelector('#s-levels tr[data-item="respirator"] td.cover-stockout');
      const glovesRow = (await page.textContent('#s-levels tr[data-item="gloves-examination"]')).replace(/[\s\u00a0\u202f]/g, '');
      assert(glovesRow.includes(String(count)), `new level in the table (${glovesRow})`);
      await page.waitForSelector('#s-alerts li.alert.sev-stockout', { timeout: 3000 });
      assertEqual(await page.inputValue('#q-respirator'), '', 'the form is emptied for the next count');
      await screenshot(page, 'structure-phone', { fullPage: true });

      // the same key again is the same report: nothing counted twice
      const again = await server.http('POST', '/stock/reports', { token, key, body: sentBody });
      assertEqual(again.data.report_id, reportId, `a replay with the key answers the first report (${JSON.stringify(again.data)})`);
      // the request-staff form is there, ready (its use: test_deploy)
      assert(!(await page.locator('#staff-form button[type="submit"]').isDisabled()), 'staff requests can be sent');
      assertEqual(await page.inputValue('#staff-start'), '07:00', 'a day shift by default');
    }),
  },
  {
    name: 'a report whose answer is lost is sent again with the same key and counted once',
    fn: () => withDemo(async ({ server, browser }) => {
      const [s] = await server.ehpads(1, '12');
      const token = server.makeToken('structure', { subject: s.id });
      const page = await openStructure(browser, server, token);
      const keys = [];
      let firstId = null;
      // the first POST reaches renfortd (which commits it), then the answer is "lost"
      await page.route('**/api/v1/stock/reports', async (route) => {
        keys.push(route.request().headers()['idempotency-key']);
        if (keys.length === 1) {
          const res = await route.fetch();
          firstId = (await res.json()).report_id;
          await route.abort('connectionreset');
        } else {
          await route.continue();
        }
      });
      await page.fill('#q-respirator', '0'); // an empty shelf: always taken at once
      await page.click('#report-submit');
      await page.waitForSelector('#report-status.ok', { timeout: 10000 });
      assertEqual(keys.length, 2, 'sent twice (the first answer was lost)');
      assertEqual(keys[0], keys[1], 'with the same Idempotency-Key');
      const shown = Number(await page.getAttribute('#report-status', 'data-report-id'));
      assertEqual(shown, firstId, 'the retry got the first report back: counted once');
      assertEqual(await page.evaluate(() => localStorage.getItem('renfort.pending-report')), null, 'nothing left pending');
    }, { allowProblems: [/ERR_CONNECTION_RESET|Failed to load resource/] }),
  },
];
