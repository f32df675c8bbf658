// The volunteer page: own profile; availability, travel radius and languages saved by PATCH.
import { withDemo, screenshot, assert, assertEqual } from './lib.mjs';

export const tests = [
  {
    name: 'the volunteer page shows the profile and saves availability, radius and languages',
    fn: () => withDemo(async ({ server, browser }) => {
      const id = 7;
      const token = server.makeToken('volunteer', { subject: id });
      const before = await server.api('GET', `/volunteers/${id}`);
      const page = await browser.page();
      await page.setViewportSize({ width: 768, height: 1024 }); // a tablet
      await page.goto(`${server.url}/volunteer.html?token=${encodeURIComponent(token)}`);
      await page.waitForSelector('body[data-ready="1"]', { timeout: 20000 });
      assertEqual((await page.textContent('#vol-name')).trim(), `${before.first_name} ${before.last_name}`, 'own name');
      assert((await page.textContent('#calls-empty')).includes('Aucun appel'), 'calls to answer: none yet');
      const next = before.availability === 'unavailable' ? 'available' : 'unavailable';
      await page.check(`input[name="availability"][value="${next}"]`);
      await page.fill('#radius', '35');
      await page.check('#languages input[value="oc"]');
      await page.click('#vol-save');
      await page.waitForSelector('#vol-status.ok', { timeout: 5000 });
      const after = await server.api('GET', `/volunteers/${id}`);
      assertEqual(after.availability, next, 'availability saved');
      assertEqual(after.travel_radius_km, 35, 'radius saved');
      assert(after.languages.includes('oc'), 'language added');
      await screenshot(page, 'volunteer-tablet', { fullPage: true });
    }),
  },
];
