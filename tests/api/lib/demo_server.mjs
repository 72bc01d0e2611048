// SPDX-License-Identifier: MIT
// demo_server.mjs — a server on a demo history for the tests that need past days (statistics,
// reports, the plan): `hallq demo --history-days N --always-open` into a fresh database
// (makeDemo), `hallq serve` on a database (serveDb), both at once (demoServer); and the demo
// hall's local date N days from today.
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { BIN, ADMIN_PASSWORD, SANITIZE } from './server.mjs';

/** "YYYY-MM-DD" of today + offsetDays in the demo hall's zone (Asia/Shanghai, UTC+8, no DST). */
export function localDate(offsetDays) {
    const d = new Date(Date.now() + 8 * 3600 * 1000 + offsetDays * 86400 * 1000);
    return d.toISOString().slice(0, 10);
}

/**
 * A demo history of `days` days in a new temporary folder (the caller removes it). tag names the
 * folder, env adds to the environment of hallq (sanitizerEnv() for PDFs under ASan). Returns
 * {dir, db, env}.
 */
export function makeDemo({ days, tag = 'demo', env: extra = {} }) {
    // the demo commits every change durably: on tmpfs (when there is one) its fsyncs cost nothing
    const base = fs.existsSync('/dev/shm') ? '/dev/shm' : os.tmpdir();
    const dir = fs.mkdtempSync(path.join(base, `hallq-${tag}-`));
    const db = path.join(dir, 'demo.db');
    const env = { ...process.env, HALLQ_ADMIN_PASSWORD: ADMIN_PASSWORD, ...extra };
    const r = spawnSync(BIN, ['demo', '--db', db, '--history-days', String(days), '--always-open'], { env, encoding: 'utf8', timeout: SANITIZE ? 600000 : 300000 });
    assert.equal(r.status, 0, `hallq demo: ${r.stderr}`);
    return { dir, db, env };
}

/** `hallq serve` on db with env: {url, stop()}; stop() ends it and checks it exited cleanly
 * without sanitizer reports. */
export async function serveDb(db, env) {
    const child = spawn(BIN, ['serve', '--db', db, '--listen', '127.0.0.1:0'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let err = '';
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (d) => (err += d));
    const started = new Promise((resolve, reject) => {
        let out = '';
        const timer = setTimeout(() => reject(new Error(`no URL: ${err}`)), SANITIZE ? 60000 : 30000);
        child.stdout.setEncoding('utf8');
        child.stdout.on('data', (d) => {
            out += d;
            const m = /hallq: serving (http:\/\/[^\s]+)/.exec(out);
            if (m) {
                clearTimeout(timer);
                resolve(m[1].replace(/\/$/, ''));
            }
        });
        child.on('exit', (c) => reject(new Error(`server exited ${c}: ${err}`)));
    });
    const url = await started.catch((e) => {
        child.kill('SIGKILL'); // never left running when it did not start
        throw e;
    });
    return {
        url,
        async stop() {
            child.kill('SIGTERM');
            await new Promise((r) => (child.exitCode !== null ? r() : child.once('exit', r)));
            assert.doesNotMatch(err, /AddressSanitizer|LeakSanitizer|runtime error:/, err.slice(-2000));
            assert.equal(child.exitCode, 0, err.slice(-1000));
        },
    };
}

/**
 * makeDemo then serveDb: {url, db, dir, env, stop()}; stop() also removes the folder.
 */
export async function demoServer(opts) {
    const { dir, db, env } = makeDemo(opts);
    const srv = await serveDb(db, env);
    return {
        url: srv.url,
        db,
        dir,
        env,
        async stop() {
            await srv.stop();
            fs.rmSync(dir, { recursive: true, force: true });
        },
    };
}
