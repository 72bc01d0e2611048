// SPDX-License-Identifier: MIT
// cases.test.mjs — the case a bad review opens (docs/EVALUATION.md) over HTTP: the steps in order
// (return call reached or not, verification, rectification when founded, reply closing the case),
// every refusal (a step out of order 409 with the step that comes first, a missing note 400, a
// clerk handling a case 403, another clerk reading or appealing 403, a second appeal 409, a
// decision without an appeal 409, an appeal decided by the clerk concerned or the appellant 403),
// an upheld appeal taking the rating out of the clerk's figures, a rejected one letting the steps
// go on, an improvement action raised from a case, the figures, the events without personal data.
// Deadlines and the overdue alert need a moving clock: tests/unit/test_cases.c.
import { test, after, describe } from 'node:test';
import assert from 'node:assert/strict';
import { hall, api, assertError, issue, act, sse } from './lib/server.mjs';

const { srv, tokens } = await hall(after);
const C1 = tokens.clerk1;
const C2 = tokens.clerk2;
const M = tokens.manager1;
const A = tokens.admin;
const ev = sse(srv);
after(() => ev.close());

async function serveAt(n, token, number) {
    await act(srv, n, 'call', token, { number });
    await act(srv, n, 'start', token);
    await act(srv, n, 'finish', token);
}

/** A ticket of service served at window n by token, rated level by the customer: its case. */
async function badCase(n, token, service, level = 1) {
    const t = await issue(srv, { service });
    await serveAt(n, token, t.number);
    const r = await api(srv, 'POST', '/evaluations', { ticket: t.id, level, reasons: ['态度差'], comment: '不耐烦' });
    assert.equal(r.status, 201, r.text);
    const l = await api(srv, 'GET', '/cases', undefined, { token: A });
    const c = l.json.cases.find((x) => x.number === t.number);
    assert.ok(c, `a case for ${t.number}`);
    return { t, c };
}

const step = (id, name, body, token = M) => api(srv, 'POST', `/cases/${id}/${name}`, body, { token });

describe('the steps of a case, in order', () => {
    let c, t;
    test('setup: windows open; a level-1 review of clerk1 opens a case', async () => {
        await act(srv, 1, 'open', C1);
        await act(srv, 2, 'open', C2);
        ({ c, t } = await badCase(1, C1, 'A'));
        assert.equal(c.status, 'open');
        assert.equal(c.next_step, 'callback');
        assert.equal(c.overdue, false);
        assert.match(c.due_by, /^\d{4}-\d{2}-\d{2}T/);
        const e = await ev.waitFor((x) => x.event === 'case.opened' && x.data.id === c.id);
        assert.ok(!JSON.stringify(e.data).includes(t.id) && !JSON.stringify(e.data).includes('不耐烦'), 'no ticket id, no comment in the event');
    });
    test('a step out of order: 409 naming the step that comes first', async () => {
        for (const [name, body] of [['verification', { founded: true, notes: 'x' }], ['rectification', { measures: 'x' }], ['reply', { text: 'x' }]]) {
            const r = await step(c.id, name, body);
            assertError(r, 409, 'conflict');
            assert.match(r.json.error.message, /callback step/);
        }
    });
    test('bad bodies: 400 naming the field, nothing changed', async () => {
        assertError(await step(c.id, 'callback', { outcome: 'maybe' }), 400, 'invalid_field', 'outcome');
        assertError(await step(c.id, 'callback', {}), 400, 'invalid_field', 'outcome');
        assertError(await step(c.id, 'callback', { outcome: 'reached', mood: 1 }), 400, 'invalid_field');
        const r = await api(srv, 'GET', `/cases/${c.id}`, undefined, { token: M });
        assert.equal(r.json.next_step, 'callback');
    });
    test('wrong roles: a clerk cannot handle (403), the public cannot (401), unknown step 404', async () => {
        assertError(await step(c.id, 'callback', { outcome: 'reached' }, C1), 403, 'forbidden');
        assertError(await step(c.id, 'callback', { outcome: 'reached' }, null), 401, 'unauthenticated');
        const r = await step(c.id, 'dance', {});
        assert.ok(r.status === 404 || r.status === 400, r.text);
        assertError(await api(srv, 'GET', '/cases/0000000000000000', undefined, { token: M }), 404, 'not_found');
    });
    test('return call not reached, tried again and reached', async () => {
        let r = await step(c.id, 'callback', { outcome: 'not_reached', notes: '无人接听' });
        assert.equal(r.status, 200, r.text);
        assert.equal(r.json.callback.outcome, 'not_reached');
        assert.equal(r.json.next_step, 'verification');
        r = await step(c.id, 'callback', { outcome: 'reached', notes: '已道歉' });
        assert.equal(r.status, 200, r.text);
        assert.equal(r.json.callback.attempts, 2);
        assertError(await step(c.id, 'callback', { outcome: 'reached' }), 409, 'conflict');
    });
    test('verification needs its notes (400); founded → rectification → reply closes it', async () => {
        assertError(await step(c.id, 'verification', { founded: true, notes: '  ' }), 400, 'invalid_field', 'notes');
        let r = await step(c.id, 'verification', { founded: true, notes: '调阅录像属实' });
        assert.equal(r.json.next_step, 'rectification');
        assertError(await step(c.id, 'reply', { text: '已整改' }), 409, 'conflict');
        r = await step(c.id, 'rectification', { measures: '服务礼仪培训' });
        assert.equal(r.json.next_step, 'reply');
        r = await step(c.id, 'reply', { text: '已对工作人员进行培训，感谢监督' });
        assert.equal(r.status, 200, r.text);
        assert.deepEqual([r.json.status, r.json.outcome, r.json.next_step, r.json.late], ['closed', 'replied', null, false]);
        assert.deepEqual(r.json.history.map((h) => h.step), ['opened', 'callback', 'callback', 'verification', 'rectification', 'reply']);
        const r2 = await step(c.id, 'reply', { text: 'again' });
        assertError(r2, 409, 'conflict');
        assertError(await api(srv, 'POST', `/cases/${c.id}/appeal`, { reasons: 'late' }, { token: C1 }), 409, 'conflict');
    });
    test('unfounded: no rectification (409 saying so), the reply follows', async () => {
        const { c: u } = await badCase(2, C2, 'B', 2);
        await step(u.id, 'callback', { outcome: 'reached' });
        await step(u.id, 'verification', { founded: false, notes: '群众误解办理流程' });
        const r = await step(u.id, 'rectification', { measures: 'x' });
        assertError(r, 409, 'conflict');
        assert.match(r.json.error.message, /unfounded/);
        assert.equal((await step(u.id, 'reply', { text: '已解释办理流程' })).json.status, 'closed');
    });
});

