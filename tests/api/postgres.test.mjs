// SPDX-License-Identifier: MIT
// postgres.test.mjs — the whole server on the PostgreSQL back end: a real PostgreSQL 15 started on
// loopback in a temporary directory (initdb as the postgres user when root), `hallq init` and
// `hallq serve --db postgresql://…`, then a ticket's life over HTTP, the event log replayed after a
// restart, sessions surviving it, and acknowledged tickets surviving kill -9.
import { test, after, before, describe } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { startServer, setupHall, api, issue, act, sse, assertIds } from './lib/server.mjs';

const PG_BIN = '/usr/lib/postgresql/15/bin';
const root = process.getuid && process.getuid() === 0;
let pgDir, pgPort, pgAs;

function sh(cmd, args, opts = {}) {
    const full = root ? ['runuser', ['-u', 'postgres', '--', cmd, ...args]] : [cmd, args];
    const r = spawnSync(full[0], full[1], { encoding: 'utf8', timeout: 60000, ...opts });
    if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')}: ${r.status} ${r.stderr}${r.stdout}`);
    return r.stdout;
}

function freePort() {
    return new Promise((resolve) => {
        const s = net.createServer().listen(0, '127.0.0.1', () => {
            const p = s.address().port;
            s.close(() => resolve(p));
        });
    });
}

before(async () => {
    assert.ok(fs.existsSync(`${PG_BIN}/initdb`), 'PostgreSQL 15 is installed by scripts/setup.sh');
    pgDir = fs.mkdtempSync(path.join(os.tmpdir(), 'hallq-pg-'));
    if (root) spawnSync('chown', ['postgres:postgres', pgDir]);
    fs.chmodSync(pgDir, 0o700);
    sh(`${PG_BIN}/initdb`, ['-D', `${pgDir}/data`, '-A', 'trust', '-U', 'postgres', '-E', 'UTF8', '--locale=C', '--no-sync']);
    pgPort = await freePort();
    sh(`${PG_BIN}/pg_ctl`, ['-D', `${pgDir}/data`, '-l', `${pgDir}/server.log`, '-w', '-t', '30', '-o',
        `-h 127.0.0.1 -p ${pgPort} -k ${pgDir} -c fsync=on -c synchronous_commit=on`, 'start']);
    sh('/usr/bin/psql', ['-h', '127.0.0.1', '-p', String(pgPort), '-U', 'postgres', '-c', 'CREATE DATABASE hallq']);
});

after(() => {
    if (!pgDir) return;
    try {
        sh(`${PG_BIN}/pg_ctl`, ['-D', `${pgDir}/data`, '-m', 'fast', '-w', 'stop']);
    } finally {
        fs.rmSync(pgDir, { recursive: true, force: true });
    }
});

describe('hallq on PostgreSQL', () => {
    test('a day in miniature, a restart and a kill -9', async () => {
        const db = `postgresql://postgres@127.0.0.1:${pgPort}/hallq`;
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
