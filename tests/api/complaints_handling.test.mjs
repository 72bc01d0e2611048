// SPDX-License-Identifier: MIT
// complaints_handling.test.mjs — the staff side of complaints over HTTP (docs/COMPLAINTS.md): who
// may do what (401/403 table), a complaint handled to the end (acknowledge, assess, resolve, the
// complainant's verdict by tracking code reopening it, resolve again, satisfied closes it), the
// refusals (409 for a step the status does not allow, 400 for a missing note), the public view
// and the event stream without personal data, staff entry of other channels with the assistance
// flag, list filters, and improvement actions.
import { test, after, describe } from 'node:test';
import assert from 'node:assert/strict';
import { hall, api, assertError, sse } from './lib/server.mjs';

const { srv, tokens } = await hall(after);
const CONTACT = '13811112222';
const CONTENT = '在2号窗口等了很久没人理';
const INTERNAL = 'INTERNAL-clerk-was-on-the-phone';
const MEASURES = 'MEASURES-phone-rule';

async function lodge(body = {}, token) {
    const r = await api(srv, 'POST', '/complaints', { channel: 'web', content: CONTENT, contact: CONTACT, ...body }, { token });
    assert.equal(r.status, 201, r.text);
    return r.json.tracking_code;
}
const act = (code, action, body, token = tokens.manager1) => api(srv, 'POST', `/complaints/${code}/${action}`, body, { token });
async function actOk(code, action, body, status, token) {
    const r = await act(code, action, body, token);
    assert.equal(r.status, 200, `${action}: ${r.text}`);
    assert.equal(r.json.status, status);
    return r.json;
}
const track = async (code) => {
    const r = await api(srv, 'GET', `/complaints/track/${code}`);
    assert.equal(r.status, 200, r.text);
    return r;
};
const verdict = (code, body) => api(srv, 'POST', `/complaints/track/${code}/verdict`, body);

