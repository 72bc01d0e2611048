// SPDX-License-Identifier: MIT
// evaluations_stages.test.mjs — every transaction rated once (docs/EVALUATION.md) over HTTP: each
// stage of a 一票到底 ticket (next_services) is rated on its own and names its service; a second
// rating of a stage is 409, a stage not yet finished is 409; a staff login cannot rate (403), the
// pad of the window and the customer (no login) can; the pad asks about the stage just finished;
// the evaluation settings (manager reads, admin writes, bad values 400); coverage by window and
// clerk in GET /stats; a bad review (level 1-2) opens a case. The late limit and the default
// ratings need a clock that moves: tests/unit/test_cases_stages.c.
import { test, after, describe } from 'node:test';
import assert from 'node:assert/strict';
import { hall, api, assertError, issue, act, sse } from './lib/server.mjs';

const { srv, tokens } = await hall(after);
const C1 = tokens.clerk1;
const C2 = tokens.clerk2;
const ev = sse(srv);
after(() => ev.close());

async function serveAt(n, token, number) {
    await act(srv, n, 'call', token, { number });
    await act(srv, n, 'start', token);
    await act(srv, n, 'finish', token);
}

describe('each stage of a multi-service ticket is rated once', () => {
    let t, pad;
    test('setup: windows 1 and 2 open, a pad for window 1, a ticket for A then B', async () => {
        await act(srv, 1, 'open', C1);
        await act(srv, 2, 'open', C2);
        const d = await api(srv, 'POST', '/devices', { name: '1号窗口评价器' }, { token: tokens.admin });
        assert.equal(d.status, 201, d.text);
        pad = { 'x-device-key': d.json.key };
        t = await issue(srv, { service: 'A', next_services: ['B'] });
    });
    test('nothing finished yet: 409', async () => {
        assertError(await api(srv, 'POST', '/evaluations', { ticket: t.id, level: 5 }), 409, 'conflict');
    });
    test('stage 0 (A) finished at window 1: its pad asks about stage 0', async () => {
        await serveAt(1, C1, t.number);
        const r = await api(srv, 'GET', '/windows/1/pending-evaluation', undefined, { headers: pad });
        assert.equal(r.status, 200, r.text);
        assert.equal(r.json.number, t.number);
        assert.equal(r.json.stage, 0);
    });
    test('staff logins cannot rate (403), whatever their role', async () => {
        for (const who of ['clerk1', 'manager1', 'admin', 'guide1'])
            assertError(await api(srv, 'POST', '/evaluations', { ticket: t.id, level: 5 }, { token: tokens[who] }), 403, 'forbidden');
    });
    test('stage 1 is not finished: 409 naming the stage', async () => {
        const r = await api(srv, 'POST', '/evaluations', { ticket: t.id, level: 5, stage: 1 });
        assertError(r, 409, 'conflict', 'stage');
    });
    test('the pad rates stage 0: 201 naming service A', async () => {
        const r = await api(srv, 'POST', '/evaluations', { ticket: t.id, level: 4, reasons: [] }, { headers: pad });
        assert.equal(r.status, 201, r.text);
        assert.equal(r.json.stage, 0);
        assert.equal(r.json.service, 'A');
        const e = await ev.waitFor((x) => x.event === 'evaluation.recorded' && x.data.number === t.number);
        assert.equal(e.data.stage, 0);
        assert.ok(!JSON.stringify(e.data).includes(t.id), 'no ticket id in the event');
    });
    test('a second rating of stage 0 is 409 (from the pad or the tracking page)', async () => {
        assertError(await api(srv, 'POST', '/evaluations', { ticket: t.id, level: 1, stage: 0 }), 409, 'conflict');
        assertError(await api(srv, 'POST', '/evaluations', { ticket: t.id, level: 1 }, { headers: pad }), 409, 'conflict');
    });
    test('the tracking page\'s view: stage 0 rated, no level, no clerk; unknown id 404', async () => {
        const r = await api(srv, 'GET', `/evaluations/stages/${t.id}`);
        assert.equal(r.status, 200, r.text);
        assert.equal(r.json.number, t.number);
        assert.equal(r.json.late_rating_h, 24);
        assert.equal(r.json.stages.length, 1);
        assert.deepEqual([r.json.stages[0].stage, r.json.stages[0].service, r.json.stages[0].rated, r.json.stages[0].rateable], [0, 'A', true, false]);
        assert.ok(!r.text.includes('clerk1') && !r.text.includes('"level"'));
        assertError(await api(srv, 'GET', '/evaluations/stages/0123456789abcdef0123456789abcdef'), 404, 'not_found');
    });
    test('stage 1 (B) finished at window 2 by clerk2: the customer rates it (no stage given: the latest)', async () => {
        await serveAt(2, C2, t.number);
        const r = await api(srv, 'POST', '/evaluations', { ticket: t.id, level: 5, comment: '很快' });
        assert.equal(r.status, 201, r.text);
        assert.equal(r.json.stage, 1);
        assert.equal(r.json.service, 'B');
        assertError(await api(srv, 'POST', '/evaluations', { ticket: t.id, level: 5, stage: 1 }), 409, 'conflict');
        const v = await api(srv, 'GET', `/evaluations/stages/${t.id}`);
        assert.deepEqual(v.json.stages.map((x) => [x.stage, x.service, x.window, x.rated, x.rateable]), [
            [0, 'A', 1, true, false],
            [1, 'B', 2, true, false],
        ]);
    });
    test('bad stage values: 400', async () => {
        for (const stage of [-1, 9, 'x', 1.5])
            assertError(await api(srv, 'POST', '/evaluations', { ticket: t.id, level: 5, stage }), 400, 'invalid_field', 'stage');
    });
    test('the manager lists both ratings, each with its stage, window and clerk, no ticket id', async () => {
        const r = await api(srv, 'GET', '/evaluations', undefined, { token: tokens.manager1 });
        assert.equal(r.status, 200, r.text);
        const mine = r.json.filter((e) => e.number === t.number).sort((a, b) => a.stage - b.stage);
        assert.deepEqual(mine.map((e) => [e.stage, e.service, e.window, e.clerk, e.level]), [
            [0, 'A', 1, 'clerk1', 4],
            [1, 'B', 2, 'clerk2', 5],
        ]);
        assert.ok(!r.text.includes(t.id));
    });
    test('coverage in GET /stats: finished stages rated, by window and by clerk', async () => {
        const u = await issue(srv, { service: 'A' });
        await serveAt(1, C1, u.number); // finished, not rated
        const r = await api(srv, 'GET', '/stats', undefined, { token: tokens.manager1 });
        assert.equal(r.status, 200, r.text);
        const c = r.json.evaluation_coverage;
        assert.ok(c, `evaluation_coverage in ${Object.keys(r.json)}`);
        assert.equal(c.stages, 3);
        assert.equal(c.rated, 2);
        assert.equal(c.defaulted, 0);
        assert.equal(c.unrated, 1);
        assert.ok(Math.abs(c.coverage - 2 / 3) < 1e-9);
        const w1 = c.by_window.find((w) => w.window === 1);
        assert.deepEqual([w1.stages, w1.rated, w1.coverage], [2, 1, 0.5]);
        const k2 = c.by_clerk.find((k) => k.clerk === 'clerk2');
        assert.deepEqual([k2.stages, k2.rated, k2.coverage], [1, 1, 1]);
    });
});

