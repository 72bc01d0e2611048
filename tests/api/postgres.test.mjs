// SPDX-License-Identifier: MIT
// postgres.test.mjs — the whole server on the PostgreSQL back end: a real PostgreSQL 15 started on
// loopback in a temporary directory (initdb as the postgres user when root), `hallq init` and
// `hallq serve --db postgresql://…`, then a ticket's life over HTTP, the event log replayed after a
// restart, sessions surviving it, and acknowledged tickets surviving kill -9.
import { test, after, before, describe } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, setupHall, api, issue, act, sse, assertIds } from './lib/server.mjs';
import { startPg, pgAvailable } from './lib/central_pg.mjs';

let pg;

before(async () => {
    assert.ok(pgAvailable(), 'PostgreSQL 15 is installed by scripts/setup.sh');
    pg = await startPg({ database: 'hallq', settings: ['fsync=on', 'synchronous_commit=on'] });
});

after(() => pg?.stop());

describe('hallq on PostgreSQL', () => {
    test('a day in miniature, a restart and a kill -9', async () => {
        const db = pg.url;
        const srv = await startServer({ db });
        try {
            const tokens = await setupHall(srv);
            const t1 = await issue(srv, { service: 'A' });
            const t2 = await issue(srv, { service: 'A', category: 'priority' }, tokens.guide1);
            assert.equal(t1.number, 'A001');
            assert.equal(t2.number, 'A002');
            await act(srv, 1, 'open', tokens.clerk1);
            const called = await act(srv, 1, 'call-next', tokens.clerk1);
            assert.equal(called.ticket.number, 'A002', 'priority first');
            await act(srv, 1, 'start', tokens.clerk1);
            await act(srv, 1, 'finish', tokens.clerk1);
            let r = await api(srv, 'POST', '/evaluations', { ticket: t2.id, level: 4 });
            assert.equal(r.status, 201, r.text);
            r = await api(srv, 'POST', '/complaints', { channel: 'web', content: '测试 PostgreSQL' });
            assert.equal(r.status, 201, r.text);
            const code = r.json.tracking_code;

            // restart: state, sessions and the log are all in PostgreSQL
            await srv.restart();
            r = await api(srv, 'GET', `/tickets/${t2.id}`);
            assert.equal(r.json.status, 'done');
            r = await api(srv, 'GET', '/windows/1');
            assert.equal(r.json.clerk, 'clerk1');
            r = await api(srv, 'GET', '/tickets', undefined, { token: tokens.manager1 });
            assert.equal(r.status, 200, 'the session survived the restart');
            r = await api(srv, 'GET', `/complaints/track/${code}`);
            assert.equal(r.json.status, 'received');
            const s = sse(srv, { lastEventId: 0 });
            await s.waitFor((e) => e.event === 'complaint.received', 10000);
            s.close();
            assertIds(s.events.filter((e) => e.id), { contiguous: true, after: 0 });

            // kill -9: what was acknowledged stays, numbering continues
            const acked = [];
            for (let i = 0; i < 20; i++) acked.push((await issue(srv, { service: 'B' })).number);
            await srv.restart({ kill: true });
            r = await api(srv, 'GET', '/tickets?service=B', undefined, { token: tokens.manager1 });
            const have = new Set(r.json.map((t) => t.number));
            for (const n of acked) assert.ok(have.has(n), `acknowledged ${n} survived`);
            const next = await issue(srv, { service: 'B' });
            assert.equal(next.number, 'B021');
        } finally {
            await srv.cleanup();
        }
    });
});
