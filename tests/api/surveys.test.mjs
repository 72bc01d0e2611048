// SPDX-License-Identifier: MIT
// surveys.test.mjs — satisfaction surveys over HTTP (docs/SURVEYS.md): an admin defines a
// questionnaire, activates it on the pad, the tracking page and for staff; the pad, the public
// and staff answer (each answer tagged with its method); every refusal: a wrong role, an unknown
// questionnaire, out-of-range scores, an open answer over its length in characters, editing a
// version in use (409, a new version instead), a second answer for one ticket, phone answers
// from the public, a questionnaire not active on the channel. Then the gap analysis of what was
// answered, with the tests between two periods. No personal data in the answers.
import { test, after, describe } from 'node:test';
import assert from 'node:assert/strict';
import { hall, api, assertError, issue, act } from './lib/server.mjs';

const { srv, tokens } = await hall(after);
const C1 = tokens.clerk1;
const A = tokens.admin;
const M = tokens.manager1;

async function serve(service = 'A') {
    const t = await issue(srv, { service });
    await act(srv, 1, 'call', C1, { number: t.number });
    await act(srv, 1, 'start', C1);
    await act(srv, 1, 'finish', C1);
    return t;
}

const DEF = {
    id: 'hall2026',
    title: '办事满意度调查',
    title_en: 'Service satisfaction survey',
    dimensions: [
        { key: 'environment', name: '环境', name_en: 'Environment' },
        { key: 'attitude', name: '态度', name_en: 'Attitude' },
        { key: 'efficiency', name: '效率', name_en: 'Efficiency' },
    ],
    open_questions: [{ key: 'improve', text: '您希望我们改进什么？', text_en: 'What should we improve?', max_chars: 10 }],
};

describe('questionnaires', () => {
    test('a manager or clerk may not define one (403); the public not at all (401)', async () => {
        assertError(await api(srv, 'POST', '/surveys/questionnaires', DEF, { token: M }), 403, 'forbidden');
        assertError(await api(srv, 'POST', '/surveys/questionnaires', DEF, { token: C1 }), 403, 'forbidden');
        assertError(await api(srv, 'POST', '/surveys/questionnaires', DEF), 401, 'unauthenticated');
    });
    const bad = [
        ['no dimensions', { dimensions: [] }, 'dimensions'],
        ['13 dimensions', { dimensions: Array.from({ length: 13 }, (_, i) => ({ key: `d${i}`, name: `维度${i}` })) }, 'dimensions'],
        ['a key twice', { dimensions: [{ key: 'a', name: '甲' }, { key: 'a', name: '乙' }] }, 'dimensions'],
        ['a bad key', { dimensions: [{ key: 'A B', name: '甲' }] }, 'dimensions'],
        ['a name of 21 characters', { dimensions: [{ key: 'a', name: '环'.repeat(21) }] }, 'name'],
        ['max_chars 501', { open_questions: [{ key: 'q', text: '问', max_chars: 501 }] }, 'max_chars'],
        ['a bad id', { id: 'Hall 2026' }, 'id'],
        ['an unknown field', { colour: 'red' }, 'colour'],
    ];
    for (const [name, change, field] of bad)
        test(`refused: ${name} → 400`, async () => {
            const r = await api(srv, 'POST', '/surveys/questionnaires', { ...DEF, ...change }, { token: A });
            assertError(r, 400, 'invalid_field');
            // the field at fault, or a JSON path to it (dimensions[0].name): the schema check names the exact member
            assert.ok(r.json.error.field === field || r.json.error.field.split(/[.[\]]/).includes(field) || r.json.error.field.startsWith(`${field}[`), r.text);
        });
    test('the admin defines version 1 (201); the same id again → 409', async () => {
        const r = await api(srv, 'POST', '/surveys/questionnaires', DEF, { token: A });
        assert.equal(r.status, 201, r.text);
        assert.equal(r.json.version, 1);
        assert.equal(r.json.in_use, false);
        assert.deepEqual(r.json.dimensions.map((d) => d.key), ['environment', 'attitude', 'efficiency']);
        assert.equal(r.json.open_questions[0].max_chars, 10);
        assertError(await api(srv, 'POST', '/surveys/questionnaires', DEF, { token: A }), 409, 'conflict');
    });
    test('unused, it may be edited in place (still version 1)', async () => {
        const { id, ...body } = DEF; // eslint-disable-line no-unused-vars
        const r = await api(srv, 'PUT', '/surveys/questionnaires/hall2026', { ...body, title: '办事满意度调查（试行）' }, { token: A });
        assert.equal(r.status, 200, r.text);
        assert.equal(r.json.version, 1);
        assert.equal(r.json.title, '办事满意度调查（试行）');
    });
    test('an unknown questionnaire → 404; a manager lists and reads', async () => {
        assertError(await api(srv, 'GET', '/surveys/questionnaires/nosuch', undefined, { token: M }), 404, 'not_found');
        assertError(await api(srv, 'PUT', '/surveys/questionnaires/nosuch', { title: 'x', dimensions: [{ key: 'a', name: '甲' }] }, { token: A }), 404, 'not_found');
        const r = await api(srv, 'GET', '/surveys/questionnaires', undefined, { token: M });
        assert.equal(r.status, 200, r.text);
        assert.equal(r.json.length, 1);
        assertError(await api(srv, 'GET', '/surveys/questionnaires', undefined, { token: C1 }), 403, 'forbidden');
    });
    test('activating: admin only, an unknown questionnaire or channel refused', async () => {
        assertError(await api(srv, 'PUT', '/surveys/active/pad', { questionnaire: 'hall2026' }, { token: M }), 403, 'forbidden');
        assertError(await api(srv, 'PUT', '/surveys/active/pad', { questionnaire: 'nosuch' }, { token: A }), 400, 'invalid_field', 'questionnaire');
        assertError(await api(srv, 'PUT', '/surveys/active/kiosk', { questionnaire: 'hall2026' }, { token: A }), 400, 'invalid_field', 'channel');
        for (const ch of ['pad', 'web', 'staff']) {
            const r = await api(srv, 'PUT', `/surveys/active/${ch}`, { questionnaire: 'hall2026' }, { token: A });
            assert.equal(r.status, 200, r.text);
            assert.ok(r.json.questionnaire.active.includes(ch));
        }
        const g = await api(srv, 'GET', '/surveys/active/web');
        assert.equal(g.status, 200, g.text);
        assert.equal(g.json.questionnaire.id, 'hall2026');
    });
});

