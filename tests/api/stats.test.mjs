// SPDX-License-Identifier: MIT
// stats.test.mjs — statistics and reports end to end on a real demo history (`hallq demo
// --history-days 2`, then `hallq serve`): GET /stats (shape, figures that add up, the same counts as
// the event log), roles (401 without a session, 403 for clerks and guides), refusals, /stats/compare
// for two periods and two windows, the reports read back by real tools (CSV parsed, XLSX unzipped:
// Chinese sheet names and the data in sharedStrings, PDF through pdftotext: Chinese headings), and
// `hallq report` giving the same figures as the API.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { BIN, ADMIN_PASSWORD, SANITIZE, api, login, assertError } from './lib/server.mjs';
import { getBytes, pdfText, sanitizerEnv } from './lib/media_helpers.mjs';
import { demoServer, localDate } from './lib/demo_server.mjs';
import { parseCsv } from './lib/report_csv.mjs';

const D1 = localDate(-2);
const D2 = localDate(-1);

const statsServer = (days = 2) => demoServer({ days, tag: 'stats', env: SANITIZE ? sanitizerEnv() : {} });

/** The rows of a CSV section after its "# title" and header row, up to the blank line. */
function section(rows, title) {
    const i = rows.findIndex((r) => r[0].startsWith('# ' + title));
    assert.ok(i >= 0, `section ${title}`);
    const out = [];
    for (let k = i + 2; k < rows.length && rows[k].join('') !== ''; k++) out.push(rows[k]);
    return { header: rows[i + 1], rows: out };
}

function unzipP(file, member) {
    const r = spawnSync('unzip', ['-p', file, member], { encoding: 'utf8', maxBuffer: 1 << 28 });
    assert.equal(r.status, 0, `unzip -p ${member}: ${r.stderr}`);
    return r.stdout;
}

