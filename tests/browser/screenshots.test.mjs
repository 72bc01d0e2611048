// SPDX-License-Identifier: MIT
// screenshots.test.mjs — runs screenshots.mjs against real hallq servers into a temporary
// directory: every page renders in Chinese and in English without a script error, and every
// screenshot is a real PNG of at least its viewport's size. (docs/screenshots/ is refreshed by
// running the script directly.)

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import * as hq from './helpers.mjs';
import { stage, shoot, demoServer, PAGES } from './screenshots.mjs';

let dir, server, demo;

before(async () => {
  dir = hq.tmpDir();
  demo = demoServer(dir); // generated in the background while the other pages are shot
  server = await hq.serve(hq.initDb(dir));
});

after(async () => {
  await server?.stop();
  await demo?.started.then((d) => d.stop()).catch(() => {});
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

test('every page renders in zh and en', async () => {
  const staged = await stage(server.url, dir);
  const out = path.join(dir, 'shots');
  const { files, errors } = await shoot({ main: server.url, demo }, out, staged);
  assert.equal(files.length, PAGES.length * 2);
  for (const pg of PAGES) {
    for (const lang of ['zh', 'en']) {
      const f = path.join(out, `${pg.name}.${lang}.png`);
      const buf = fs.readFileSync(f);
      assert.equal(buf.subarray(1, 4).toString(), 'PNG', f);
      const w = buf.readUInt32BE(16);
      const h = buf.readUInt32BE(20);
      const vp = pg.viewport || { width: 1280, height: 900 };
      assert.equal(w, vp.width, `${f} width`);
      assert.ok(pg.full ? h >= vp.height : h === vp.height, `${f} height ${h}`);
      assert.ok(buf.length > 5000, `${f} is not blank (${buf.length} bytes)`);
    }
  }
  assert.deepEqual(errors, []);
});