describe('answers', () => {
    let pad, t1, t2, t3;
    test('setup: a pad and three finished tickets', async () => {
        await act(srv, 1, 'open', C1);
        const d = await api(srv, 'POST', '/devices', { name: '1号窗口评价器' }, { token: A });
        assert.equal(d.status, 201, d.text);
        pad = { 'x-device-key': d.json.key };
        t1 = await serve();
        t2 = await serve();
        t3 = await serve('B');
    });
    const answer = (ticket, extra = {}) => ({
        questionnaire: 'hall2026',
        version: 1,
        ticket,
        scores: [
            { dimension: 'environment', importance: 3, performance: 5 },
            { dimension: 'efficiency', importance: 5, performance: 2 },
        ],
        open: [{ question: 'improve', text: '多开窗口' }],
        ...extra,
    });
    const bad = [
        ['importance 0', { scores: [{ dimension: 'environment', importance: 0 }] }, 'importance'],
        ['performance 6', { scores: [{ dimension: 'environment', performance: 6 }] }, 'performance'],
        ['performance 4.5', { scores: [{ dimension: 'environment', performance: 4.5 }] }, 'performance'],
        ['a score without either rating', { scores: [{ dimension: 'environment' }] }, 'scores'],
        ['an unknown dimension', { scores: [{ dimension: 'parking', performance: 3 }] }, 'scores'],
        ['a dimension twice', { scores: [{ dimension: 'attitude', performance: 3 }, { dimension: 'attitude', importance: 3 }] }, 'scores'],
        ['an open answer of 11 characters (limit 10)', { scores: [], open: [{ question: 'improve', text: '窗'.repeat(11) }] }, 'open'],
        ['an unknown open question', { scores: [], open: [{ question: 'parking', text: '好' }] }, 'open'],
        ['nothing answered', { scores: [], open: [] }, 'scores'],
        ['an unknown questionnaire', { questionnaire: 'nosuch' }, 'questionnaire'],
        ['an unknown field', { phone: '13800138000' }, 'phone'],
    ];
    for (const [name, change, field] of bad)
        test(`refused: ${name} → 400`, async () => {
            const r = await api(srv, 'POST', '/surveys/answers', answer(t1.id, change));
            assertError(r, 400, 'invalid_field');
            // the field at fault, or a JSON path to it (dimensions[0].name): the schema check names the exact member
            assert.ok(r.json.error.field === field || r.json.error.field.split(/[.[\]]/).includes(field) || r.json.error.field.startsWith(`${field}[`), r.text);
        });
    test('11 characters are refused but 10 Chinese characters pass (characters, not bytes)', async () => {
        const r = await api(srv, 'POST', '/surveys/answers', answer(t1.id, { open: [{ question: 'improve', text: '窗'.repeat(10) }] }), { headers: pad });
        assert.equal(r.status, 201, r.text);
        assert.equal(r.json.method, 'pad');
        assert.deepEqual(r.json.scores.efficiency, { i: 5, p: 2 });
    });
    test('a second answer for the same ticket → 409 (from the web too)', async () => {
        assertError(await api(srv, 'POST', '/surveys/answers', answer(t1.id), { headers: pad }), 409, 'conflict', 'ticket');
        assertError(await api(srv, 'POST', '/surveys/answers', answer(t1.id)), 409, 'conflict', 'ticket');
        const g = await api(srv, 'GET', `/surveys/active/web?ticket=${t1.id}`);
        assert.equal(g.json.answered, true);
        const g2 = await api(srv, 'GET', `/surveys/active/web?ticket=${t2.id}`);
        assert.equal(g2.json.answered, false);
    });
    test('the tracking page answers with method web; a pad may not claim web', async () => {
        assertError(await api(srv, 'POST', '/surveys/answers', answer(t2.id, { method: 'web' }), { headers: pad }), 400, 'invalid_field', 'method');
        const r = await api(srv, 'POST', '/surveys/answers', answer(t2.id));
        assert.equal(r.status, 201, r.text);
        assert.equal(r.json.method, 'web');
    });
    test('the public may not enter phone or interview answers (403); a waiting ticket → 409; no ticket → 400', async () => {
        assertError(await api(srv, 'POST', '/surveys/answers', answer(t3.id, { method: 'phone' })), 403, 'forbidden');
        const w = await issue(srv, { service: 'C' });
        assertError(await api(srv, 'POST', '/surveys/answers', answer(w.id)), 409, 'conflict', 'ticket');
        assertError(await api(srv, 'POST', '/surveys/answers', answer(undefined)), 400, 'invalid_field', 'ticket');
        assertError(await api(srv, 'POST', '/surveys/answers', answer('0123456789abcdef0123456789abcdef')), 400, 'invalid_field', 'ticket');
    });
    test('staff enter phone and interview answers (method required, no ticket needed)', async () => {
        assertError(await api(srv, 'POST', '/surveys/answers', answer(undefined), { token: M }), 400, 'invalid_field', 'method');
        for (const method of ['phone', 'interview']) {
            const r = await api(srv, 'POST', '/surveys/answers', answer(undefined, { method, scores: [{ dimension: 'attitude', importance: 4, performance: 4 }] }), { token: M });
            assert.equal(r.status, 201, r.text);
            assert.equal(r.json.method, method);
        }
    });
    test('a version in use is not edited in place (409); a new version is published instead', async () => {
        const { id, ...body } = DEF; // eslint-disable-line no-unused-vars
        assertError(await api(srv, 'PUT', '/surveys/questionnaires/hall2026', body, { token: A }), 409, 'conflict');
        const g = await api(srv, 'GET', '/surveys/questionnaires/hall2026', undefined, { token: M });
        assert.equal(g.json.in_use, true);
        assert.equal(g.json.title, '办事满意度调查（试行）', 'unchanged');
        assertError(await api(srv, 'POST', '/surveys/questionnaires/hall2026/versions', body, { token: M }), 403, 'forbidden');
        const v = await api(srv, 'POST', '/surveys/questionnaires/hall2026/versions', { ...body, dimensions: [...body.dimensions, { key: 'convenience', name: '便利', name_en: 'Convenience' }] }, { token: A });
        assert.equal(v.status, 201, v.text);
        assert.equal(v.json.version, 2);
        assert.equal(v.json.in_use, false);
        assert.equal(v.json.versions.length, 2);
        assert.equal(v.json.answers_by_version['1'], 4);
        // An answer to the old version is now refused: the pad must reload.
        assertError(await api(srv, 'POST', '/surveys/answers', answer(t3.id), { headers: pad }), 409, 'conflict', 'version');
        const r = await api(srv, 'POST', '/surveys/answers', answer(t3.id, { version: 2, scores: [{ dimension: 'convenience', importance: 5, performance: 1 }] }), { headers: pad });
        assert.equal(r.status, 201, r.text);
    });
    test('not active on the channel → 409', async () => {
        const t4 = await serve();
        await api(srv, 'PUT', '/surveys/active/web', { questionnaire: null }, { token: A });
        const g = await api(srv, 'GET', '/surveys/active/web');
        assert.equal(g.json.questionnaire, null);
        assertError(await api(srv, 'POST', '/surveys/answers', answer(t4.id, { version: 2 })), 409, 'conflict', 'questionnaire');
        await api(srv, 'PUT', '/surveys/active/web', { questionnaire: 'hall2026' }, { token: A });
    });
    test('the answers: managers only, each with its method, no ticket, no personal data', async () => {
        assertError(await api(srv, 'GET', '/surveys/answers', undefined, { token: C1 }), 403, 'forbidden');
        const r = await api(srv, 'GET', '/surveys/answers?questionnaire=hall2026', undefined, { token: M });
        assert.equal(r.status, 200, r.text);
        assert.equal(r.json.length, 5);
        assert.deepEqual(r.json.map((x) => x.method).sort(), ['interview', 'pad', 'pad', 'phone', 'web']);
        for (const t of [t1, t2, t3]) {
            assert.ok(!r.text.includes(t.id), 'no ticket id');
            assert.ok(!r.text.includes(`"${t.number}"`), 'no ticket number');
        }
        assertError(await api(srv, 'GET', '/surveys/answers?from=2026-13-01', undefined, { token: M }), 400, 'invalid_field', 'from');
    });
});

