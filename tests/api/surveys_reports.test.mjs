// SPDX-License-Identifier: MIT
// surveys_reports.test.mjs — the report files carry the paused time and the surveys' gap analysis
// (docs/STATS.md): the CSV has the sections 暂停服务时长, 满意度差距分析 and 显著性检验 with the
// same figures as the API (means to 0.01, p to 4 significant digits), the XLSX the sheets 暂停,
// 差距分析, 显著性检验, the PDF their headings (read back by unzip and pdftotext). A report of a
// hall with no active questionnaire has no gap section.
import { test, after, describe } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { api, act } from './lib/server.mjs';
import { getBytes, pdfText } from './lib/media_helpers.mjs';
import { reportHall, section, dayCsv } from './lib/report_csv.mjs';

const { srv, tokens, auth } = await reportHall(after);
const A = tokens.admin;
const M = tokens.manager1;

const csv = () => dayCsv(srv, auth);

describe('reports with paused time and the gap analysis', () => {
    test('without pauses or a questionnaire: no sections but an empty pause table', async () => {
        const rows = await csv();
        assert.equal(section(rows, '满意度差距分析'), null);
        const pz = section(rows, '暂停服务时长');
        assert.ok(pz, 'the pause section is always there');
        assert.equal(pz.rows.length, 0);
    });
    test('setup: a questionnaire on the pad, staff answers, a pause', async () => {
        const q = {
            id: 'q1',
            title: '满意度调查',
            dimensions: [
                { key: 'environment', name: '环境', name_en: 'Environment' },
                { key: 'efficiency', name: '效率', name_en: 'Efficiency' },
            ],
        };
        assert.equal((await api(srv, 'POST', '/surveys/questionnaires', q, { token: A })).status, 201);
        assert.equal((await api(srv, 'PUT', '/surveys/active/pad', { questionnaire: 'q1' }, { token: A })).status, 200);
        const answers = [
            [4, 5, 5, 2],
            [3, 4, 5, 3],
            [4, 4, 4, 2],
        ];
        for (const [ei, ep, fi, fp] of answers) {
            const body = { questionnaire: 'q1', version: 1, method: 'interview', scores: [{ dimension: 'environment', importance: ei, performance: ep }, { dimension: 'efficiency', importance: fi, performance: fp }] };
            assert.equal((await api(srv, 'POST', '/surveys/answers', body, { token: M })).status, 201);
        }
        await act(srv, 1, 'open', tokens.clerk1);
        await act(srv, 1, 'pause', tokens.clerk1, { reason: '=休息' });
        await act(srv, 1, 'resume', tokens.clerk1);
    });
    test('CSV: the gap table as the API says, the tests, the pause with its reason (guarded)', async () => {
        const an = await api(srv, 'GET', '/surveys/analysis?questionnaire=q1', undefined, { token: M });
        assert.equal(an.status, 200, an.text);
        const rows = await csv();
        const gap = section(rows, '满意度差距分析');
        assert.ok(gap, 'gap section');
        assert.match(gap.note, /满意度调查 v1/);
        assert.match(gap.note, /效率/, 'furthest below named');
        assert.equal(gap.rows.length, 2);
        for (const d of an.json.dimensions) {
            const r = gap.rows.find((x) => x[0].startsWith(d.name));
            assert.equal(r[1], d.importance.mean.toFixed(2));
            assert.equal(r[2], d.importance.ci95[0].toFixed(2));
            assert.equal(r[3], d.importance.ci95[1].toFixed(2));
            assert.equal(r[5], d.performance.mean.toFixed(2));
            assert.equal(r[9], d.gap.toFixed(2));
            assert.equal(Number(r[11]), d.rank);
        }
        const tests = section(rows, '显著性检验');
        assert.ok(tests, 'tests section (against the day before)');
        assert.equal(tests.rows.length, 1 + 2 * 2);
        assert.ok(tests.rows.every((r) => /数据不足/.test(r[8])), 'nothing the day before: no test');
        const pz = section(rows, '暂停服务时长');
        assert.equal(pz.rows.length, 2, 'window 1 and clerk1');
        assert.match(pz.rows[0][4], /^'=休息 1 次/, 'a reason starting with = is not a formula');
    });
    test('XLSX sheets and PDF headings', async () => {
        const x = await getBytes(srv, '/reports/day.xlsx', auth);
        assert.equal(x.status, 200);
        const f = path.join(srv.dir, 'g.xlsx');
        fs.writeFileSync(f, x.body);
        const wb = spawnSync('unzip', ['-p', f, 'xl/workbook.xml'], { encoding: 'utf8' }).stdout;
        for (const name of ['暂停', '差距分析', '显著性检验']) assert.ok(wb.includes(`name="${name}"`), `sheet ${name}`);
        const strings = spawnSync('unzip', ['-p', f, 'xl/sharedStrings.xml'], { encoding: 'utf8' }).stdout;
        assert.ok(strings.includes('重点改进') || strings.includes('继续保持'), 'a quadrant');
        const p = await getBytes(srv, '/reports/day.pdf', auth);
        assert.equal(p.status, 200);
        const text = pdfText(p.body);
        for (const h of ['暂停服务时长', '满意度差距分析', 'Gap analysis', '显著性检验', '效率']) assert.ok(text.includes(h), `PDF has ${h}`);
    });
});
