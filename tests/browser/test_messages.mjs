// The texts: one messages file per language, with the same keys, and every key the pages use.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { assert } from './lib.mjs';

const web = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../clients/web');

export const tests = [
  {
    name: 'French and English messages have the same keys, and hold every key the pages name',
    fn: async () => {
      const fr = (await import(pathToFileURL(path.join(web, 'i18n/fr.js')).href)).default;
      const en = (await import(pathToFileURL(path.join(web, 'i18n/en.js')).href)).default;
      // item.* and unit.* are optional per language (the catalogue's names are the fallback)
      const optional = (k) => k.startsWith('item.') || k.startsWith('unit.');
      const missingEn = Object.keys(fr).filter((k) => !optional(k) && !(k in en));
      const missingFr = Object.keys(en).filter((k) => !optional(k) && !(k in fr));
      assert(!missingEn.length, `keys missing in en.js: ${missingEn.join(', ')}`);
      assert(!missingFr.length, `keys missing in fr.js: ${missingFr.join(', ')}`);
      const used = new Set();
      for (const f of [...fs.readdirSync(web).filter((x) => x.endsWith('.html')), ...fs.readdirSync(path.join(web, 'js')).filter((x) => x !== 'i18n.js').map((x) => `js/${x}`)]) {
        const text = fs.readFileSync(path.join(web, f), 'utf8');
        for (const m of text.matchAll(/\bt\('([a-z_.]+)'/g)) used.add(m[1]);
        for (const m of text.matchAll(/data-i18n="([a-z_.]+)"/g)) used.add(m[1]);
        for (const m of text.matchAll(/data-i18n-attr="([^"]+)"/g)) for (const pair of m[1].split(',')) used.add(pair.split(':')[1]);
      }
      const unknown = [...used].filter((k) => !(k in fr));
      assert(!unknown.length, `keys used by the pages but missing in fr.js: ${unknown.join(', ')}`);
    },
  },
];
