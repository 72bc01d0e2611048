// SPDX-License-Identifier: MIT
// ops.test.mjs — the emergency records of clause 5.5 over HTTP (docs/OPERATIONS.md): emergency
// plans (create, change, review, delete), drill schedules with their records and the overdue flag,
// and an incident end to end — opened from a plan with ticketing suspended (503 at the kiosk, the
// hall.suspended event), someone on site with the response time, a note, restored (ticketing
// resumes, downtime recorded), closed, reviewed with an improvement action raised in the
// complaints module — with its refusals: steps out of order 409, wrong role 403, bad input 400,
// and no names or phone numbers in the events.
import { test, after, describe } from 'node:test';
import assert from 'node:assert/strict';
import { hall, api, assertError, issue, sse } from './lib/server.mjs';

const { srv, tokens } = await hall(after);
const M = { token: tokens.manager1 };
const day = (n) => new Date(Date.now() + n * 86400e3).toISOString().slice(0, 10);

const PLAN = {
    type: 'fire',
    title: '火灾应急预案',
    trigger: '发现烟雾或火情',
    steps: ['拉响警报', '疏散群众', '报警 119'],
    roles: [{ role: '值班长', duty: '现场指挥' }],
    contacts: [{ name: '王强', role: '安全员', phone: '13800001111' }],
    review_by: day(180),
};

describe('emergency plans (5.5.2)', () => {
    test('create, list, change, review, delete; refusals', async () => {
        let r = await api(srv, 'POST', '/ops/plans', PLAN, M);
        assert.equal(r.status, 201, r.text);
        const id = r.json.id;
        assert.match(id, /^[0-9a-f]{16}$/);
        assert.deepEqual(r.json.steps, PLAN.steps);
        assert.equal(r.json.review_overdue, false);
        r = await api(srv, 'GET', '/ops/plans', undefined, M);
        assert.ok(r.json.plans.some((p) => p.id === id));
        r = await api(srv, 'PUT', `/ops/plans/${id}`, { title: '火灾应急预案（修订）' }, M);
        assert.equal(r.status, 200, r.text);
        assert.equal(r.json.title, '火灾应急预案（修订）');
        assert.equal(r.json.trigger, PLAN.trigger);
        r = await api(srv, 'POST', `/ops/plans/${id}/review`, { next_review_by: day(365), note: '更新联系人' }, M);
        assert.equal(r.status, 200, r.text);
        assert.equal(r.json.reviews.length, 1);
        assert.equal(r.json.review_by, day(365));
        // refusals: nothing changed
        assertError(await api(srv, 'POST', '/ops/plans', { ...PLAN, type: 'flood' }, M), 400, 'invalid_field', 'type');
        assertError(await api(srv, 'POST', '/ops/plans', { ...PLAN, steps: undefined }, M), 400, 'invalid_field', 'steps');
        assertError(await api(srv, 'POST', '/ops/plans', { ...PLAN, steps: [] }, M), 400, 'invalid_field', 'steps');
        assertError(await api(srv, 'PUT', `/ops/plans/${id}`, { steps: [] }, M), 400, 'invalid_field', 'steps');
        assertError(await api(srv, 'POST', '/ops/plans', { ...PLAN, review_by: '2026-13-01' }, M), 400, 'invalid_field', 'review_by');
        assertError(await api(srv, 'POST', '/ops/plans', { ...PLAN, colour: 'red' }, M), 400, 'invalid_field', 'colour');
        assertError(await api(srv, 'POST', '/ops/plans', { ...PLAN, contacts: [{ name: 'x', email: 'y' }] }, M), 400, 'invalid_field', 'contacts[0].email');
        assertError(await api(srv, 'POST', `/ops/plans/${id}/review`, { next_review_by: day(-1) }, M), 400, 'invalid_field', 'next_review_by');
        assertError(await api(srv, 'POST', '/ops/plans', PLAN, { token: tokens.clerk1 }), 403, 'forbidden');
        assertError(await api(srv, 'GET', '/ops/plans', undefined, { token: tokens.guide1 }), 403, 'forbidden');
        assertError(await api(srv, 'GET', '/ops/plans'), 401, 'unauthenticated');
        assertError(await api(srv, 'GET', '/ops/plans/0123456789abcdef', undefined, M), 404, 'not_found');
        const x = await api(srv, 'POST', '/ops/plans', { ...PLAN, title: 'to delete' }, M);
        r = await api(srv, 'DELETE', `/ops/plans/${x.json.id}`, undefined, M);
        assert.equal(r.status, 200, r.text);
        assertError(await api(srv, 'GET', `/ops/plans/${x.json.id}`, undefined, M), 404, 'not_found');
    });

    test('a plan past its review date is overdue', async () => {
        const r = await api(srv, 'POST', '/ops/plans', { ...PLAN, title: '停电预案', type: 'power', review_by: day(-3) }, M);
        assert.equal(r.status, 201, r.text);
        assert.equal(r.json.review_overdue, true);
        const o = await api(srv, 'GET', '/ops/overview', undefined, M);
        assert.ok(o.json.items.some((i) => i.kind === 'plan_review' && i.id === r.json.id), o.text);
        assert.ok(!o.text.includes('13800001111'));
    });
});