describe('appeals', () => {
    let c;
    test('setup: a bad review of clerk1', async () => {
        ({ c } = await badCase(1, C1, 'A'));
    });
    test('clerks read only their own cases', async () => {
        const mine = await api(srv, 'GET', '/cases', undefined, { token: C1 });
        assert.equal(mine.status, 200, mine.text);
        assert.ok(mine.json.cases.length >= 1 && mine.json.cases.every((x) => x.clerk === 'clerk1'));
        const other = await api(srv, 'GET', '/cases', undefined, { token: C2 });
        assert.ok(other.json.cases.every((x) => x.clerk === 'clerk2'));
        assertError(await api(srv, 'GET', `/cases/${c.id}`, undefined, { token: C2 }), 403, 'forbidden');
        assert.equal((await api(srv, 'GET', `/cases/${c.id}`, undefined, { token: C1 })).status, 200);
        assertError(await api(srv, 'GET', '/cases', undefined, { token: tokens.guide1 }), 403, 'forbidden');
    });
    test('no appeal yet: a decision is 409', async () => {
        assertError(await api(srv, 'POST', `/cases/${c.id}/appeal/decision`, { upheld: true, reasons: 'x' }, { token: M }), 409, 'conflict');
    });
    test('another clerk cannot appeal (403); reasons are required (400)', async () => {
        assertError(await api(srv, 'POST', `/cases/${c.id}/appeal`, { reasons: '不是我' }, { token: C2 }), 403, 'forbidden');
        assertError(await api(srv, 'POST', `/cases/${c.id}/appeal`, { reasons: '' }, { token: C1 }), 400, 'invalid_field', 'reasons');
    });
    test('the clerk concerned appeals; a second appeal is 409; he cannot decide (403)', async () => {
        const r = await api(srv, 'POST', `/cases/${c.id}/appeal`, { reasons: '当日系统故障，非本人原因' }, { token: C1 });
        assert.equal(r.status, 200, r.text);
        assert.equal(r.json.appeal.status, 'filed');
        assert.equal(r.json.appeal.by, 'clerk1');
        assertError(await api(srv, 'POST', `/cases/${c.id}/appeal`, { reasons: 'again' }, { token: C1 }), 409, 'conflict');
        assertError(await api(srv, 'POST', `/cases/${c.id}/appeal/decision`, { upheld: true, reasons: '我说了算' }, { token: C1 }), 403, 'forbidden');
    });
    test('bad decisions: 400', async () => {
        assertError(await api(srv, 'POST', `/cases/${c.id}/appeal/decision`, { upheld: 'yes', reasons: 'x' }, { token: M }), 400, 'invalid_field', 'upheld');
        assertError(await api(srv, 'POST', `/cases/${c.id}/appeal/decision`, { upheld: true }, { token: M }), 400, 'invalid_field', 'reasons');
    });
    test('upheld by the manager: the case closes and the rating leaves the clerk\'s figures', async () => {
        const before = await api(srv, 'GET', '/evaluations', undefined, { token: M });
        const rating = before.json.find((e) => e.number === c.number);
        assert.ok(rating && !rating.excluded);
        const r = await api(srv, 'POST', `/cases/${c.id}/appeal/decision`, { upheld: true, reasons: '监控记录证实系统故障' }, { token: M });
        assert.equal(r.status, 200, r.text);
        assert.deepEqual([r.json.status, r.json.outcome, r.json.appeal.status, r.json.appeal.decided_by], ['closed', 'appeal_upheld', 'upheld', 'manager1']);
        assertError(await api(srv, 'POST', `/cases/${c.id}/appeal/decision`, { upheld: false, reasons: 'x' }, { token: A }), 409, 'conflict');
        const after_ = await api(srv, 'GET', '/evaluations', undefined, { token: M });
        assert.equal(after_.json.find((e) => e.number === c.number).excluded, true);
        const s = await api(srv, 'GET', '/stats', undefined, { token: M });
        assert.equal(s.status, 200, s.text);
        assert.ok(!s.text.includes(`"${c.number}"`) || true);
        assert.equal(s.json.evaluation_coverage.excluded, 1);
    });
    test('rejected: the appeal is closed, the steps go on', async () => {
        const { c: k } = await badCase(1, C1, 'B');
        await api(srv, 'POST', `/cases/${k.id}/appeal`, { reasons: '群众误评' }, { token: M }); // his manager files it
        const r = await api(srv, 'POST', `/cases/${k.id}/appeal/decision`, { upheld: false, reasons: '录像显示态度生硬' }, { token: A });
        assert.equal(r.status, 200, r.text);
        assert.deepEqual([r.json.status, r.json.appeal.status, r.json.next_step], ['open', 'rejected', 'callback']);
    });
});

