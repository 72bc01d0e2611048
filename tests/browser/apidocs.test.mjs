// SPDX-License-Identifier: MIT
// apidocs.test.mjs — /api/docs renders the API reference from the built-in Redoc bundle, offline
// (every request stays on the server) and under the pages' Content-Security-Policy: the ticket
// route is on the page, and nothing was refused or thrown. The admin page links to it.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as hq from './helpers.mjs';

let server, ctx;

hq.hallHooks((h) => ({ server, ctx } = h), { hall: false });

test('/api/docs shows the API reference with the ticket route, offline and under the CSP', async () => {
  const page = await ctx.newPage();
  const foreign = [];
  const csp = [];
  page.on('request', (r) => {
    if (!r.url().startsWith(server.url) && !r.url().startsWith('data:') && !r.url().startsWith('blob:')) foreign.push(r.url());
  });
  page.on('console', (m) => {
    if (/Content Security Policy/i.test(m.text())) csp.push(m.text());
  });
  const res = await page.goto(server.url + '/api/docs');
  assert.equal(res.status(), 200);
  assert.match(res.headers()['content-security-policy'] || '', /default-src 'self'/);
  // Redoc draws the operations of the document: the ticket route with its summary
  await page.locator('h2', { hasText: '取号 · Take a ticket' }).first().waitFor({ timeout: 30000 });
  const text = await page.locator('body').innerText();
  assert.match(text, /\/tickets\/\{id\}/);
  assert.match(text, /hallq API/);
  assert.deepEqual(foreign, [], 'no request leaves the server');
  assert.deepEqual(csp, [], 'nothing refused by the Content-Security-Policy');
  assert.deepEqual(ctx.pageErrors, []);
});

test('the admin page links to the API reference', async () => {
  const page = await ctx.newPage();
  await page.goto(server.url + '/admin');
  const href = await page.locator('a[href="/api/docs"]').getAttribute('href');
  assert.equal(href, '/api/docs');
});
