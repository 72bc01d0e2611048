// SPDX-License-Identifier: MIT
// audit.test.mjs — the audit log of staff actions (clause 4.5, docs/COMPLIANCE.md): staff actions
// are found by who, what kind and when, paged; public actions only with all=1; the CSV export has
// the same rows; customers' personal data (phones, complaint contact and content) never appears;
// refusals (no login, wrong role, bad dates, from after to, a period too long, bad paging).
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { hall, api, issue, act, assertError } from './lib/server.mjs';

const { srv, tokens: tk } = await hall(after);
const get = (q, token = tk.manager1) => api(srv, 'GET', `/audit${q}`, undefined, { token });

test('staff actions by who, what and when, paged, without personal data', async () => {
    await act(srv, 1, 'open', tk.clerk1);
    await issue(srv, { service: 'A', phone: '13812345678' });
    await act(srv, 1, 'call-next', tk.clerk1);
    await act(srv, 1, 'start', tk.clerk1);
    await act(srv, 1, 'finish', tk.clerk1);
    await act(srv, 1, 'pause', tk.clerk1, { reason: '取材料' });
    await act(srv, 1, 'resume', tk.clerk1);
    const c = await api(srv, 'POST', '/complaints', { channel: 'web', content: 'CONTENT-private', contact: '13700001234' });
    assert.equal(c.status, 201);
    await api(srv, 'POST', `/complaints/${c.json.tracking_code}/acknowledge`, { note: 'ok' }, { token: tk.manager1 });

    const mine = await get('?actor=clerk1');
    assert.equal(mine.status, 200, mine.text);
    const types = mine.json.events.map((e) => e.type);
    for (const t of ['window.opened', 'ticket.called', 'ticket.started', 'ticket.finished', 'window.paused', 'window.resumed']) assert.ok(types.includes(t), `${t} in ${types}`);
    assert.ok(mine.json.events.every((e) => e.actor === 'clerk1'));
    const paused = mine.json.events.find((e) => e.type === 'window.paused');
    assert.equal(paused.data.reason, '取材料');
    assert.match(paused.at, /^\d{4}-\d\d-\d\dT/);

    const kinds = await get('?type=window.');
    assert.ok(kinds.json.events.length >= 3 && kinds.json.events.every((e) => e.type.startsWith('window.')));
    const cpl = await get('?type=complaint.acknowledged');
    assert.deepEqual(cpl.json.events.map((e) => e.actor), ['manager1']);

    // the public ticket issue is not a staff action, unless all=1
    assert.ok(!(await get('')).json.events.some((e) => e.type === 'ticket.issued'));
    assert.ok((await get('?all=1')).json.events.some((e) => e.type === 'ticket.issued' && e.actor === ''));

    const all = await get('?all=1&limit=500');
    const page = await get('?all=1&offset=2&limit=3');
    assert.equal(page.json.total, all.json.total);
    assert.deepEqual(page.json.events.map((e) => e.seq), all.json.events.slice(2, 5).map((e) => e.seq));
    for (const t of [all.text, (await get('?all=1&limit=500', tk.admin)).text])
        assert.doesNotMatch(t, /13812345678|13700001234|CONTENT-private/);

    const res = await fetch(`${srv.url}/api/v1/audit.csv?actor=clerk1`, { headers: { authorization: `Bearer ${tk.manager1}` } });
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-type'), /text\/csv/);
    const csv = await res.text();
    const lines = csv.replace(/^\uFEFF/, '').trim().split('\r\n');
    assert.match(lines[0], /seq.*at.*actor.*type.*data/);
    assert.equal(lines.length - 1, mine.json.total);
    assert.ok(lines.slice(1).every((l) => l.includes('"clerk1"')));
    const allCsv = await (await fetch(`${srv.url}/api/v1/audit.csv?all=1`, { headers: { authorization: `Bearer ${tk.admin}` } })).text();
    assert.doesNotMatch(allCsv, /13812345678|13700001234|CONTENT-private/);
});

test('refusals', async () => {
    assertError(await api(srv, 'GET', '/audit'), 401, 'unauthenticated');
    assertError(await get('', tk.clerk1), 403, 'forbidden');
    assertError(await get('', tk.guide1), 403, 'forbidden');
    assertError(await get('?from=2026-02-30x'), 400, 'invalid_field', 'from');
    assertError(await get('?from=2026-12-05&to=2026-12-01'), 400, 'invalid_field', 'to');
    assertError(await get('?from=2024-01-01&to=2026-12-01'), 400, 'invalid_field', 'to');
    assertError(await get('?limit=0'), 400, 'invalid_field', 'limit');
    assertError(await get('?limit=501'), 400, 'invalid_field', 'limit');
    assertError(await get('?offset=-1'), 400, 'invalid_field', 'offset');
    assertError(await get('?actor=NOT%20A%20USER'), 400, 'invalid_field', 'actor');
    assertError(await get('?all=maybe'), 400, 'invalid_field', 'all');
    const r = await fetch(`${srv.url}/api/v1/audit.csv`, { headers: { authorization: `Bearer ${tk.clerk1}` } });
    assert.equal(r.status, 403);
});