describe('the evaluation settings', () => {
    test('defaults: 24 h late rating, no default level, 5 working days for a case', async () => {
        const r = await api(srv, 'GET', '/evaluations/settings', undefined, { token: tokens.manager1 });
        assert.equal(r.status, 200, r.text);
        assert.deepEqual(r.json, { late_rating_h: 24, default_level: null, default_after_days: 7, case_working_days: 5 });
    });
    test('roles: a clerk may not read, a manager may not write', async () => {
        assertError(await api(srv, 'GET', '/evaluations/settings', undefined, { token: C1 }), 403, 'forbidden');
        assertError(await api(srv, 'PUT', '/evaluations/settings', { late_rating_h: 48 }, { token: tokens.manager1 }), 403, 'forbidden');
        assertError(await api(srv, 'PUT', '/evaluations/settings', { late_rating_h: 48 }), 401, 'unauthenticated');
    });
    const bad = [
        ['late_rating_h', 0],
        ['late_rating_h', 721],
        ['default_level', 6],
        ['default_level', '4'],
        ['default_after_days', 0],
        ['case_working_days', 61],
        ['stars', 1],
    ];
    for (const [field, value] of bad)
        test(`refused: ${field} = ${JSON.stringify(value)} → 400, nothing changed`, async () => {
            assertError(await api(srv, 'PUT', '/evaluations/settings', { [field]: value }, { token: tokens.admin }), 400, 'invalid_field', field);
            const r = await api(srv, 'GET', '/evaluations/settings', undefined, { token: tokens.admin });
            assert.equal(r.json.late_rating_h, 24);
        });
    test('the admin sets them; the fields not given stay; default_level null turns it off', async () => {
        let r = await api(srv, 'PUT', '/evaluations/settings', { late_rating_h: 72, default_level: 4 }, { token: tokens.admin });
        assert.equal(r.status, 200, r.text);
        assert.deepEqual(r.json, { late_rating_h: 72, default_level: 4, default_after_days: 7, case_working_days: 5 });
        r = await api(srv, 'PUT', '/evaluations/settings', { default_level: null, case_working_days: 15 }, { token: tokens.admin });
        assert.deepEqual(r.json, { late_rating_h: 72, default_level: null, default_after_days: 7, case_working_days: 15 });
        r = await api(srv, 'GET', '/evaluations/settings', undefined, { token: tokens.manager1 });
        assert.equal(r.json.case_working_days, 15);
    });
});

describe('a bad review opens a case', () => {
    test('level 2 → a case for the stage, its window and clerk; level 3 → none', async () => {
        const before = (await api(srv, 'GET', '/cases', undefined, { token: tokens.manager1 })).json.cases.length;
        const ok = await issue(srv, { service: 'A' });
        await serveAt(1, C1, ok.number);
        assert.equal((await api(srv, 'POST', '/evaluations', { ticket: ok.id, level: 3 })).status, 201);
        const bad = await issue(srv, { service: 'B' });
        await serveAt(2, C2, bad.number);
        const r = await api(srv, 'POST', '/evaluations', { ticket: bad.id, level: 2, reasons: ['等候时间长'] });
        assert.equal(r.status, 201, r.text);
        const l = await api(srv, 'GET', '/cases', undefined, { token: tokens.manager1 });
        assert.equal(l.status, 200, l.text);
        assert.equal(l.json.cases.length, before + 1);
        const c = l.json.cases.find((x) => x.number === bad.number);
        assert.deepEqual([c.service, c.window, c.clerk, c.level, c.status, c.next_step], ['B', 2, 'clerk2', 2, 'open', 'callback']);
        assert.ok(!l.text.includes(bad.id), 'no ticket id in the cases');
    });
});
