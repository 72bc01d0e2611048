// SPDX-License-Identifier: MIT
// stats_rollup.test.mjs — the daily rollups of the statistics (docs/STATS.md "Rollups") on a real
// demo history: `hallq stats` over a period reaching closed days (figures from the rollups, made
// from the rows on first use and read back from their documents the second time) against
// `hallq stats --full-scan` (every row, the reference): counts, means, maxima, shares within the
// target, satisfaction, reasons, complaints and the event log's counts exactly; medians and p90
// within the bin width (10 s); standard deviations to rounding; the blocks other modules keep
// (evaluation_coverage, pauses, help_requests, appointments) exactly. `--rebuild-rollups` writes them
// again with the same figures, and GET /stats of the server on that file shows the same.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import { BIN, ADMIN_PASSWORD, SANITIZE, api, login } from './lib/server.mjs';
import { sanitizerEnv } from './lib/media_helpers.mjs';
import { makeDemo, serveDb, localDate } from './lib/demo_server.mjs';

const FROM = localDate(-9);
const TO = localDate(0);
const BIN_S = 10;

const { dir, db, env } = makeDemo({ days: 6, tag: 'rollup', env: SANITIZE ? sanitizerEnv() : {} });
after(() => fs.rmSync(dir, { recursive: true, force: true }));

let lastRead = null; // [days from rollup documents, days from rows] of the last `hallq stats`
function stats(...flags) {
    const r = spawnSync(BIN, ['stats', '--db', db, '--from', FROM, '--to', TO, ...flags], { env, encoding: 'utf8', timeout: 500000, maxBuffer: 1 << 26 });
    assert.equal(r.status, 0, r.stderr);
    const m = /(\d+) days from rollups, (\d+) from rows/.exec(r.stderr);
    lastRead = m ? [Number(m[1]), Number(m[2])] : null;
    return flags.includes('--rebuild-rollups') ? r.stdout : JSON.parse(r.stdout);
}

const QUANTILE = /^(median_s|p90_s)$/;
const QUANTILE_DISPLAY = /_(median|p90)_min$/;

// Walk two answers side by side; returns the largest quantile difference seen.
function compare(a, b, where = '') {
    let worst = 0;
    if (Array.isArray(a)) {
        assert.equal(a.length, b.length, `${where}: length`);
        a.forEach((x, i) => (worst = Math.max(worst, compare(x, b[i], `${where}[${i}]`))));
        return worst;
    }
    if (a && typeof a === 'object') {
        assert.deepEqual(Object.keys(a).sort(), Object.keys(b).sort(), `${where}: keys`);
        for (const k of Object.keys(a)) {
            const w = `${where}.${k}`;
            if (QUANTILE.test(k) && typeof a[k] === 'number') {
                const d = Math.abs(a[k] - b[k]);
                assert.ok(d <= BIN_S, `${w}: ${a[k]} vs ${b[k]}`);
                worst = Math.max(worst, d);
            } else if (QUANTILE_DISPLAY.test(k) && typeof a[k] === 'number') {
                assert.ok(Math.abs(a[k] - b[k]) <= BIN_S / 60 + 0.1 + 1e-9, `${w}: ${a[k]} vs ${b[k]}`);
            } else if (k === 'sd_s' && typeof a[k] === 'number') {
                assert.ok(Math.abs(a[k] - b[k]) <= 1e-6 * (1 + Math.abs(b[k])), `${w}: ${a[k]} vs ${b[k]}`);
            } else if (k !== 'generated_at') {
                worst = Math.max(worst, compare(a[k], b[k], w));
            }
        }
        return worst;
    }
    assert.equal(a, b, where);
    return worst;
}

const full = stats('--full-scan');

test('the rollups give the full scan figures: exact, quantiles within one bin', () => {
    assert.ok(full.total.counts.issued > 500, 'the demo has a history');
    assert.ok(full.total.wait.n > 300 && full.total.satisfaction.n > 100);
    assert.ok(full.evaluation_coverage.stages > 300 && full.evaluation_coverage.rated > 100, 'stages rated');
    for (const k of ['pauses', 'help_requests', 'appointments']) assert.ok(full[k], k);
    // closed days without a document (the demo's tick wrote those of the days it closed) made
    // from their rows, their documents written
    const first = stats();
    assert.equal(lastRead[0] + lastRead[1], 10);
    assert.ok(lastRead[1] > 2, 'some closed days were made from rows');
    const worst = compare(first, full);
    assert.ok(worst > 0, 'the quantiles really come from histograms');
    const again = stats(); // now the closed days (all but yesterday and today) from the documents
    assert.deepEqual(lastRead, [8, 2]);
    assert.deepEqual(again, first);
});

test('--rebuild-rollups writes them again with the same figures', () => {
    const before = stats();
    const out = stats('--rebuild-rollups');
    assert.match(out, /^\d+ days$/m);
    assert.ok(Number(out.trim().split(' ')[0]) >= 8);
    assert.deepEqual(stats(), before);
    assert.deepEqual(lastRead, [8, 2]);
    compare(stats(), full);
});

test('GET /stats of the server shows the rollup figures', async () => {
    const cli = stats();
    const srv = await serveDb(db, env);
    try {
        const token = await login(srv, 'admin', ADMIN_PASSWORD);
        const r = await api(srv, 'GET', `/stats?from=${FROM}&to=${TO}`, undefined, { token });
        assert.equal(r.status, 200, r.text);
        for (const k of ['total', 'services', 'windows', 'staff', 'hours', 'reasons', 'source',
            'evaluation_coverage', 'help_requests', 'appointments'])
            assert.deepEqual(r.json[k], cli[k], k);
        // pauses: the same, but one still running is counted up to each one's present
        assert.deepEqual(r.json.pauses.windows.map((w) => w.window), cli.pauses.windows.map((w) => w.window));
        assert.equal(r.json.pauses.total.n, cli.pauses.total.n);
    } finally {
        await srv.stop();
    }
});
