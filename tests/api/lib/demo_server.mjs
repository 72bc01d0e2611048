// SPDX-License-Identifier: MIT
// demo_server.mjs — a server on a demo history for the tests that need past days (statistics,
// reports, the plan): `hallq demo --history-days N --always-open` into a fresh database, then
// `hallq serve` on it; and the demo hall's local date N days from today.
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
 * Make a demo history of `days` days and serve it. tag names the temporary folder, env adds to
 * the server's environment (sanitizerEnv() for PDFs under ASan). Returns {url, db, dir, env,
 * stop()}; stop() ends the server, checks it exited cleanly without sanitizer reports, and
 * removes the folder.
 */
export async function demoServer({ days, tag = 'demo', env: extra = {} }) {
    // the demo commits every change durably: on tmpfs (when there is one) its fsyncs cost nothing
    const base = fs.existsSync('/dev/shm') ? '/dev/shm' : os.tmpdir();
    const dir = fs.mkdtempSync(path.join(base, `hallq-${tag}-`));
    const db = path.join(dir, 'demo.db');
    const env = { ...process.env, HALLQ_ADMIN_PASSWORD: ADMIN_PASSWORD, ...extra };
    const r = spawnSync(BIN, ['demo', '--db', db, '--history-days', String(days), '--always-open'], { env, encoding: 'utf8', timeout: SANITIZE ? 600000 : 300000 });
    assert.equal(r.status, 0, `hallq demo: ${r.stderr}`);
    const child = spawn(BIN, ['serve', '--db', db, '--listen', '127.0.0.1:0'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let err = '';
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (d) => (err += d));
    const url = await new Promise((resolve, reject) => {
        let out = '';
        const timer = setTimeout(() => reject(new Error(`no URL: ${err}`)), SANITIZE ? 60000 : 20000);
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
    return {
        url,
        db,
        dir,
        env,
        async stop() {
            child.kill('SIGTERM');
            await new Promise((r) => (child.exitCode !== null ? r() : child.once('exit', r)));
            assert.doesNotMatch(err, /AddressSanitizer|LeakSanitizer|runtime error:/, err.slice(-2000));
            assert.equal(child.exitCode, 0, err.slice(-1000));
            fs.rmSync(dir, { recursive: true, force: true });
        },
    };
}
