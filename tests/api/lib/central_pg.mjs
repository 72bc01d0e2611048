// SPDX-License-Identifier: MIT
// central_pg.mjs — a real PostgreSQL 15 on loopback for head office's tests (the same way
// central.test.mjs starts it: initdb in a temp dir, a free port, trust auth, run as the postgres
// user when the tests run as root), and halls with history for it: `hallq demo` stores whose last
// working day's ticket, window and evaluation events are copied to today (until 11:00 of that
// day, so some tickets are still waiting), shipped with `hallq sync`.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { BIN } from './server.mjs';

const PG_BIN = '/usr/lib/postgresql/15/bin';
const root = process.getuid && process.getuid() === 0;
export const TZ_OFFSET_S = 8 * 3600; // Asia/Shanghai, the demo hall's zone (no summer time)

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

export const pgAvailable = () => fs.existsSync(`${PG_BIN}/initdb`);

// Start a PostgreSQL with a database (default "central"); settings: server settings
// ['fsync=on', …]. Returns {url, psql(sql), stop()}.
export async function startPg({ database = 'central', settings = [] } = {}) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `hallq-${database}-pg-`));
  if (root) spawnSync('chown', ['postgres:postgres', dir]);
  fs.chmodSync(dir, 0o700);
  sh(`${PG_BIN}/initdb`, ['-D', `${dir}/data`, '-A', 'trust', '-U', 'postgres', '-E', 'UTF8', '--locale=C', '--no-sync']);
  const port = await freePort();
  const opts = [`-h 127.0.0.1 -p ${port} -k ${dir}`, ...settings.map((s) => `-c ${s}`)].join(' ');
  sh(`${PG_BIN}/pg_ctl`, ['-D', `${dir}/data`, '-l', `${dir}/server.log`, '-w', '-t', '60', '-o', opts, 'start']);
  const psqlArgs = ['-h', '127.0.0.1', '-p', String(port), '-U', 'postgres'];
  sh('/usr/bin/psql', [...psqlArgs, '-c', `CREATE DATABASE ${database}`]);
  return {
    url: `postgresql://postgres@127.0.0.1:${port}/${database}`,
    psql: (sql) => sh('/usr/bin/psql', [...psqlArgs, '-d', database, '-At', '-c', sql]).trim(),
    stop() {
      try {
        sh(`${PG_BIN}/pg_ctl`, ['-D', `${dir}/data`, '-m', 'fast', '-w', 'stop']);
      } catch {
        /* already stopped */
      }
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

const sqlite = (db, sql) => {
  const r = spawnSync('sqlite3', [db, sql], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`sqlite3 ${sql}: ${r.stderr}`);
  return r.stdout.trim();
};
export { sqlite };

// The start (epoch s) of the local day holding t.
export const dayStart = (t) => Math.floor((t + TZ_OFFSET_S) / 86400) * 86400 - TZ_OFFSET_S;
export const localDate = (t) => new Date((t + TZ_OFFSET_S) * 1000).toISOString().slice(0, 10);

// A demo hall at db with `days` days of history, plus today's morning copied from its last
// working day (until 11:00). Returns {today0} (today's start, epoch s).
export function makeHall(db, days, password = 'admin-pass-123') {
  const r = spawnSync(BIN, ['demo', '--db', db, '--history-days', String(days)], { encoding: 'utf8', timeout: 600000, env: { ...process.env, HALLQ_ADMIN_PASSWORD: password } });
  if (r.status !== 0) throw new Error(`hallq demo: ${r.stderr}`);
  const last = Number(sqlite(db, "SELECT max(t) FROM events WHERE type = 'ticket.issued'"));
  const d0 = dayStart(last);
  const today0 = dayStart(Math.floor(Date.now() / 1000));
  const maxSeq = Number(sqlite(db, 'SELECT max(seq) FROM events'));
  sqlite(db, `INSERT INTO events (seq, t, actor, type, data) SELECT ${maxSeq} + row_number() OVER (ORDER BY seq), t + ${today0 - d0}, actor, type, data FROM events WHERE t >= ${d0} AND t < ${d0 + 11 * 3600} AND (type LIKE 'ticket.%' OR type LIKE 'window.%' OR type = 'evaluation.recorded') ORDER BY seq`);
  return { today0 };
}

export function ship(db, url, hall, name) {
  const r = spawnSync(BIN, ['sync', '--db', db, '--central', url, '--hall', hall, '--name', name], { encoding: 'utf8', timeout: 300000 });
  if (r.status !== 0) throw new Error(`hallq sync: ${r.stderr}`);
  return r.stdout;
}

// `hallq central serve` on a free port: {base, cookie jar helpers, stop()}.
export async function startCentral(url, users, extra = []) {
  const { spawn } = await import('node:child_process');
  const proc = spawn(BIN, ['central', 'serve', '--central', url, '--users', users, '--listen', '127.0.0.1:0', ...extra], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '', err = '';
  proc.stderr.on('data', (d) => (err += d));
  const base = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`central serve did not start: ${err}`)), 60000);
    proc.stdout.on('data', (d) => {
      out += d;
      const m = out.match(/serving (http:\/\/[^ ]+)/);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]);
      }
    });
    proc.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`central serve exited ${code}: ${err}`));
    });
  });
  return {
    base,
    stderr: () => err,
    async stop() {
      if (proc.exitCode !== null) return proc.exitCode;
      const done = new Promise((r) => proc.once('exit', (code, sig) => r(code ?? sig)));
      proc.kill('SIGTERM');
      // A stop held up (a long query under load) must not hang the test: killed after 20 s.
      const guard = setTimeout(() => proc.kill('SIGKILL'), 20000);
      const rc = await done;
      clearTimeout(guard);
      return rc;
    },
  };
}

// fetch against the central server; returns {status, json, headers}.
export async function req(base, method, p, { body, cookie, headers = {}, raw } = {}) {
  const h = { ...headers };
  if (cookie) h.Cookie = cookie;
  if (body !== undefined && !h['Content-Type']) h['Content-Type'] = 'application/json';
  const r = await fetch(base + p, { method, headers: h, body: raw !== undefined ? raw : body !== undefined ? JSON.stringify(body) : undefined });
  const text = await r.text();
  let json = null;
  try {
    json = JSON.parse(text);
  } catch {
    /* a page */
  }
  return { status: r.status, json, headers: r.headers, text };
}

export async function signIn(base, username, password) {
  const r = await req(base, 'POST', '/api/login', { body: { username, password } });
  if (r.status !== 200) throw new Error(`login ${username}: ${r.status} ${r.text}`);
  return r.headers.get('set-cookie').split(';')[0];
}