describe('statistics and reports on a demo history', () => {
    let srv;
    const tk = {};
    let stats;
    before(async () => {
        srv = await statsServer();
        tk.manager = await login(srv, 'manager1', 'demo1234');
        tk.admin = await login(srv, 'admin', ADMIN_PASSWORD);
        tk.clerk = await login(srv, 'clerk01', 'demo1234');
        tk.guide = await login(srv, 'guide1', 'demo1234');
    });
    after(async () => srv && (await srv.stop()));

    test('roles: 401 without a session, 403 for clerks and guides, 200 for managers and admins', async () => {
        for (const p of [`/stats?from=${D1}`, `/stats/compare?a_from=${D1}&b_from=${D2}`, `/reports/day.csv?date=${D1}`, `/reports/day.xlsx?date=${D1}`, `/reports/day.pdf?date=${D1}`]) {
            assertError(await api(srv, 'GET', p), 401, 'unauthenticated');
            assertError(await api(srv, 'GET', p, undefined, { token: tk.clerk }), 403, 'forbidden');
            assertError(await api(srv, 'GET', p, undefined, { token: tk.guide }), 403, 'forbidden');
        }
        assert.equal((await api(srv, 'GET', `/stats?from=${D1}`, undefined, { token: tk.admin })).status, 200);
    });

    test('GET /stats: figures that add up and agree with the event log', async () => {
        const r = await api(srv, 'GET', `/stats?from=${D1}&to=${D2}`, undefined, { token: tk.manager });
        assert.equal(r.status, 200, r.text);
        stats = r.json;
        assert.equal(stats.from, D1);
        assert.equal(stats.to, D2);
        assert.equal(stats.target_wait_s, 900);
        assert.equal(stats.target_satisfaction, 0.9);
        const t = stats.total;
        assert.ok(t.counts.issued > 500, `a demo day has hundreds of tickets: ${t.counts.issued}`);
        const c = t.counts;
        assert.equal(c.served + c.no_show + c.cancelled + c.expired + c.open, c.issued);
        // the same tickets per service, per hour; windows and clerks share the called ones
        const sum = (arr, f) => arr.reduce((s, g) => s + f(g), 0);
        assert.equal(sum(stats.services, (g) => g.counts.issued), c.issued);
        assert.equal(sum(stats.hours, (g) => g.counts.issued), c.issued);
        assert.equal(sum(stats.windows, (g) => g.counts.called), c.called);
        assert.equal(sum(stats.staff, (g) => g.counts.served), c.served);
        assert.equal(sum(stats.services, (g) => g.satisfaction.n), t.satisfaction.n);
        // traceable: the ticket rows against the events of the same hours
        assert.equal(stats.source.tickets, c.issued);
        assert.equal(stats.source.events['ticket.issued'], c.issued);
        assert.equal(stats.source.events['ticket.finished'], c.served);
        assert.equal(stats.source.events['ticket.no_show'], c.no_show);
        assert.ok(stats.source.first_seq > 0 && stats.source.last_seq > stats.source.first_seq);
        // distributions are ordered; shares and intervals in range
        for (const g of [t, ...stats.services]) {
            if (!g.wait.n) continue;
            assert.ok(g.wait.median_s <= g.wait.p90_s && g.wait.p90_s <= g.wait.max_s, JSON.stringify(g.wait));
            assert.ok(g.wait.within_share >= 0 && g.wait.within_share <= 1);
        }
        const s = t.satisfaction;
        assert.equal(s.n, s.levels['1'] + s.levels['2'] + s.levels['3'] + s.levels['4'] + s.levels['5']);
        assert.equal(s.satisfied, s.levels['4'] + s.levels['5']);
        assert.ok(Math.abs(s.rate - s.satisfied / s.n) < 1e-4);
        assert.ok(s.rate_ci95[0] < s.rate && s.rate < s.rate_ci95[1], JSON.stringify(s));
        const mean = (1 * s.levels['1'] + 2 * s.levels['2'] + 3 * s.levels['3'] + 4 * s.levels['4'] + 5 * s.levels['5']) / s.n;
        assert.ok(Math.abs(s.index - ((mean - 1) / 4) * 100) < 0.01);
        // staff scorecards against targets
        const sc = stats.staff[0].scorecard;
        assert.equal(typeof sc.service_met, 'boolean');
        assert.equal(sc.target_satisfaction, 0.9);
        assert.ok(sc.target_service_s > 0);
        assert.equal(sc.satisfaction_met, stats.staff[0].satisfaction.rate >= 0.9);
        assert.ok(sc.days >= 1 && sc.days <= 2);
        // one day is part of the two
        const one = await api(srv, 'GET', `/stats?from=${D1}`, undefined, { token: tk.manager });
        assert.equal(one.json.to, D1);
        assert.ok(one.json.total.counts.issued < c.issued && one.json.total.counts.issued > 0);
    });

    test('GET /stats: refusals name the parameter', async () => {
        const get = (q) => api(srv, 'GET', `/stats?${q}`, undefined, { token: tk.manager });
        assertError(await get('from=2026-13-01'), 400, 'invalid_field', 'from');
        assertError(await get('from=yesterday'), 400, 'invalid_field', 'from');
        assertError(await get(`from=${D2}&to=${D1}`), 400, 'invalid_field', 'to');
        assertError(await get('from=2024-01-01&to=2025-12-31'), 400, 'invalid_field', 'to');
        const empty = await get('from=2020-01-01');
        assert.equal(empty.status, 200);
        assert.equal(empty.json.total.counts.issued, 0);
        assert.equal(empty.json.total.wait.mean_s, null);
        assert.equal(empty.json.total.satisfaction.rate, null);
    });

    test('GET /stats/compare: two periods and two windows with z and Welch t tests', async () => {
        const r = await api(srv, 'GET', `/stats/compare?a_from=${D1}&a_to=${D1}&b_from=${D2}&b_to=${D2}`, undefined, { token: tk.manager });
        assert.equal(r.status, 200, r.text);
        assert.equal(r.json.mode, 'periods');
        assert.equal(r.json.a.from, D1);
        assert.equal(r.json.b.from, D2);
        const rt = r.json.tests.satisfaction_rate;
        assert.equal(rt.valid, true);
        assert.ok(rt.p > 0 && rt.p <= 1);
        assert.equal(rt.significant, rt.p < 0.05);
        const a = r.json.a.figures.satisfaction, b = r.json.b.figures.satisfaction;
        assert.ok(Math.abs(rt.diff - (a.satisfied / a.n - b.satisfied / b.n)) < 1e-3);
        assert.ok(r.json.tests.mean_level.df > 1);
        assert.ok(r.json.tests.mean_wait.valid);
        const w = await api(srv, 'GET', `/stats/compare?from=${D1}&to=${D2}&window_a=1&window_b=2`, undefined, { token: tk.manager });
        assert.equal(w.status, 200, w.text);
        assert.equal(w.json.mode, 'windows');
        assert.equal(w.json.a.window, 1);
        assert.equal(w.json.a.figures.counts.called, stats.windows.find((g) => g.key === '1').counts.called);
        assertError(await api(srv, 'GET', `/stats/compare?a_from=${D1}`, undefined, { token: tk.manager }), 400, 'invalid_field', 'b_from');
        assertError(await api(srv, 'GET', `/stats/compare?window_a=1&window_b=x`, undefined, { token: tk.manager }), 400, 'invalid_field', 'window_b');
    });

    test('reports: CSV with BOM parsed back, XLSX unzipped, PDF through pdftotext', async () => {
        const auth = { authorization: `Bearer ${tk.manager}` };
        const day = await api(srv, 'GET', `/stats?from=${D1}`, undefined, { token: tk.manager });
        const csv = await getBytes(srv, `/reports/day.csv?date=${D1}`, auth);
        assert.equal(csv.status, 200);
        assert.match(csv.headers.get('content-type'), /^text\/csv/);
        assert.deepEqual([...csv.body.subarray(0, 3)], [0xef, 0xbb, 0xbf], 'UTF-8 BOM');
        const rows = parseCsv(csv.body.subarray(3).toString('utf8'));
        const ov = section(rows, '概览');
        const issued = ov.rows.find((r) => r[1] === 'Tickets issued');
        assert.equal(Number(issued[2]), day.json.total.counts.issued);
        const svc = section(rows, '业务');
        assert.match(svc.header[0], /编号/);
        assert.equal(svc.rows.length, day.json.services.length);
        assert.equal(Number(svc.rows[0][2]), day.json.services[0].counts.issued);
        const ev = section(rows, '评价');
        assert.equal(ev.rows.length, day.json.total.satisfaction.n);
        assert.ok(ev.rows.every((r) => r.length === 9 && /^[1-5] /.test(r[5])));

        const xlsx = await getBytes(srv, `/reports/day.xlsx?date=${D1}`, auth);
        assert.equal(xlsx.status, 200);
        assert.match(xlsx.headers.get('content-type'), /spreadsheetml/);
        assert.equal(xlsx.body.subarray(0, 2).toString('latin1'), 'PK');
        const f = path.join(srv.dir, 'r.xlsx');
        fs.writeFileSync(f, xlsx.body);
        const wb = unzipP(f, 'xl/workbook.xml');
        for (const name of ['概览', '业务', '窗口', '人员', '评价']) assert.ok(wb.includes(`name="${name}"`), `sheet ${name}: ${wb}`);
        const strings = unzipP(f, 'xl/sharedStrings.xml');
        assert.ok(strings.includes('石家庄市政务服务中心'), 'hall name in sharedStrings');
        assert.ok(strings.includes(day.json.services[0].name), 'a service name in sharedStrings');
        assert.ok(strings.includes('满意率'), 'a Chinese header in sharedStrings');

        const pdf = await getBytes(srv, `/reports/day.pdf?date=${D1}`, auth);
        assert.equal(pdf.status, 200);
        assert.equal(pdf.headers.get('content-type'), 'application/pdf');
        assert.equal(pdf.body.subarray(0, 5).toString('latin1'), '%PDF-');
        const text = pdfText(pdf.body);
        for (const h of ['服务统计报表', 'Service statistics report', '各时段等候时间', '满意度', '业务', '人员']) assert.ok(text.includes(h), `PDF has ${h}`);
        assert.ok(text.includes(String(day.json.total.counts.issued)));

        assertError(await api(srv, 'GET', `/reports/day.pdf?date=2026-02-30`, undefined, { token: tk.manager }), 400, 'invalid_field', 'date');
    });

    test('hallq report on the same database gives the same figures as the API', async () => {
        const out = path.join(srv.dir, 'cli.json');
        const r = spawnSync(BIN, ['report', '--db', srv.db, '--from', D1, '--to', D2, '--format', 'json', '--out', out], { env: srv.env, encoding: 'utf8', timeout: 60000 });
        assert.equal(r.status, 0, r.stderr);
        const cli = JSON.parse(fs.readFileSync(out, 'utf8'));
        assert.deepEqual(cli.total, stats.total);
        assert.deepEqual(cli.staff, stats.staff);
        const bad = spawnSync(BIN, ['report', '--db', srv.db, '--date', D1, '--format', 'doc', '--out', out], { env: srv.env, encoding: 'utf8' });
        assert.equal(bad.status, 2);
        const csvOut = path.join(srv.dir, 'cli.csv');
        const c = spawnSync(BIN, ['report', '--db', srv.db, '--date', D1, '--format', 'csv', '--out', csvOut], { env: srv.env, encoding: 'utf8' });
        assert.equal(c.status, 0, c.stderr);
        assert.ok(fs.readFileSync(csvOut, 'utf8').includes('# 人员 Staff'));
    });
});

