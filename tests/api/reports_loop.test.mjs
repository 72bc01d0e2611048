// SPDX-License-Identifier: MIT
// reports_loop.test.mjs — the report files carry the evaluation coverage (9.1.1: finished stages
// rated, defaulted apart, unrated, excluded; by window and clerk) and the help requests, with the
// figures GET /stats gives (docs/STATS.md): the CSV's sections 评价覆盖 and 求助 row by row, the
// XLSX's sheets of the same names read back by unzip (their cells), the PDF's headings and figures
// read back by pdftotext.
import { test, after, describe } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { api, act, issue } from './lib/server.mjs';
import { getBytes, pdfText } from './lib/media_helpers.mjs';
import { reportHall, section, dayCsv } from './lib/report_csv.mjs';

const { srv, tokens, auth } = await reportHall(after);
const M = tokens.manager1;
const C1 = tokens.clerk1;

const share = (v) => (v === null ? '' : v.toFixed(3));
const covRow = (g) => [String(g.stages), String(g.rated), String(g.defaulted), String(g.unrated), String(g.excluded), share(g.coverage)];

describe('reports with the evaluation coverage and the help requests', () => {
    let stats;
    test('setup: three stages served at window 1 by clerk1, two rated; one help request acknowledged', async () => {
        await act(srv, 1, 'open', C1);
        const ids = [];
        for (let k = 0; k < 3; k++) {
            const t = await issue(srv, { service: 'A' });
            await act(srv, 1, 'call', C1, { number: t.number });
            await act(srv, 1, 'start', C1);
            await act(srv, 1, 'finish', C1);
            ids.push(t.id);
        }
        assert.equal((await api(srv, 'POST', '/evaluations', { ticket: ids[0], level: 5 })).status, 201);
        assert.equal((await api(srv, 'POST', '/evaluations', { ticket: ids[1], level: 4 })).status, 201);
        const h = await api(srv, 'POST', '/help', { ticket: ids[2] });
        assert.equal(h.status, 201, h.text);
        const ack = await api(srv, 'POST', `/help/${h.json.id}/ack`, undefined, { token: tokens.guide1 });
        assert.equal(ack.status, 200, ack.text);
        const s = await api(srv, 'GET', '/stats', undefined, { token: M });
        assert.equal(s.status, 200, s.text);
        stats = s.json;
        const cv = stats.evaluation_coverage;
        assert.deepEqual([cv.stages, cv.rated, cv.defaulted, cv.unrated, cv.excluded], [3, 2, 0, 1, 0]);
        assert.equal(cv.by_clerk.length, 1);
        assert.deepEqual([stats.help_requests.count, stats.help_requests.acknowledged], [1, 1]);
    });
    test('CSV: 评价覆盖 (total, window, clerk) and 求助 as GET /stats says', async () => {
        const rows = await dayCsv(srv, auth);
        const cov = section(rows, '评价覆盖');
        assert.ok(cov, 'coverage section');
        assert.match(cov.note, /默认评价/, 'says the default ratings are apart');
        assert.equal(cov.header[7], '评价覆盖率 Coverage');
        const cv = stats.evaluation_coverage;
        assert.equal(cov.rows.length, 1 + cv.by_window.length + cv.by_clerk.length);
        assert.deepEqual(cov.rows[0].slice(2), covRow(cv));
        assert.equal(cov.rows[0][7], '0.667');
        const w = cov.rows.find((x) => x[0].startsWith('窗口') && x[1] === '1');
        assert.deepEqual(w.slice(2), covRow(cv.by_window.find((x) => x.window === 1)));
        const c = cov.rows.find((x) => x[0].startsWith('人员'));
        assert.equal(c[1], 'clerk1');
        assert.deepEqual(c.slice(2), covRow(cv.by_clerk[0]));
        const help = section(rows, '求助');
        assert.ok(help, 'help section');
        const hr = stats.help_requests;
        assert.deepEqual(help.rows, [[String(hr.count), String(hr.acknowledged), String(hr.closed), (hr.median_ack_s / 60).toFixed(1)]]);
    });
    test('XLSX: the sheets 评价覆盖 and 求助 with the figures as numbers', async () => {
        const x = await getBytes(srv, '/reports/day.xlsx', auth);
        assert.equal(x.status, 200);
        const f = path.join(srv.dir, 'loop.xlsx');
        fs.writeFileSync(f, x.body);
        const unzip = (member) => spawnSync('unzip', ['-p', f, member], { encoding: 'utf8' }).stdout;
        const names = [...unzip('xl/workbook.xml').matchAll(/<sheet name="([^"]+)"/g)].map((m) => m[1]);
        const strings = [...unzip('xl/sharedStrings.xml').matchAll(/<t[^>]*>([^<]*)<\/t>/g)].map((m) => m[1]);
        // a sheet's cells: reference → number or shared string
        const cells = (name) => {
            const i = names.indexOf(name);
            assert.ok(i >= 0, `sheet ${name} in ${names}`);
            const xml = unzip(`xl/worksheets/sheet${i + 1}.xml`);
            const out = {};
            for (const m of xml.matchAll(/<c r="([A-Z]+\d+)"([^>]*)>(?:<f>[^<]*<\/f>)?<v>([^<]*)<\/v><\/c>/g)) out[m[1]] = /t="s"/.test(m[2]) ? strings[Number(m[3])] : Number(m[3]);
            return out;
        };
        const cv = stats.evaluation_coverage;
        const c = cells('评价覆盖');
        assert.equal(c.A3, '合计 total');
        assert.deepEqual([c.C3, c.D3, c.E3, c.F3, c.G3], [cv.stages, cv.rated, cv.defaulted, cv.unrated, cv.excluded]);
        assert.ok(Math.abs(c.H3 - cv.coverage) < 1e-9, `coverage ${c.H3}`);
        assert.ok(Object.values(c).includes('clerk1'));
        const h = cells('求助');
        assert.deepEqual([h.A3, h.B3, h.C3], [stats.help_requests.count, stats.help_requests.acknowledged, stats.help_requests.closed]);
        assert.ok(Math.abs(h.D3 - stats.help_requests.median_ack_s / 60) < 1e-9);
    });
    test('PDF: the headings and the figures', async () => {
        const p = await getBytes(srv, '/reports/day.pdf', auth);
        assert.equal(p.status, 200);
        const text = pdfText(p.body);
        for (const s of ['评价覆盖', 'Evaluation coverage', '求助', 'Help requests', '评价覆盖率', 'clerk1', '0.667']) assert.ok(text.includes(s), `PDF has ${s}`);
    });
});
