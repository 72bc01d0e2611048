// SPDX-License-Identifier: MIT
// startup.test.mjs — what `hallq serve` refuses to start on, and `hallq check`. A --db that does
// not exist or is an empty file is refused with a clear message and a non-zero exit, and no file
// is created (only init and demo create a hall: a typo must not serve an empty hall with no admin).
// A database whose last pages are overwritten is refused at start by the quick check, with the
// restore command in the message; `hallq check --db` runs the full check and says the same, and
// passes a sound file. backup, report and plan refuse a missing database too.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { hall, issue, BIN } from '../api/lib/server.mjs';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hallq-startup-'));
after(() => fs.rmSync(dir, { recursive: true, force: true }));

function run(args, timeout = 60000) {
    const r = spawnSync(BIN, args, { encoding: 'utf8', timeout, env: { ...process.env, HALLQ_ADMIN_PASSWORD: 'admin-pass-123' } });
    return { code: r.status, out: r.stdout, err: r.stderr, signal: r.signal };
}

test('serve refuses a --db that does not exist, and creates nothing', () => {
    const db = path.join(dir, 'typo.db');
    const r = run(['serve', '--db', db, '--listen', '127.0.0.1:0']);
    assert.equal(r.signal, null, 'the server must exit by itself, not serve');
    assert.notEqual(r.code, 0);
    assert.match(r.err, /does not exist/);
    assert.match(r.err, /hallq init --db/);
    assert.equal(fs.existsSync(db), false, 'no database created');
    assert.equal(fs.existsSync(db + '-wal'), false);
});

test('serve refuses an empty (0-byte) file and leaves it empty', () => {
    const db = path.join(dir, 'empty.db');
    fs.writeFileSync(db, '');
    const r = run(['serve', '--db', db, '--listen', '127.0.0.1:0']);
    assert.equal(r.signal, null);
    assert.notEqual(r.code, 0);
    assert.match(r.err, /empty file \(0 bytes\)/);
    assert.equal(fs.statSync(db).size, 0);
});

test('backup, report and plan refuse a missing database too', () => {
    const db = path.join(dir, 'nothere.db');
    for (const args of [
        ['backup', '--db', db, path.join(dir, 'b.db')],
        ['report', '--db', db, '--format', 'json', '--out', path.join(dir, 'r.json')],
        ['plan', '--db', db],
        ['check', '--db', db],
    ]) {
        const r = run(args);
        assert.equal(r.code, 1, `${args[0]}: ${r.err}`);
        assert.match(r.err, /does not exist/, args[0]);
        assert.equal(fs.existsSync(db), false, `${args[0]} created the file`);
    }
});

test('a damaged database is refused at start with the restore command; hallq check finds it', async () => {
    const { srv } = await hall(() => {});
    for (let i = 0; i < 40; i++) await issue(srv, { service: i % 2 ? 'A' : 'B' });
    const r0 = await srv.stop();
    assert.equal(r0.code, 0);
    const good = path.join(dir, 'good.db');
    fs.copyFileSync(srv.db, good);
    fs.rmSync(srv.dir, { recursive: true, force: true });

    let c = run(['check', '--db', good]);
    assert.equal(c.code, 0, c.err);
    assert.match(c.out, /sound/);

    // Overwrite the last two pages with garbage, as a failing disk or a cut copy would.
    const bad = path.join(dir, 'bad.db');
    fs.copyFileSync(good, bad);
    const size = fs.statSync(bad).size;
    const page = 4096;
    assert.ok(size >= 4 * page, `database of ${size} bytes`);
    const fd = fs.openSync(bad, 'r+');
    fs.writeSync(fd, Buffer.alloc(2 * page, 0xa5), 0, 2 * page, size - 2 * page);
    fs.closeSync(fd);

    const r = run(['serve', '--db', bad, '--listen', '127.0.0.1:0']);
    assert.equal(r.signal, null, 'the server must refuse, not serve');
    assert.notEqual(r.code, 0);
    assert.match(r.err, /refusing to serve/);
    assert.match(r.err, /damaged/);
    assert.match(r.err, new RegExp(`hallq restore --db ${bad.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`));

    c = run(['check', '--db', bad]);
    assert.equal(c.code, 1);
    assert.match(c.out + c.err, /Page \d+/);
    assert.match(c.err, /hallq restore/);

    // --check-seconds 0 skips the check (the operator's explicit choice) — the server starts.
    // (Not exercised here: serving a damaged file is exactly what the default prevents.)
    assert.match(run(['serve', '--help']).out, /--check-seconds/);
    assert.match(run(['--help']).out, /check +check every page/);
});