describe('drills and risk assessments (5.5.3)', () => {
    test('a schedule, its records and the next due day; overdue; refusals', async () => {
        let r = await api(srv, 'POST', '/ops/schedules', { kind: 'drill', title: '消防疏散演练', interval_days: 30, start: day(-100) }, M);
        assert.equal(r.status, 201, r.text);
        const id = r.json.id;
        assert.equal(r.json.overdue, true);
        assert.equal(r.json.next_due, day(-70));
        r = await api(srv, 'POST', `/ops/schedules/${id}/records`, { date: day(-2), participants: 24, findings: '东侧通道堵塞' }, M);
        assert.equal(r.status, 201, r.text);
        assert.equal(r.json.overdue, false);
        assert.equal(r.json.last_held, day(-2));
        assert.equal(r.json.next_due, day(28));
        assert.equal(r.json.records.length, 1);
        assertError(await api(srv, 'POST', `/ops/schedules/${id}/records`, { date: day(3), participants: 5 }, M), 400, 'invalid_field', 'date');
        assertError(await api(srv, 'POST', `/ops/schedules/${id}/records`, { date: day(-1), participants: -1 }, M), 400, 'invalid_field', 'participants');
        assertError(await api(srv, 'POST', '/ops/schedules', { kind: 'party', title: 'x', interval_days: 30 }, M), 400, 'invalid_field', 'kind');
        assertError(await api(srv, 'POST', '/ops/schedules', { kind: 'drill', title: 'x', interval_days: 0 }, M), 400, 'invalid_field', 'interval_days');
        assertError(await api(srv, 'POST', '/ops/schedules', { kind: 'drill', title: 'x', interval_days: 9, plan: '0123456789abcdef' }, M), 400, 'invalid_field', 'plan');
        assertError(await api(srv, 'POST', `/ops/schedules/${id}/records`, { date: day(-1), participants: 3 }, { token: tokens.clerk1 }), 403, 'forbidden');
        r = await api(srv, 'GET', `/ops/schedules`, undefined, M);
        assert.equal(r.json.schedules.find((s) => s.id === id).records.length, 1, 'refusals changed nothing');
        r = await api(srv, 'PUT', `/ops/schedules/${id}`, { interval_days: 1 }, M);
        assert.equal(r.json.overdue, true); // held two days ago, due yesterday
        r = await api(srv, 'DELETE', `/ops/schedules/${id}`, undefined, M);
        assert.equal(r.status, 200, r.text);
    });

    test('the tick raises ops.alert for an overdue risk assessment, without personal data', async () => {
        const stream = sse(srv, { headers: { Authorization: `Bearer ${tokens.manager1}` } });
        await stream.ready;
        const r = await api(srv, 'POST', '/ops/schedules', { kind: 'risk_assessment', title: '季度风险评估', interval_days: 90, start: day(-200) }, M);
        assert.equal(r.status, 201, r.text);
        const ev = await stream.waitFor((e) => e.event === 'ops.alert' && e.data.id === r.json.id, 60000);
        assert.equal(ev.data.kind, 'risk_assessment');
        assert.equal(ev.data.title, '季度风险评估');
        stream.close();
    });
});

