// SPDX-License-Identifier: MIT
// help_assisted.test.mjs — 8.1.3 assisted channels on complaints (issue 18): POST /complaints takes
// assisted_by (guide | text_only | large_type | none, default none), the staff views show it, a
// value outside the list is 400 naming the field and stores nothing.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { hall, api, assertError } from './lib/server.mjs';

const { srv, tokens } = await hall(after);

test('assisted_by is recorded and shown to staff', async () => {
    const web = await api(srv, 'POST', '/complaints', { content: '听不清叫号', assisted_by: 'text_only' });
    assert.equal(web.status, 201, web.text);
    const byGuide = await api(srv, 'POST', '/complaints', { channel: 'in_person', content: '老人不会用取号机', assisted_by: 'guide' }, { token: tokens.guide1 });
    assert.equal(byGuide.status, 201, byGuide.text);
    const plain = await api(srv, 'POST', '/complaints', { content: '等候太久' });
    assert.equal(plain.status, 201, plain.text);
    const one = await api(srv, 'GET', `/complaints/${web.json.tracking_code}`, undefined, { token: tokens.manager1 });
    assert.equal(one.json.assisted_by, 'text_only');
    const list = (await api(srv, 'GET', '/complaints', undefined, { token: tokens.manager1 })).json.complaints;
    const by = Object.fromEntries(list.map((c) => [c.tracking_code, c.assisted_by]));
    assert.equal(by[byGuide.json.tracking_code], 'guide');
    assert.equal(by[plain.json.tracking_code], 'none');
    const bad = await api(srv, 'POST', '/complaints', { content: 'x', assisted_by: 'telepathy' });
    assertError(bad, 400, 'invalid_field', 'assisted_by');
    const after2 = (await api(srv, 'GET', '/complaints', undefined, { token: tokens.manager1 })).json.complaints;
    assert.equal(after2.length, 3, 'nothing stored');
});
