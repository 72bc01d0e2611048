// SPDX-License-Identifier: MIT
// stats_bounds.test.mjs — statistics and reports over HTTP are bounded so that they can never
// exhaust the server's memory (src/http/api_stats.c): a period longer than --stats-max-days
// (default 93) is refused 400 invalid_field on its end date before anything is read, for /stats,
// /stats/compare and the reports; a period within it is answered. (At most --heavy-reports
// computations run at once; tests/unit/test_http_limits.c checks the slots and their 429.)
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, login, api, assertError, ADMIN_PASSWORD } from './lib/server.mjs';

const srv = await startServer({ args: ['--stats-max-days', '40'] });
after(() => srv.cleanup());
const token = await login(srv, 'admin', ADMIN_PASSWORD);
const get = (p) => api(srv, 'GET', p, undefined, { token });

test('a period over --stats-max-days is refused on its end date', async () => {
    assertError(await get('/stats?from=2026-01-01&to=2026-03-01'), 400, 'invalid_field', 'to');
    assertError(await get('/stats/compare?a_from=2026-01-01&a_to=2026-03-01&b_from=2026-01-01&b_to=2026-01-02'), 400, 'invalid_field', 'a_to');
    assertError(await get('/stats/compare?a_from=2026-01-01&a_to=2026-01-02&b_from=2025-01-01&b_to=2025-12-31'), 400, 'invalid_field', 'b_to');
    for (const f of ['csv', 'xlsx', 'pdf']) assertError(await get(`/reports/day.${f}?from=2026-01-01&to=2026-02-15`), 400, 'invalid_field', 'to');
    // from alone is one day
    assert.equal((await get('/stats?from=2020-01-01')).status, 200);
});

test('a period within the bound is answered', async () => {
    const r = await get('/stats?from=2026-01-01&to=2026-02-09'); // 40 days
    assert.equal(r.status, 200, r.text);
    const c = await get('/reports/day.csv?from=2026-01-01&to=2026-01-31');
    assert.equal(c.status, 200, c.text.slice(0, 200));
    const d = await get('/reports/day.csv?date=2026-01-01');
    assert.equal(d.status, 200);
});