describe('complaint handling', () => {
    let code;
    test('roles: 401 without login, 403 for clerks and guides, managers and admins allowed', async () => {
        code = await lodge();
        const routes = [
            ['GET', '/complaints', undefined, 200],
            ['GET', `/complaints/${code}`, undefined, 200],
            ['POST', `/complaints/${code}/escalate`, {}, 400],
            ['GET', '/improvements', undefined, 200],
            ['POST', '/improvements', {}, 400],
            ['POST', '/improvements/0123456789abcdef/close', {}, 404],
        ];
        for (const [m, p, body, allowed] of routes) {
            assertError(await api(srv, m, p, body), 401, 'unauthenticated');
            for (const who of ['clerk1', 'guide1']) assertError(await api(srv, m, p, body, { token: tokens[who] }), 403, 'forbidden');
            for (const who of ['manager1', 'admin']) {
                const r = await api(srv, m, p, body, { token: tokens[who] });
                assert.equal(r.status, allowed, `${who} ${m} ${p}: ${r.text}`);
            }
        }
    });

    test('the staff view has contact and content, the list has no contact', async () => {
        const r = await api(srv, 'GET', `/complaints/${code.toLowerCase()}`, undefined, { token: tokens.manager1 });
        assert.equal(r.json.contact, CONTACT);
        assert.equal(r.json.content, CONTENT);
        assert.equal(r.json.status, 'received');
        assert.deepEqual(r.json.actions, ['acknowledge', 'escalate']);
        assert.match(r.json.resolve_by, /^\d{4}-\d\d-\d\dT/);
        const l = await api(srv, 'GET', '/complaints', undefined, { token: tokens.manager1 });
        const item = l.json.complaints.find((c) => c.tracking_code === code);
        assert.ok(item, l.text);
        assert.ok(!l.text.includes(CONTACT));
        assert.equal(item.ack_overdue, false);
        assertError(await api(srv, 'GET', '/complaints/ZZZZZZZZZZ', undefined, { token: tokens.manager1 }), 404, 'not_found');
    });

    test('refusals: 409 out of order, 400 without the note, 404 for an unknown action', async () => {
        assertError(await act(code, 'resolve', { result: 'r', measures: 'm' }), 409, 'conflict');
        assertError(await act(code, 'assess', { severity: 'high' }), 409, 'conflict');
        assertError(await act(code, 'close', {}), 409, 'conflict');
        assertError(await verdict(code, { satisfied: true }), 409, 'conflict');
        assertError(await act(code, 'acknowledge', {}), 400, 'invalid_field', 'note');
        assertError(await act(code, 'acknowledge', { note: 'x', extra: 1 }), 400, 'invalid_field', 'extra');
        assertError(await act(code, 'dance', {}), 404, 'not_found');
        const r = await api(srv, 'GET', `/complaints/${code}`, undefined, { token: tokens.manager1 });
        assert.equal(r.json.status, 'received', 'a refused request changes nothing');
        assert.equal(r.json.history.length, 1);
    });

    test('handled to the end: acknowledge, assess, resolve, not satisfied reopens, resolve, satisfied closes', async () => {
        const events = sse(srv, { lastEventId: 0 });
        await events.ready;
        await actOk(code, 'acknowledge', { note: 'PUBLIC-ACK 已受理', internal_note: INTERNAL }, 'acknowledged');
        assertError(await act(code, 'assess', { severity: 'awful' }), 400, 'invalid_field', 'severity');
        const as = await actOk(code, 'assess', { category: '排队秩序', severity: 'normal', window: 2, substantiated: true }, 'assessed');
        assert.equal(as.assessment.severity, 'normal');
        assert.equal(as.assessment.window, 2);
        assertError(await act(code, 'resolve', { result: 'r' }), 400, 'invalid_field', 'measures');
        const res = await actOk(code, 'resolve', { result: 'PUBLIC-RESULT', measures: MEASURES }, 'resolved');
        assert.ok(res.verdict_by);

        let t = await track(code);
        assert.equal(t.json.status, 'resolved');
        assert.ok(t.text.includes('PUBLIC-ACK') && t.text.includes('PUBLIC-RESULT'), t.text);

        assertError(await verdict(code, { satisfied: false }), 400, 'invalid_field', 'comment');
        assertError(await verdict(code, { satisfied: 'no' }), 400, 'invalid_field', 'satisfied');
        assertError(await verdict('ZZZZZZZZZZ', { satisfied: true }), 404, 'not_found');
        const v = await verdict(code, { satisfied: false, comment: 'COMMENT-nobody-called' });
        assert.equal(v.status, 200, v.text);
        assert.equal(v.json.status, 'reopened');
        t = await track(code);
        for (const secret of [CONTACT, CONTENT, INTERNAL, MEASURES, 'COMMENT-nobody-called', 'manager1'])
            assert.ok(!t.text.includes(secret), `public view shows ${secret}: ${t.text}`);
        assert.deepEqual(t.json.history.map((h) => h.status), ['received', 'acknowledged', 'assessed', 'resolved', 'reopened']);

        const full = await api(srv, 'GET', `/complaints/${code}`, undefined, { token: tokens.manager1 });
        assert.equal(full.json.reopen_count, 1);
        assert.equal(full.json.verdicts[0].comment, 'COMMENT-nobody-called');
        assert.ok(full.json.history.some((h) => h.internal_note === INTERNAL));

        await actOk(code, 'resolve', { result: 'we called you back', measures: 'call-back list' }, 'resolved');
        const ok = await verdict(code, { satisfied: true });
        assert.equal(ok.status, 200, ok.text);
        assert.equal(ok.json.status, 'closed');
        assertError(await verdict(code, { satisfied: true }), 409, 'conflict');
        assertError(await act(code, 'escalate', { reason: 'late' }), 409, 'conflict');

        const last = await events.waitFor((e) => e.event === 'complaint.verdict' && e.data.status === 'closed');
        events.close();
        const mine = events.events.filter((e) => /^complaint\./.test(e.event));
        for (const e of mine) {
            for (const secret of [CONTACT, CONTENT, INTERNAL, MEASURES, 'COMMENT', code])
                assert.ok(!e.raw.includes(secret), `event ${e.event} carries ${secret}: ${e.raw}`);
        }
        for (const type of ['complaint.acknowledged', 'complaint.assessed', 'complaint.resolved', 'complaint.reopened'])
            assert.ok(mine.some((e) => e.event === type), `no ${type}`);
        assert.equal(last.data.code, code.slice(0, 4));
        assert.equal(last.data.channel, 'web');
    });

    test('the public view gives the deadline of the current step, never a promise already kept', async () => {
        const c = await lodge();
        let t = (await track(c)).json;
        assert.equal(t.status, 'received');
        assert.equal(t.deadline.step, 'acknowledge');
        assert.equal(t.deadline.by, t.acknowledge_by);
        assert.ok(t.resolve_by, 'the result deadline is known from the start');
        assert.ok(t.resolve_by > t.acknowledge_by);
        await actOk(c, 'acknowledge', { note: 'we are on it' }, 'acknowledged');
        t = (await track(c)).json;
        assert.equal(t.acknowledge_by, null, 'the acknowledgement promise is kept: not shown any more');
        assert.ok(t.acknowledged_at);
        assert.equal(t.deadline.step, 'resolve');
        assert.equal(t.deadline.by, t.resolve_by);
        await actOk(c, 'resolve', { result: 'PUBLIC-ANSWER', measures: 'm' }, 'resolved');
        t = (await track(c)).json;
        assert.equal(t.deadline.step, 'verdict');
        assert.equal(t.resolve_by, null);
        assert.equal(t.result, 'PUBLIC-ANSWER');
        const ok = await verdict(c, { satisfied: true });
        assert.equal(ok.json.status, 'closed');
        t = (await track(c)).json;
        assert.equal(t.deadline, null, 'closed: no deadline');
        assert.equal(t.acknowledge_by, null);
        assert.ok(t.closed_at);
    });

    test('resolved without a verdict cannot be closed before 7 days', async () => {
        const c = await lodge();
        await actOk(c, 'acknowledge', { note: 'ok' }, 'acknowledged');
        await actOk(c, 'resolve', { result: 'r', measures: 'm' }, 'resolved');
        assertError(await act(c, 'close', {}), 409, 'conflict');
    });

    test('escalation needs a reason, and happens once', async () => {
        const c = await lodge();
        assertError(await act(c, 'escalate', {}), 400, 'invalid_field', 'reason');
        const r = await actOk(c, 'escalate', { reason: 'repeated complaint', to: 'director' }, 'received');
        assert.equal(r.escalated, true);
        assertError(await act(c, 'escalate', { reason: 'again' }), 409, 'conflict');
    });

    test('staff enter the other channels with the assistance flag; list filters', async () => {
        const c = await lodge({ channel: 'hotline', needs_assistance: true, contact: null }, tokens.manager1);
        const l = await api(srv, 'GET', '/complaints?status=received', undefined, { token: tokens.admin });
        assert.equal(l.status, 200, l.text);
        const item = l.json.complaints.find((x) => x.tracking_code === c);
        assert.equal(item.channel, 'hotline');
        assert.equal(item.needs_assistance, true);
        assert.ok(l.json.complaints.every((x) => x.status === 'received'));
        const open = await api(srv, 'GET', '/complaints?status=open&overdue=false', undefined, { token: tokens.admin });
        assert.ok(open.json.complaints.every((x) => x.status !== 'closed'));
        assert.equal(typeof open.json.overdue.acknowledge, 'number');
        const over = await api(srv, 'GET', '/complaints?overdue=true', undefined, { token: tokens.admin });
        assert.deepEqual(over.json.complaints, [], 'nothing is overdue minutes after intake');
        assertError(await api(srv, 'GET', '/complaints?status=lost', undefined, { token: tokens.admin }), 400, 'invalid_field', 'status');
        assertError(await api(srv, 'GET', '/complaints?overdue=maybe', undefined, { token: tokens.admin }), 400, 'invalid_field', 'overdue');
    });

    test('improvement actions: raised from a resolved complaint, listed, closed once', async () => {
        const fresh = await lodge();
        assertError(await api(srv, 'POST', '/improvements', { source: 'complaint', complaint: fresh, title: 't', owner: 'manager1' }, { token: tokens.manager1 }), 409, 'conflict');
        assertError(await api(srv, 'POST', '/improvements', { source: 'complaint', title: 't', owner: 'o' }, { token: tokens.manager1 }), 400, 'invalid_field', 'complaint');
        assertError(await api(srv, 'POST', '/improvements', { source: 'other', title: 't', owner: 'o', due: '12/01' }, { token: tokens.manager1 }), 400, 'invalid_field', 'due');
        await actOk(fresh, 'acknowledge', { note: 'ok' }, 'acknowledged');
        await actOk(fresh, 'resolve', { result: 'r', measures: 'm' }, 'resolved');
        const r = await api(srv, 'POST', '/improvements', { source: 'complaint', complaint: fresh, title: '窗口接电话规定', owner: 'manager1', due: '2099-01-01' }, { token: tokens.manager1 });
        assert.equal(r.status, 201, r.text);
        assert.equal(r.json.status, 'open');
        assert.equal(r.json.overdue, false);
        const full = await api(srv, 'GET', `/complaints/${fresh}`, undefined, { token: tokens.manager1 });
        assert.deepEqual(full.json.improvements, [r.json.id]);
        const l = await api(srv, 'GET', '/improvements?status=open', undefined, { token: tokens.admin });
        assert.ok(l.json.improvements.some((i) => i.id === r.json.id));
        const c = await api(srv, 'POST', `/improvements/${r.json.id}/close`, { result: 'rule posted' }, { token: tokens.admin });
        assert.equal(c.status, 200, c.text);
        assert.equal(c.json.status, 'done');
        assertError(await api(srv, 'POST', `/improvements/${r.json.id}/close`, {}, { token: tokens.admin }), 409, 'conflict');
        assertError(await api(srv, 'GET', '/improvements?status=maybe', undefined, { token: tokens.admin }), 400, 'invalid_field', 'status');
    });
});