// Every figure is rounded once (the group's "display" values: what the page shows) and the CSV, the
// XLSX and the PDF show exactly those values: compared cell by cell over a month of demo history.
const COLS = [
    // [display id, CSV/XLSX column index (hq__cols order), kind]
    ['wait_mean_min', 7, 'min'],
    ['wait_median_min', 8, 'min'],
    ['wait_p90_min', 9, 'min'],
    ['within_share', 10, 'pct'],
    ['service_mean_min', 11, 'min'],
    ['service_median_min', 12, 'min'],
    ['service_p90_min', 13, 'min'],
    ['rate', 15, 'pct'],
    ['rate_lo', 16, 'pct'],
    ['rate_hi', 17, 'pct'],
    ['index', 18, 'num'],
];
const COUNTS = [
    [(g) => g.counts.served, 3],
    [(g) => g.counts.no_show, 4],
    [(g) => g.satisfaction.n, 14],
    [(g) => g.complaints, 19],
];
// How the page writes a display value (web/js/stats.js dpct/dmin/dnum) and the CSV writes it.
const shown = (v, kind) => (v == null ? '' : kind === 'pct' ? `${(v * 100).toFixed(1)}%` : v.toFixed(1));

/** Cells of an XLSX sheet: Map "B3" -> string or number. */
function xlsxCells(file, sheetNo, strings) {
    const xml = unzipP(file, `xl/worksheets/sheet${sheetNo}.xml`);
    const cells = new Map();
    for (const m of xml.matchAll(/<c r="([A-Z]+\d+)"([^>]*?)(?:\/>|>(.*?)<\/c>)/gs)) {
        const v = /<v>(.*?)<\/v>/s.exec(m[3] || '');
        if (!v) continue;
        cells.set(m[1], /t="s"/.test(m[2]) ? strings[Number(v[1])] : Number(v[1]));
    }
    return cells;
}
const colName = (i) => (i < 26 ? String.fromCharCode(65 + i) : String.fromCharCode(64 + Math.floor(i / 26)) + String.fromCharCode(65 + (i % 26)));