describe('incidents (5.5.4–5.5.7)', () => {
    test('open with suspension, on site, note, restore, close, review with an improvement', async () => {
        const plan = (await api(srv, 'POST', '/ops/plans', PLAN, M)).json;
        const stream = sse(srv, {});
        await stream.ready;
        let r = await api(srv, 'POST', '/ops/incidents', { plan: plan.id, title: '二楼冒烟', severity: 'major', description: '配电间冒烟', suspend: true, suspend_reason: '突发情况，暂停取号 emergency' }, M);
        assert.equal(r.status, 201, r.text);
        const id = r.json.id;
        assert.equal(r.json.status, 'open');
        assert.equal(r.json.suspended, true);
        assert.equal(r.json.plan_title, PLAN.title);
        await stream.waitFor((e) => e.event === 'hall.suspended', 10000);
        await stream.waitFor((e) => e.event === 'ops.incident' && e.data.id === id && e.data.action === 'open', 10000);
        assertError(await api(srv, 'POST', '/tickets', { service: 'A' }), 503, 'suspended');
        assert.equal((await api(srv, 'GET', '/hall')).json.suspended, true);

        // out of order, wrong role, bad input
        assertError(await api(srv, 'POST', `/ops/incidents/${id}/close`, {}, M), 409, 'conflict');
        assertError(await api(srv, 'POST', `/ops/incidents/${id}/review`, { cause: 'a', measures: 'b', course: 'c', result: 'd' }, M), 409, 'conflict');
        assertError(await api(srv, 'POST', `/ops/incidents/${id}/suspend`, { suspend_reason: 'again' }, M), 409, 'conflict');
        assertError(await api(srv, 'POST', `/ops/incidents/${id}/arrive`, { name: '李主任' }, { token: tokens.clerk1 }), 403, 'forbidden');
        assertError(await api(srv, 'POST', `/ops/incidents/${id}/arrive`, {}, M), 400, 'invalid_field', 'name');
        assertError(await api(srv, 'POST', `/ops/incidents/${id}/arrive`, { name: 'x', arrived_at: '2099-01-01T00:00:00Z' }, M), 400, 'invalid_field', 'arrived_at');
        assertError(await api(srv, 'POST', '/ops/incidents', { plan: '0123456789abcdef', title: 'x', severity: 'minor' }, M), 400, 'invalid_field', 'plan');
        assertError(await api(srv, 'POST', '/ops/incidents', { plan: plan.id, title: 'x', severity: 'minor', suspend: true }, M), 400, 'invalid_field', 'suspend_reason');
        assertError(await api(srv, 'POST', '/ops/incidents', { plan: plan.id, title: 'x', severity: 'huge' }, M), 400, 'invalid_field', 'severity');

        r = await api(srv, 'POST', `/ops/incidents/${id}/arrive`, { name: '李主任', role: '大厅负责人' }, M);
        assert.equal(r.status, 200, r.text);
        assert.equal(r.json.on_site.length, 1);
        assert.ok(Number.isInteger(r.json.response_s) && r.json.response_s >= 0);
        r = await api(srv, 'POST', `/ops/incidents/${id}/note`, { text: '消防队已到场' }, M);
        assert.equal(r.status, 200, r.text);
        r = await api(srv, 'POST', `/ops/incidents/${id}/restore`, { note: '排查完毕' }, M);
        assert.equal(r.status, 200, r.text);
        assert.equal(r.json.status, 'restored');
        assert.ok(Number.isInteger(r.json.downtime_s) && r.json.downtime_s >= 0);
        assert.ok(r.json.resumed_at && r.json.restored_at);
        await stream.waitFor((e) => e.event === 'hall.resumed', 10000);
        assert.equal((await api(srv, 'GET', '/hall')).json.suspended, false);
        await issue(srv, { service: 'A' });
        assertError(await api(srv, 'POST', `/ops/incidents/${id}/arrive`, { name: 'late' }, M), 409, 'conflict');
        assertError(await api(srv, 'POST', `/ops/incidents/${id}/review`, { cause: 'a', measures: 'b', course: 'c', result: 'd' }, M), 409, 'conflict');
        r = await api(srv, 'POST', `/ops/incidents/${id}/close`, { note: '结束' }, M);
        assert.equal(r.status, 200, r.text);
        assert.equal(r.json.status, 'closed');
        assertError(await api(srv, 'POST', `/ops/incidents/${id}/review`, { cause: '线路老化' }, M), 400, 'invalid_field', 'measures');
        assertError(await api(srv, 'POST', `/ops/incidents/${id}/review`, { cause: 'a', measures: 'b', course: 'c', result: 'd', improvements: [{ title: 'x' }] }, M), 400, 'invalid_field', 'improvements');
        r = await api(srv, 'POST', `/ops/incidents/${id}/review`, {
            cause: '线路老化', measures: '断电、疏散', course: '10:00 发现冒烟，10:04 负责人到场', result: '无人员伤亡', lessons: '定期检查线路',
            improvements: [{ title: '更换二楼配电线路', owner: 'manager1', due: day(30) }],
        }, M);
        assert.equal(r.status, 200, r.text);
        assert.equal(r.json.status, 'reviewed');
        assert.equal(r.json.improvements.length, 1);
        assert.equal(r.json.review.cause, '线路老化');
        const steps = r.json.timeline.map((e) => e.action);
        assert.deepEqual(steps, ['open', 'suspend', 'arrive', 'note', 'restore', 'close', 'review']);
        const imp = await api(srv, 'GET', '/improvements', undefined, M);
        const mine = imp.json.improvements.find((i) => i.id === r.json.improvements[0]);
        assert.equal(mine.source, 'incident');
        assert.equal(mine.ref, id);
        assertError(await api(srv, 'POST', `/ops/incidents/${id}/note`, { text: 'x' }, M), 409, 'conflict');
        assertError(await api(srv, 'POST', `/ops/incidents/${id}/fly`, {}, M), 404, 'not_found');

        r = await api(srv, 'GET', '/ops/incidents?status=reviewed', undefined, M);
        assert.ok(r.json.incidents.some((i) => i.id === id));
        assertError(await api(srv, 'GET', '/ops/incidents?status=odd', undefined, M), 400, 'invalid_field', 'status');
        const evs = await stream.waitFor((e) => e.event === 'ops.incident' && e.data.action === 'review', 10000);
        assert.ok(evs);
        const all = JSON.stringify(stream.events);
        assert.ok(!all.includes('李主任') && !all.includes('13800001111'), 'no names or phones in events');
        stream.close();
    });

    test('an incident without suspension leaves ticketing alone', async () => {
        const plan = (await api(srv, 'POST', '/ops/plans', { ...PLAN, type: 'medical', title: '急救预案' }, M)).json;
        const r = await api(srv, 'POST', '/ops/incidents', { plan: plan.id, title: '群众晕倒', severity: 'minor' }, M);
        assert.equal(r.status, 201, r.text);
        assert.equal(r.json.suspended, false);
        await issue(srv, { service: 'A' });
        const x = await api(srv, 'POST', `/ops/incidents/${r.json.id}/restore`, {}, M);
        assert.equal(x.json.downtime_s, 0);
        const l = await api(srv, 'GET', '/ops/incidents?status=active', undefined, M);
        assert.ok(l.json.incidents.some((i) => i.id === r.json.id));
    });
});

