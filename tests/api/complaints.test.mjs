// SPDX-License-Identifier: MIT
// complaints.test.mjs — complaint intake over HTTP: the public web channel, staff-entered channels,
// the tracking code and its public view (no personal data), field errors.
import { test, after, describe } from 'node:test';
import assert from 'node:assert/strict';
import { hall, api, assertError } from './lib/server.mjs';

const { srv, tokens } = await hall(after);
const CONTACT = '13700001234';

describe('complaints', () => {
    let c;
    test('public web complaint: 201 {id, tracking_code, acknowledge_by}', async () => {
        const r = await api(srv, 'POST', '/complaints', { channel: 'web', content: '3号窗口工作人员态度差', contact: CONTACT, ticket: null, window: 3, needs_assistance: false });
        assert.equal(r.status, 201, r.text);
        c = r.json;
        assert.ok(c.id !== undefined && c.id !== null);
        assert.equal(typeof c.tracking_code, 'string');
        assert.ok(c.tracking_code.length >= 6);
        assert.match(c.acknowledge_by, /^\d{4}-\d{2}-\d{2}/);
    });
    test('tracking (public): status and history, no personal data', async () => {
        const r = await api(srv, 'GET', `/complaints/track/${c.tracking_code}`);
        assert.equal(r.status, 200, r.text);
        assert.equal(typeof r.json.status, 'string');
        assert.ok(!r.text.includes(CONTACT), 'contact in the public tracking view');
    });
    test('unknown tracking code → 404', async () => {
        assertError(await api(srv, 'GET', '/complaints/track/ZZZZZZZZ'), 404, 'not_found');
    });
    for (const ch of ['hotline', 'box', 'letter', 'in_person']) {
        test(`channel ${ch} without login → 401`, async () => {
            assertError(await api(srv, 'POST', '/complaints', { channel: ch, content: '来信反映' }), 401, 'unauthenticated');
        });
        test(`channel ${ch} entered by staff → 201`, async () => {
            const r = await api(srv, 'POST', '/complaints', { channel: ch, content: '来信反映排队时间长' }, { token: tokens.manager1 });
            assert.equal(r.status, 201, r.text);
        });
    }
    const bad = [
        ['no content', { channel: 'web' }, 'content'],
        ['empty content', { channel: 'web', content: '' }, 'content'],
        ['content not a string', { channel: 'web', content: 12 }, 'content'],
        ['bad channel', { channel: 'pigeon', content: 'x' }, 'channel'],
        ['window not an integer', { channel: 'web', content: 'x', window: 'three' }, 'window'],
        ['needs_assistance not a bool', { channel: 'web', content: 'x', needs_assistance: 'yes' }, 'needs_assistance'],
        ['unknown field', { channel: 'web', content: 'x', mood: 'angry' }, 'mood'],
    ];
    for (const [name, body, field] of bad)
        test(`refused: ${name}`, async () => {
            assertError(await api(srv, 'POST', '/complaints', body), 400, 'invalid_field', field);
        });
    test('a very long complaint is refused or accepted, never a 5xx', async () => {
        const r = await api(srv, 'POST', '/complaints', { channel: 'web', content: '长'.repeat(100000) });
        assert.ok(r.status === 201 || (r.status >= 400 && r.status < 500), `${r.status}`);
        if (r.status !== 201) assertError(r, r.status);
    });
});