describe('a month of demo history: page figures, CSV, XLSX and PDF agree cell by cell', () => {
    let srv;
    let token;
    // a month; a week under the sanitizers (a month of demo history takes them past the time limit)
    const DAYS = SANITIZE ? 3 : 30;
    const FROM = localDate(-DAYS);
    const TO = localDate(-1);
    before(async () => {
        srv = await statsServer(DAYS);
        token = await login(srv, 'manager1', 'demo1234');
    });
    after(async () => srv && srv.stop());

    test('every figure of every service, window, clerk and hour, in every format', async () => {
        const auth = { authorization: `Bearer ${token}` };
        const r = await api(srv, 'GET', `/stats?from=${FROM}&to=${TO}`, undefined, { token });
        assert.equal(r.status, 200, r.text);
        const st = r.json;
        assert.ok(st.total.counts.issued > DAYS * 100, `${DAYS} days: ${st.total.counts.issued} tickets`);
        const sections = [
            ['业务', 2, st.services, true],
            ['窗口', 3, st.windows, true],
            ['人员', 4, st.staff, true],
            ['时段', 5, st.hours, false],
        ];
        // the display values are the exact ones rounded once
        for (const [, , groups] of sections)
            for (const g of groups) {
                if (g.wait.n) assert.equal(g.display.wait_mean_min, Math.round((g.wait.mean_s / 60) * 10) / 10, `${g.key} wait`);
                if (g.service.n) assert.equal(g.display.service_mean_min, Math.round((g.service.mean_s / 60) * 10) / 10, `${g.key} service`);
                if (g.satisfaction.n) assert.equal(g.display.rate, Math.round(g.satisfaction.rate * 1000) / 1000, `${g.key} rate`);
            }

        const csv = await getBytes(srv, `/reports/day.csv?from=${FROM}&to=${TO}`, auth);
        assert.equal(csv.status, 200);
        const rows = parseCsv(csv.body.subarray(3).toString('utf8'));
        const xlsx = await getBytes(srv, `/reports/day.xlsx?from=${FROM}&to=${TO}`, auth);
        assert.equal(xlsx.status, 200);
        const f = path.join(srv.dir, 'month.xlsx');
        fs.writeFileSync(f, xlsx.body);
        const strings = [...unzipP(f, 'xl/sharedStrings.xml').matchAll(/<si>(.*?)<\/si>/gs)].map((m) => [...m[1].matchAll(/<t[^>]*>(.*?)<\/t>/gs)].map((t) => t[1]).join('').replace(/&amp;/g, '&').replace(/&lt;/g, '<').replace(/&gt;/g, '>'));
        const pdf = await getBytes(srv, `/reports/day.pdf?from=${FROM}&to=${TO}`, auth);
        assert.equal(pdf.status, 200);
        const pdfLines = spawnSync('pdftotext', ['-layout', '-', '-'], { input: pdf.body, encoding: 'utf8', maxBuffer: 1 << 28 }).stdout.split('\n');

        let compared = 0;
        for (const [title, sheetNo, groups, inPdf] of sections) {
            const sec = section(rows, title);
            const cells = xlsxCells(f, sheetNo, strings);
            const xRow = new Map();
            for (const [ref, v] of cells) if (/^A\d+$/.test(ref) && ref !== 'A1') xRow.set(String(v), Number(ref.slice(1)));
            assert.equal(sec.rows.length, groups.length, `${title}: CSV rows`);
            for (const g of groups) {
                const c = sec.rows.find((row) => row[0] === g.key);
                assert.ok(c, `${title} ${g.key} in the CSV`);
                const xr = xRow.get(g.key);
                assert.ok(xr, `${title} ${g.key} in the XLSX`);
                for (const [id, col, kind] of COLS) {
                    const want = g.display[id];
                    assert.equal(c[col], shown(want, kind), `${title} ${g.key} ${id}: CSV ${c[col]} vs page ${shown(want, kind)}`);
                    const xv = cells.get(`${colName(col)}${xr}`);
                    if (want == null) assert.equal(xv, undefined, `${title} ${g.key} ${id}: XLSX`);
                    else assert.ok(Math.abs(xv - want) < 1e-9, `${title} ${g.key} ${id}: XLSX ${xv} vs page ${want}`);
                    compared += 2;
                }
                for (const [get, col] of COUNTS) {
                    assert.equal(Number(c[col]), get(g), `${title} ${g.key} col ${col}: CSV`);
                    assert.equal(cells.get(`${colName(col)}${xr}`), get(g), `${title} ${g.key} col ${col}: XLSX`);
                    compared += 2;
                }
                if (!inPdf) continue;
                // PDF: issued, served, no-show, wait, p90, within, service, rate, index, complaints
                const line = pdfLines.find((l) => l.trim().startsWith(`${g.key} ${g.name || g.name_en || g.key}`));
                assert.ok(line, `${title} ${g.key} in the PDF`);
                const nums = line.trim().split(/\s+/).filter((t) => /^(—|\d+(\.\d)?%?)$/.test(t));
                const d = g.display;
                const pdfShown = (v, kind) => (v == null ? '—' : shown(v, kind));
                const want = [
                    String(title === '业务' ? g.counts.issued : g.counts.issued),
                    String(g.counts.served),
                    String(g.counts.no_show),
                    pdfShown(d.wait_mean_min, 'min'),
                    pdfShown(d.wait_p90_min, 'min'),
                    pdfShown(d.within_share, 'pct'),
                    pdfShown(d.service_mean_min, 'min'),
                    pdfShown(d.rate, 'pct'),
                    pdfShown(d.index, 'num'),
                    String(g.complaints),
                ];
                // the key may itself be a number (windows): skip it
                const got = title === '窗口' ? nums.slice(1) : nums;
                assert.deepEqual(got.slice(0, 10), want, `${title} ${g.key}: PDF ${line.trim()}`);
                compared += 10;
            }
        }
        assert.ok(compared > 1000, `${compared} cells compared`);
    });
});
