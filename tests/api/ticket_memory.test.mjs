// SPDX-License-Identifier: MIT
// ticket_memory.test.mjs — printing tickets does not blow up the server's memory, and the printed
// ticket says what API.md says. The server's resident memory is read from /proc/<pid>/status
// before and after ticket PDFs and PNGs (20 at once, twice): it must stay under 100 MB at its
// peak (VmHWM, reset through /proc/<pid>/clear_refs first: signing in hashes passwords with
// argon2id, 64 MiB each, a peak of its own) and come back near where it was (the first PDF once took it from 38 MB to 380 MB:
// cairo's CFF subsetter on many threads, each keeping its freed memory). The ticket of a service
// no open window serves says 当前无窗口办理 instead of a minute figure; once a window serves it,
// the wait in minutes is back. (Skipped under the sanitizers: ASan's shadow memory is RSS too.)
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { hall, issue, act, SANITIZE } from './lib/server.mjs';
import { getBytes, pdfText, sanitizerEnv } from './lib/media_helpers.mjs';

// cairo's and fontconfig's process-lifetime caches are suppressed under LSan, as in media.test.mjs
const { srv, tokens } = await hall(after, { args: ['--voice', 'off'], env: SANITIZE ? sanitizerEnv() : {} });

function resetPeak() {
    try {
        fs.writeFileSync(`/proc/${srv.child.pid}/clear_refs`, '5');
        return true;
    } catch {
        return false;
    }
}

function mem() {
    const s = fs.readFileSync(`/proc/${srv.child.pid}/status`, 'utf8');
    const kb = (k) => Number(new RegExp(`^${k}:\\s+(\\d+) kB`, 'm').exec(s)[1]);
    return { rss: kb('VmRSS') / 1024, hwm: kb('VmHWM') / 1024 };
}

test('the printed ticket says no window serves it, then the wait once one does', async () => {
    const t = await issue(srv, { service: 'C' });
    assert.equal(t.serving_windows, 0, JSON.stringify(t));
    let text = pdfText((await getBytes(srv, `/tickets/${t.id}/ticket.pdf`)).body).replace(/\s+/g, ' ');
    assert.match(text, /当前无窗口办理/);
    assert.match(text, /No window is serving this now/);
    assert.doesNotMatch(text, /分钟/);
    await act(srv, 1, 'open', tokens.clerk1);
    const t2 = await issue(srv, { service: 'A' });
    assert.ok(t2.serving_windows >= 1, JSON.stringify(t2));
    text = pdfText((await getBytes(srv, `/tickets/${t2.id}/ticket.pdf`)).body);
    assert.doesNotMatch(text, /当前无窗口办理/);
    assert.match(text, /分钟/);
});

test('ticket PDFs and PNGs keep the server under 100 MB', { skip: SANITIZE && 'ASan shadow memory counts as RSS' }, async () => {
    const tickets = [];
    for (let i = 0; i < 5; i++) tickets.push(await issue(srv, { service: i % 2 ? 'A' : 'B' }));
    const before = mem();
    const cleared = resetPeak();
    let peak = before.rss;
    const sampler = setInterval(() => (peak = Math.max(peak, mem().rss)), 2);
    for (let round = 0; round < 2; round++) {
        const all = [];
        for (let i = 0; i < 10; i++) {
            const t = tickets[i % tickets.length];
            all.push(getBytes(srv, `/tickets/${t.id}/ticket.pdf`), getBytes(srv, `/tickets/${t.id}/ticket.png`));
        }
        for (const r of await Promise.all(all)) assert.equal(r.status, 200);
    }
    clearInterval(sampler);
    const after2 = mem();
    if (cleared) peak = Math.max(peak, after2.hwm);
    console.log(`# RSS ${before.rss.toFixed(1)} MB before, ${after2.rss.toFixed(1)} MB after, peak ${peak.toFixed(1)} MB (${cleared ? 'VmHWM' : 'sampled'})`);
    assert.ok(peak < 100, `peak RSS ${peak.toFixed(1)} MB, must stay under 100 MB`);
    assert.ok(after2.rss - before.rss < 50, `RSS grew by ${(after2.rss - before.rss).toFixed(1)} MB`);
});
