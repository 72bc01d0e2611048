// SPDX-License-Identifier: MIT
// central.test.mjs — many halls, one head office: two halls (demo databases with weeks of
// history) ship their event logs to a real PostgreSQL 15 on loopback with `hallq sync`. Checked:
// every event arrives once, in order, each hall identified; a second run ships nothing; the link
// cut (PostgreSQL stopped) makes sync fail clearly and the next run catch up; a shipper killed
// with SIGKILL mid-batch loses nothing and counts nothing twice; a hall restored from an older
// backup is refused rather than mixed in.
import { test, after, before, describe } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { BIN } from './lib/server.mjs';

const PG_BIN = '/usr/lib/postgresql/15/bin';
const root = process.getuid && process.getuid() === 0;
let pgDir, pgPort, url, work;

function sh(cmd, args, opts = {}) {
    const full = root ? ['runuser', ['-u', 'postgres', '--', cmd, ...args]] : [cmd, args];
    const r = spawnSync(full[0], full[1], { encoding: 'utf8', timeout: 60000, ...opts });
    if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')}: ${r.status} ${r.stderr}${r.stdout}`);
    return r.stdout;
}
const psql = (sql) => sh('/usr/bin/psql', ['-h', '127.0.0.1', '-p', String(pgPort), '-U', 'postgres', '-d', 'central', '-At', '-c', sql]).trim();
const pgStart = () => sh(`${PG_BIN}/pg_ctl`, ['-D', `${pgDir}/data`, '-l', `${pgDir}/server.log`, '-w', '-t', '30', '-o', `-h 127.0.0.1 -p ${pgPort} -k ${pgDir} -c fsync=on`, 'start']);
const pgStop = () => sh(`${PG_BIN}/pg_ctl`, ['-D', `${pgDir}/data`, '-m', 'fast', '-w', 'stop']);

function freePort() {
    return new Promise((resolve) => {
        const s = net.createServer().listen(0, '127.0.0.1', () => {
            const p = s.address().port;
            s.close(() => resolve(p));
        });
    });
}

const localEvents = (db) => {
    const r = spawnSync('sqlite3', [db, 'SELECT count(*), max(seq) FROM events'], { encoding: 'utf8' });
    const [n, max] = r.stdout.trim().split('|').map(Number);
    return { n, max };
};
const sync = (db, hall, extra = []) => spawnSync(BIN, ['sync', '--db', db, '--central', url, '--hall', hall, ...extra], { encoding: 'utf8', timeout: 120000 });

before(async () => {
    assert.ok(fs.existsSync(`${PG_BIN}/initdb`), 'PostgreSQL 15 is installed by scripts/setup.sh');
    pgDir = fs.mkdtempSync(path.join(os.tmpdir(), 'hallq-central-'));
    if (root) spawnSync('chown', ['postgres:postgres', pgDir]);
    fs.chmodSync(pgDir, 0o700);
    sh(`${PG_BIN}/initdb`, ['-D', `${pgDir}/data`, '-A', 'trust', '-U', 'postgres', '-E', 'UTF8', '--locale=C', '--no-sync']);
    pgPort = await freePort();
    pgStart();
    sh('/usr/bin/psql', ['-h', '127.0.0.1', '-p', String(pgPort), '-U', 'postgres', '-c', 'CREATE DATABASE central']);
    url = `postgresql://postgres@127.0.0.1:${pgPort}/central`;
    work = fs.mkdtempSync(path.join(os.tmpdir(), 'hallq-halls-'));
    for (const [name, days] of [['east', 5], ['west', 3]]) {
        const r = spawnSync(BIN, ['demo', '--db', path.join(work, `${name}.db`), '--history-days', String(days)], { encoding: 'utf8', timeout: 300000, env: { ...process.env, HALLQ_ADMIN_PASSWORD: 'admin-pass-123' } });
        assert.equal(r.status, 0, r.stderr);
    }
});

after(() => {
    try {
        if (pgDir) pgStop();
    } catch {
        /* already stopped */
    }
    if (pgDir) fs.rmSync(pgDir, { recursive: true, force: true });
    if (work) fs.rmSync(work, { recursive: true, force: true });
});

