// The shared stock in the browser: the dashboard's allocation screen (propose for an item, read the
// explanation, edit a line, approve it, follow its dispatch and receipt live, export CSV), the
// structure's one-tap receipt (and a receipt with a discrepancy), and the depot's page (dispatch).
import fs from 'node:fs';
import path from 'node:path';
import { withDemo, openDashboard, screenshot, assert, assertEqual, sleep, ARTIFACTS } from './lib.mjs';

// A file in the artefacts' folder, for a screenshot of one element.
async function screenshotPath(name) {
  fs.mkdirSync(ARTIFACTS, { recursive: true });
  return path.join(ARTIFACTS, `${name}.png`);
}

// Two nursing homes of the Tarn out of respirators, and the Tarn's depot (its id and a token).
async function shortage(server) {
  const homes = await server.ehpads(2, '81');
  for (const s of homes) {
    await server.api('POST', '/stock/reports', {
      key: `alloc-short-${s.id}`,
      body: { holder_kind: 'structure', holder_id: s.id, items: [{ item: 'respirator', quantity: 2 }], confirmed: true },
    });
  }
  const depots = await server.api('GET', '/depots?dep=81');
  const depot = depots.items.find((d) => d.level === 'departemental');
  assert(depot, 'the demo has a depot in the Tarn');
  return { homes, depot };
}

// An allocation from the depot to a structure, approved (and dispatched when asked), by the demo's
// coordinator.
async function allocation(server, depot, structure, quantity, dispatched) {
  const a = await server.api('POST', '/allocations', {
    body: { item: 'respirator', source_kind: 'depot', source_id: depot.id, structure_id: structure.id, quantity },
  });
  await server.api('POST', `/allocations/${a.id}/approve`, { body: {} });
  if (dispatched) await server.api('POST', `/allocations/${a.id}/dispatch`, { body: {} });
  return a;
}

async function until(fn, what, ms = 10000) {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(100);
  }
}

async function openPage(browser, server, page, token) {
  const p = await browser.page();
  await p.goto(`${server.url}/${page}?token=${encodeURIComponent(token)}`);
  await p.waitForSelector('body[data-ready="1"]', { timeout: 20000 });
  await p.waitForSelector('#conn[data-state="live"]', { timeout: 10000 });
  return p;
}

