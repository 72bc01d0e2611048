// SPDX-License-Identifier: MIT
// pauses.test.mjs — paused time (clause 5.3.6) in GET /stats: the "pauses" block counts each
// pause from window.paused to the window's next resume, close or open (or a new pause), per
// window and per clerk who paused, with its reasons; one still running is counted to now and
// said in "running". Durations are real seconds here (no fake clock over HTTP), so the test
// checks counts, reasons, owners and that every total is the sum of its reasons.
import { test, after, describe } from 'node:test';
import assert from 'node:assert/strict';
import { hall, api, act } from './lib/server.mjs';

const { srv, tokens } = await hall(after);
const C1 = tokens.clerk1;
const C2 = tokens.clerk2;

function sums(block) {
    assert.equal(block.total_s, block.by_reason.reduce((s, r) => s + r.total_s, 0));
    assert.equal(block.n, block.by_reason.reduce((s, r) => s + r.n, 0));
    for (const r of block.by_reason) assert.ok(r.total_s >= 0);
}

describe('paused time in GET /stats', () => {
    test('nothing paused yet: an empty block', async () => {
        const r = await api(srv, 'GET', '/stats', undefined, { token: tokens.manager1 });
        assert.equal(r.status, 200, r.text);
        assert.deepEqual(r.json.pauses.total, { n: 0, total_s: 0, by_reason: [] });
        assert.deepEqual(r.json.pauses.windows, []);
        assert.equal(r.json.pauses.running, 0);
    });
    test('pauses per window and clerk, by reason', async () => {
        await act(srv, 1, 'open', C1);
        await act(srv, 2, 'open', C2);
        await act(srv, 1, 'pause', C1, { reason: '休息' });
        await act(srv, 1, 'resume', C1);
        await act(srv, 1, 'pause', C1, { reason: '系统故障' });
        await act(srv, 1, 'resume', C1);
        await act(srv, 1, 'pause', C1, { reason: '休息' });
        await act(srv, 1, 'close', C1); // a close ends the pause
        await act(srv, 2, 'pause', C2, { reason: '会议' }); // still running
        const r = await api(srv, 'GET', '/stats', undefined, { token: tokens.manager1 });
        assert.equal(r.status, 200, r.text);
        const p = r.json.pauses;
        assert.equal(p.total.n, 4);
        sums(p.total);
        assert.equal(p.running, 1);
        assert.deepEqual(p.windows.map((w) => [w.window, w.n]), [[1, 3], [2, 1]]);
        const w1 = p.windows[0];
        sums(w1);
        assert.equal(w1.name, '1号窗口');
        const reasons = Object.fromEntries(w1.by_reason.map((x) => [x.reason, x.n]));
        assert.deepEqual(reasons, { 休息: 2, 系统故障: 1 });
        assert.deepEqual(p.staff.map((s) => [s.username, s.name, s.n]), [['clerk1', '张三', 3], ['clerk2', '李四', 1]]);
        assert.equal(p.staff[1].by_reason[0].reason, '会议');
    });
    test('a period without pauses (long ago) has none', async () => {
        const r = await api(srv, 'GET', '/stats?from=2020-01-01&to=2020-01-31', undefined, { token: tokens.manager1 });
        assert.equal(r.status, 200, r.text);
        assert.equal(r.json.pauses.total.n, 0);
    });
});