describe('head office on PostgreSQL', () => {
    test('two halls ship their logs: each event once, in order, each hall identified', () => {
        for (const hall of ['east', 'west']) {
            const db = path.join(work, `${hall}.db`);
            const r = sync(db, hall, ['--name', `${hall} hall`, '--batch', '100']);
            assert.equal(r.status, 0, r.stderr);
            const loc = localEvents(db);
            assert.ok(loc.n > 100, `a real history: ${loc.n} events`);
            assert.equal(psql(`SELECT count(*) FROM hall_events WHERE hall = '${hall}'`), String(loc.n));
            assert.equal(psql(`SELECT last_seq FROM halls WHERE hall = '${hall}'`), String(loc.max));
            assert.match(r.stdout, new RegExp(`shipped ${loc.n} events`));
        }
        assert.equal(psql("SELECT count(*) FROM (SELECT seq FROM hall_events WHERE hall = 'east' GROUP BY seq HAVING count(*) > 1) d"), '0');
        assert.equal(psql("SELECT name FROM halls WHERE hall = 'west'"), 'west hall');
        assert.ok(Number(psql("SELECT count(*) FROM hall_events WHERE type = 'ticket.issued'")) > 100);
        const again = sync(path.join(work, 'east.db'), 'east');
        assert.equal(again.status, 0, again.stderr);
        assert.match(again.stdout, /shipped 0 events/);
    });
    test('the link cut: sync says so and exits 1; the next run catches up', () => {
        const db = path.join(work, 'north.db');
        const r0 = spawnSync(BIN, ['demo', '--db', db, '--history-days', '2'], { encoding: 'utf8', timeout: 300000, env: { ...process.env, HALLQ_ADMIN_PASSWORD: 'admin-pass-123' } });
        assert.equal(r0.status, 0, r0.stderr);
        pgStop();
        const down = sync(db, 'north');
        assert.equal(down.status, 1);
        assert.match(down.stderr, /head office database: cannot connect/);
        pgStart();
        const up = sync(db, 'north');
        assert.equal(up.status, 0, up.stderr);
        assert.equal(psql("SELECT count(*) FROM hall_events WHERE hall = 'north'"), String(localEvents(db).n));
    });
    test('a shipper killed mid-batch loses nothing and counts nothing twice', async () => {
        const db = path.join(work, 'south.db');
        const r0 = spawnSync(BIN, ['demo', '--db', db, '--history-days', '6'], { encoding: 'utf8', timeout: 300000, env: { ...process.env, HALLQ_ADMIN_PASSWORD: 'admin-pass-123' } });
        assert.equal(r0.status, 0, r0.stderr);
        const total = localEvents(db).n;
        let kills = 0;
        for (let i = 0; i < 6; i++) {
            const child = spawn(BIN, ['sync', '--db', db, '--central', url, '--hall', 'south', '--batch', '50']);
            await new Promise((res) => setTimeout(res, 150 + 100 * i));
            if (child.exitCode === null) {
                child.kill('SIGKILL');
                kills++;
            }
            await new Promise((res) => child.once('exit', res).once('error', res) && (child.exitCode !== null ? res() : 0));
            const have = Number(psql("SELECT count(*) FROM hall_events WHERE hall = 'south'"));
            const mark = Number(psql("SELECT coalesce(max(last_seq), 0) FROM halls WHERE hall = 'south'"));
            const maxSeq = Number(psql("SELECT coalesce(max(seq), 0) FROM hall_events WHERE hall = 'south'"));
            assert.equal(maxSeq, mark, 'the high-water mark moves with the events, in one transaction');
            assert.ok(have <= total);
        }
        const done = sync(db, 'south');
        assert.equal(done.status, 0, done.stderr);
        assert.equal(psql("SELECT count(*) FROM hall_events WHERE hall = 'south'"), String(total));
        assert.equal(psql("SELECT count(DISTINCT seq) FROM hall_events WHERE hall = 'south'"), String(total));
        assert.ok(kills >= 1, 'at least one shipper was killed mid-run');
    });
    test('a hall restored from an older backup is refused, not mixed in', () => {
        const db = path.join(work, 'tiny.db');
        const env = { ...process.env, HALLQ_ADMIN_PASSWORD: 'admin-pass-123' };
        assert.equal(spawnSync(BIN, ['init', '--db', db], { env }).status, 0);
        assert.equal(sync(db, 'east').status, 1, 'east at head office is ahead of this log');
        const r = sync(db, 'east');
        assert.match(r.stderr, /restored from an older backup/);
        assert.equal(sync(db, 'bad id!').status, 1);
    });
});