describe('gap analysis', () => {
    const today = () => new Date(Date.now() + 8 * 3600e3).toISOString().slice(0, 10);
    test('per dimension: means with t intervals, gaps, quadrants, the furthest below', async () => {
        const r = await api(srv, 'GET', '/surveys/analysis?questionnaire=hall2026', undefined, { token: M });
        assert.equal(r.status, 200, r.text);
        assert.equal(r.json.answers, 5);
        assert.deepEqual(r.json.methods, { pad: 2, web: 1, phone: 1, interview: 1 });
        const by = Object.fromEntries(r.json.dimensions.map((d) => [d.key, d]));
        // efficiency: importance 5,5 performance 2,2 → gap 3; environment 3,3 vs 5,5 → −2;
        // attitude 4,4 vs 4,4 → 0; convenience 5 vs 1 → 4 (one answer: no interval).
        assert.equal(by.efficiency.importance.mean, 5);
        assert.equal(by.efficiency.performance.mean, 2);
        assert.equal(by.efficiency.gap, 3);
        assert.deepEqual(by.efficiency.performance.ci95, [2, 2]);
        assert.equal(by.convenience.gap, 4);
        assert.equal(by.convenience.importance.ci95, null);
        assert.equal(by.convenience.rank, 1);
        assert.equal(by.efficiency.rank, 2);
        assert.deepEqual(r.json.furthest_below, ['convenience', 'efficiency']);
        assert.equal(by.environment.quadrant, 'possible_overkill');
        assert.equal(by.efficiency.quadrant, 'concentrate');
        assert.equal(r.json.interval, 't');
    });
    test('with a second period: chi-square on evaluation levels and Mann–Whitney with Holm', async () => {
        const r = await api(srv, 'GET', `/surveys/analysis?questionnaire=hall2026&from=${today()}&b_from=2020-01-01&b_to=2020-01-31`, undefined, { token: M });
        assert.equal(r.status, 200, r.text);
        const c = r.json.comparison;
        assert.equal(c.answers_b, 0);
        assert.equal(c.correction, 'holm');
        assert.equal(c.evaluation_levels.valid, false, 'nothing in the second period: no test');
        assert.equal(c.dimensions.length, 8);
        for (const d of c.dimensions) {
            assert.equal(d.valid, false);
            assert.equal(d.significant, false);
        }
    });
    test('refusals: a clerk, no questionnaire, an unknown one, a bad period', async () => {
        assertError(await api(srv, 'GET', '/surveys/analysis?questionnaire=hall2026', undefined, { token: C1 }), 403, 'forbidden');
        assertError(await api(srv, 'GET', '/surveys/analysis', undefined, { token: M }), 400, 'invalid_field', 'questionnaire');
        assertError(await api(srv, 'GET', '/surveys/analysis?questionnaire=nosuch', undefined, { token: M }), 404, 'not_found');
        assertError(await api(srv, 'GET', '/surveys/analysis?questionnaire=hall2026&from=2026-02-30x', undefined, { token: M }), 400, 'invalid_field', 'from');
        assertError(await api(srv, 'GET', '/surveys/analysis?questionnaire=hall2026&from=2026-03-02&to=2026-03-01', undefined, { token: M }), 400, 'invalid_field', 'to');
    });
});
