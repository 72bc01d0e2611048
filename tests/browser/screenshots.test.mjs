// SPDX-License-Identifier: MIT
// screenshots.test.mjs — runs screenshots.mjs against a real hallq into a temporary directory:
// every page renders in Chinese and in English without a script error, and every screenshot is a
// real PNG of the expected size. (docs/screenshots/ is refreshed by running the script directly.)

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import * as hq from './helpers.mjs';
import { stage, shoot, PAGES } from './screenshots.mjs';

let dir, server;

before(async () => {
  dir = hq.tmpDir();
  server = await hq.serve(hq.initDb(dir));
});

after(async () => {
  await server?.stop();
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

test('every page renders in zh and en', async () => {
  const staged = await stage(server.url);
  const out = path.join(dir, 'shots');
  const { files, errors } = await shoot(server.url, out, staged);
  assert.equal(files.length, PAGES.length * 2);
  for (const f of files) {
    const buf = fs.readFileSync(f);
    assert.equal(buf.subarray(1, 4).toString(), 'PNG', f);
    assert.ok(buf.length > 5000, `${f} is not blank (${buf.length} bytes)`);
  }
  assert.deepEqual(errors, []);
});
