// SPDX-License-Identifier: MIT
// training.test.mjs — staff training records (clause 4.7, docs/COMPLIANCE.md): create, list per
// staff member, change, delete, each with its event; certifications expiring soon listed and
// alerted (alert.certification on the event stream); refusals (no login, wrong role, unknown staff
// member, bad date or hours, unknown fields, unknown record) that change nothing.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { hall, api, assertError, sse } from './lib/server.mjs';

const { srv, tokens: tk } = await hall(after);

test('create, list, change, delete', async () => {
    const body = { staff: 'clerk1', course: '窗口服务规范 Window service', date: '2026-11-20', hours: 6.5, certificate: 'PX-2026-1', result: '合格' };
    const c = await api(srv, 'POST', '/training', body, { token: tk.manager1 });
    assert.equal(c.status, 201, c.text);
    assert.equal(c.json.staff, 'clerk1');
    assert.equal(c.json.hours, 6.5);
    assert.equal(c.json.created_by, 'manager1');
    const c2 = await api(srv, 'POST', '/training', { staff: 'clerk2', course: '消防演练', date: '2026-12-01', hours: 2 }, { token: tk.admin });
    assert.equal(c2.status, 201, c2.text);
    assert.equal(c2.json.certificate, null);

    const mine = await api(srv, 'GET', '/training?staff=clerk1', undefined, { token: tk.manager1 });
    assert.deepEqual(mine.json.training.map((t) => t.id), [c.json.id]);
    const all = await api(srv, 'GET', '/training', undefined, { token: tk.admin });
    assert.deepEqual(all.json.training.map((t) => t.id), [c2.json.id, c.json.id], 'newest date first');

    const u = await api(srv, 'PUT', `/training/${c.json.id}`, { hours: 8, result: '优秀' }, { token: tk.manager1 });
    assert.equal(u.status, 200, u.text);
    assert.equal(u.json.hours, 8);
    assert.equal(u.json.result, '优秀');
    assert.equal(u.json.course, body.course);

    const d = await api(srv, 'DELETE', `/training/${c2.json.id}`, undefined, { token: tk.manager1 });
    assert.equal(d.status, 200, d.text);
    assertError(await api(srv, 'DELETE', `/training/${c2.json.id}`, undefined, { token: tk.manager1 }), 404, 'not_found');
    const audit = await api(srv, 'GET', '/audit?type=training.', undefined, { token: tk.manager1 });
    assert.deepEqual(audit.json.events.map((e) => e.type), ['training.recorded', 'training.recorded', 'training.updated', 'training.deleted']);
});

test('refusals change nothing', async () => {
    const before = (await api(srv, 'GET', '/training', undefined, { token: tk.manager1 })).json;
    const ok = { staff: 'clerk1', course: 'x', date: '2026-11-20', hours: 1 };
    assertError(await api(srv, 'POST', '/training', ok), 401, 'unauthenticated');
    assertError(await api(srv, 'POST', '/training', ok, { token: tk.clerk1 }), 403, 'forbidden');
    assertError(await api(srv, 'GET', '/training', undefined, { token: tk.guide1 }), 403, 'forbidden');
    assertError(await api(srv, 'POST', '/training', { ...ok, staff: 'nobody' }, { token: tk.manager1 }), 400, 'invalid_field', 'staff');
    assertError(await api(srv, 'POST', '/training', { ...ok, date: '2026-02-31x' }, { token: tk.manager1 }), 400, 'invalid_field', 'date');
    assertError(await api(srv, 'POST', '/training', { ...ok, hours: 0 }, { token: tk.manager1 }), 400, 'invalid_field', 'hours');
    assertError(await api(srv, 'POST', '/training', { ...ok, course: '' }, { token: tk.manager1 }), 400, 'invalid_field', 'course');
    assertError(await api(srv, 'POST', '/training', { ...ok, extra: 1 }, { token: tk.manager1 }), 400);
    assertError(await api(srv, 'PUT', '/training/ffff0000ffff0000', { hours: 2 }, { token: tk.manager1 }), 404, 'not_found');
    assertError(await api(srv, 'PUT', '/training/NOT-AN-ID', { hours: 2 }, { token: tk.manager1 }), 404, 'not_found');
    assert.deepEqual((await api(srv, 'GET', '/training', undefined, { token: tk.manager1 })).json, before);
});

test('certifications expiring soon: listed and alerted once', async () => {
    const soon = new Date(Date.now() + 10 * 86400 * 1000).toISOString().slice(0, 10);
    const stream = sse(srv, { lastEventId: 0 });
    const put = await api(srv, 'PUT', '/staff/clerk2', { certifications: [{ service: 'A', expires_on: soon }, { service: 'B', expires_on: '2099-12-31' }] }, { token: tk.admin });
    assert.equal(put.status, 200, put.text);
    const l = await api(srv, 'GET', '/certifications/expiring', undefined, { token: tk.manager1 });
    assert.equal(l.status, 200, l.text);
    assert.equal(l.json.days, 30);
    const row = l.json.certifications.find((c) => c.username === 'clerk2' && c.service === 'A');
    assert.ok(row, JSON.stringify(l.json));
    assert.equal(row.expired, false);
    assert.ok(row.days_left >= 9 && row.days_left <= 11);
    assert.ok(!l.json.certifications.some((c) => c.service === 'B'));
    const short = await api(srv, 'GET', '/certifications/expiring?days=5', undefined, { token: tk.manager1 });
    assert.ok(!short.json.certifications.some((c) => c.username === 'clerk2'));
    assertError(await api(srv, 'GET', '/certifications/expiring?days=0', undefined, { token: tk.manager1 }), 400, 'invalid_field', 'days');
    assertError(await api(srv, 'GET', '/certifications/expiring', undefined, { token: tk.clerk1 }), 403, 'forbidden');
    // the periodic check raises the alert (it runs at least every 10 minutes; the first tick at once)
    const ev = await stream.waitFor((e) => e.event === 'alert.certification' && e.data.username === 'clerk2', 90000);
    assert.equal(ev.data.service, 'A');
    assert.equal(ev.data.stage, 'expiring');
    stream.close();
});