export const tests = [
  {
    name: 'the allocation screen proposes, explains, edits and approves; dispatch and receipt follow live',
    fn: () => withDemo(async ({ server, browser }) => {
      const { homes, depot } = await shortage(server);
      const page = await openDashboard(browser, server);
      await page.click('a[href="#sec-alloc"]');
      await page.selectOption('#alloc-item', 'respirator');
      await page.selectOption('#alloc-dep', '81');
      await page.click('#alloc-propose');
      await page.waitForSelector('#alloc-summary', { timeout: 10000 });
      // the explanation names every structure looked at, ours among them, each with why
      for (const s of homes) {
        const row = page.locator(`#alloc-holders tr[data-structure="${s.id}"]`);
        assertEqual(await row.count(), 1, `the explanation of ${s.name}`);
        const why = (await row.locator('td.why').textContent()).trim();
        assert(why.length > 10, `a reason for ${s.name} (${why})`);
      }
      const home = homes[0];
      const line = page.locator('#alloc-lines tbody tr').filter({ hasText: home.name }).first();
      const id = Number(await line.getAttribute('data-id'));
      assert(id > 0, `a line for ${home.name}`);
      const proposed = Number(await line.locator('input.qty').inputValue());
      assert(proposed > 20, `a quantity was proposed (${proposed})`);
      // the coordinator edits it down, and approves
      await line.locator('input.qty').fill(String(proposed - 20));
      await line.locator('button[data-act="approve"]').click();
      await page.waitForSelector(`#alloc-lines tr[data-id="${id}"][data-status="approved"]`, { timeout: 10000 });
      const onServer = await server.api('GET', `/allocations/${id}`);
      assertEqual(onServer.status, 'approved', 'approved on the server');
      assertEqual(onServer.quantity, proposed - 20, 'with the edited quantity');
      assertEqual(onServer.proposed_quantity, proposed, 'the proposed quantity kept');
      await page.click('#alloc-explanation summary');
      await page.locator('#sec-alloc').screenshot({ path: await screenshotPath('allocations-proposal') });

      // the depot dispatches, the structure receives: the follow-up table moves live
      const depotToken = server.makeToken('depot', { subject: depot.id });
      await server.api('POST', `/allocations/${id}/dispatch`, { token: depotToken, body: {} });
      await page.waitForSelector(`#alloc-active tr[data-id="${id}"][data-status="dispatched"]`, { timeout: 10000 });
      const homeToken = server.makeToken('structure', { subject: home.id });
      await server.api('POST', `/allocations/${id}/receive`, { token: homeToken, body: { quantity: proposed - 20 } });
      await page.waitForSelector(`#alloc-active tr[data-id="${id}"][data-status="received"]`, { timeout: 10000 });

      // the CSV export holds it
      const [download] = await Promise.all([page.waitForEvent('download'), page.click('#alloc-export')]);
      const csv = fs.readFileSync(await download.path(), 'utf8');
      assert(csv.split('\n')[0].startsWith('id,proposal_id,kind,status'), 'a CSV of allocations');
      assert(csv.split('\n').some((l) => l.startsWith(`${id},`) && l.includes(',received,')), 'the line, received');
      await page.locator('#sec-alloc').screenshot({ path: await screenshotPath('allocations-followed') });
    }),
  },
  {
    name: 'a structure confirms a delivery in one tap, and another with a discrepancy and its reason',
    fn: () => withDemo(async ({ server, browser }) => {
      const { homes, depot } = await shortage(server);
      const home = homes[0];
      const one = await allocation(server, depot, home, 100, true);
      const two = await allocation(server, depot, home, 60, true);
      const token = server.makeToken('structure', { subject: home.id });
      const page = await openPage(browser, server, 'structure.html', token);
      await page.setViewportSize({ width: 412, height: 915 }); // a phone
      await page.waitForSelector(`#deliveries li[data-id="${one.id}"][data-status="dispatched"]`);
      const box = await page.locator(`#deliv-receive-${one.id}`).boundingBox();
      assert(box.height >= 44, `a button large enough for a finger (${box.height}px)`);
      await page.click(`#deliv-receive-${one.id}`);
      await page.waitForSelector(`#deliveries-done li[data-id="${one.id}"]`, { timeout: 10000 });
      assertEqual(await page.locator(`#deliveries li[data-id="${one.id}"]`).count(), 0, 'no longer on its way');
      const got = await server.api('GET', `/allocations/${one.id}`);
      assertEqual(got.status, 'received', 'received on the server');
      assertEqual(got.received_quantity, 100, 'what was sent');
      // the level shows what arrived (2 counted + 100)
      await page.waitForSelector('#s-levels tr[data-item="respirator"]');
      await until(async () => (await page.textContent('#s-levels tr[data-item="respirator"]')).includes('102'), 'the new level');

      // another quantity needs its reason
      await page.click(`#deliv-other-${two.id}`);
      await page.fill(`#deliv-qty-${two.id}`, '55');
      await page.click(`#deliv-confirm-${two.id}`);
      assert((await page.textContent(`#deliv-error-${two.id}`)).length > 0, 'asked why the quantity differs');
      assertEqual((await server.api('GET', `/allocations/${two.id}`)).status, 'dispatched', 'nothing sent without a reason');
      await page.fill(`#deliv-reason-${two.id}`, 'un carton abîmé');
      await page.click(`#deliv-confirm-${two.id}`);
      await page.waitForSelector(`#deliveries-done li[data-id="${two.id}"]`, { timeout: 10000 });
      const second = await server.api('GET', `/allocations/${two.id}`);
      assertEqual(second.received_quantity, 55, 'the quantity that arrived');
      assertEqual(second.discrepancy_reason, 'un carton abîmé', 'with its reason');
      // a delivery dispatched while the page is open shows without a reload
      const three = await allocation(server, depot, home, 40, true);
      await page.waitForSelector(`#deliveries li[data-id="${three.id}"][data-status="dispatched"]`, { timeout: 10000 });
      await screenshot(page, 'structure-deliveries', { fullPage: true });
    }),
  },
  {
    name: 'the depot page lists what to dispatch and dispatches it',
    fn: () => withDemo(async ({ server, browser }) => {
      const { homes, depot } = await shortage(server);
      const a = await allocation(server, depot, homes[1], 80, false);
      const token = server.makeToken('depot', { subject: depot.id });
      const page = await openPage(browser, server, 'depot.html', token);
      await page.waitForSelector(`#to-dispatch li[data-id="${a.id}"]`);
      await page.click(`#dispatch-${a.id}`);
      await page.waitForSelector(`#in-transit li[data-id="${a.id}"]`, { timeout: 10000 });
      assertEqual((await server.api('GET', `/allocations/${a.id}`)).status, 'dispatched', 'dispatched on the server');
      // another approved while the page is open appears live
      const b = await allocation(server, depot, homes[0], 30, false);
      await page.waitForSelector(`#to-dispatch li[data-id="${b.id}"]`, { timeout: 10000 });
      await screenshot(page, 'depot-page', { fullPage: true });
    }),
  },
];