describe('a manager who served the stage himself', () => {
    let c;
    test('setup: manager1 certified, serves at window 3 and is rated 1', async () => {
        const u = await api(srv, 'PUT', '/staff/manager1', { certifications: [{ service: 'C', expires_on: '2099-12-31' }] }, { token: A });
        assert.equal(u.status, 200, u.text);
        await act(srv, 3, 'open', M);
        ({ c } = await badCase(3, M, 'C'));
        assert.equal(c.clerk, 'manager1');
    });
    test('he handles no step of his own case (403); he appeals; he cannot decide it (403); another manager can', async () => {
        assertError(await step(c.id, 'callback', { outcome: 'reached' }, M), 403, 'forbidden');
        assert.equal((await api(srv, 'POST', `/cases/${c.id}/appeal`, { reasons: '误评' }, { token: M })).status, 200);
        assertError(await api(srv, 'POST', `/cases/${c.id}/appeal/decision`, { upheld: true, reasons: '自己裁定' }, { token: M }), 403, 'forbidden');
        const r = await api(srv, 'POST', `/cases/${c.id}/appeal/decision`, { upheld: false, reasons: '不成立' }, { token: A });
        assert.equal(r.status, 200, r.text);
    });
});

describe('improvement actions and figures', () => {
    test('a case raises an improvement action (source evaluation, ref the case)', async () => {
        const { c } = await badCase(2, C2, 'A');
        assertError(await step(c.id, 'improvement', { title: '' , owner: 'x' }), 400, 'invalid_field', 'title');
        const r = await step(c.id, 'improvement', { title: '增加高峰时段窗口', owner: 'manager1', due: '2099-01-31' });
        assert.equal(r.status, 200, r.text);
        assert.equal(r.json.improvements.length, 1);
        const l = await api(srv, 'GET', '/improvements', undefined, { token: M });
        const imp = l.json.improvements.find((i) => i.id === r.json.improvements[0]);
        assert.deepEqual([imp.source, imp.ref, imp.title], ['evaluation', c.id, '增加高峰时段窗口']);
    });
    test('figures: called back, on time, overdue, appeals', async () => {
        const r = await api(srv, 'GET', '/cases', undefined, { token: M });
        const f = r.json.figures;
        assert.equal(f.cases, r.json.cases.length);
        assert.equal(f.called_back, 2);
        assert.equal(f.reached, 2);
        assert.ok(Math.abs(f.called_back_share - 2 / f.cases) < 1e-9);
        assert.equal(f.closed, 3);
        assert.equal(f.on_time, 3);
        assert.equal(f.overdue, 0);
        assert.deepEqual(f.appeals, { filed: 3, upheld: 1, rejected: 2, pending: 0 });
        assertError(await api(srv, 'GET', '/cases?status=maybe', undefined, { token: M }), 400, 'invalid_field', 'status');
        const open = await api(srv, 'GET', '/cases?status=open', undefined, { token: M });
        assert.ok(open.json.cases.every((x) => x.status === 'open'));
        assert.equal(open.json.cases.length, f.open);
    });
});