describe('the suspension set on the manager page ties to the open incident', () => {
    test('resumed by POST /hall/emergency: the incident records it; suspended there: too', async () => {
        const plan = (await api(srv, 'POST', '/ops/plans', { ...PLAN, type: 'system', title: '系统故障预案' }, M)).json;
        let r = await api(srv, 'POST', '/ops/incidents', { plan: plan.id, title: '网络中断', severity: 'major', suspend: true, suspend_reason: '系统故障，暂停取号' }, M);
        const a = r.json.id;
        r = await api(srv, 'POST', '/hall/emergency', { suspended: false }, M);
        assert.equal(r.status, 200, r.text);
        r = await api(srv, 'GET', `/ops/incidents/${a}`, undefined, M);
        assert.ok(r.json.resumed_at, r.text);
        assert.equal(r.json.timeline.at(-1).action, 'resume');
        r = await api(srv, 'POST', `/ops/incidents/${a}/restore`, {}, M);
        assert.equal(r.status, 200, r.text);
        assert.ok(r.json.downtime_s >= 0 && r.json.downtime_s <= r.json.duration_s);
        assert.equal((await api(srv, 'GET', '/hall')).json.suspended, false);

        r = await api(srv, 'POST', '/ops/incidents', { plan: plan.id, title: '打印机全部离线', severity: 'minor' }, M);
        const b = r.json.id;
        r = await api(srv, 'POST', '/hall/emergency', { suspended: true, suspend_reason: '设备故障' }, M);
        assert.equal(r.status, 200, r.text);
        r = await api(srv, 'GET', `/ops/incidents/${b}`, undefined, M);
        assert.equal(r.json.suspended, true);
        assert.equal(r.json.timeline.at(-1).action, 'suspend');
        assertError(await api(srv, 'POST', `/ops/incidents/${b}/suspend`, { suspend_reason: 'x' }, M), 409, 'conflict');
        r = await api(srv, 'POST', `/ops/incidents/${b}/restore`, {}, M);
        assert.equal(r.status, 200, r.text);
        assert.equal((await api(srv, 'GET', '/hall')).json.suspended, false, 'restoring resumes ticketing');
    });
});
