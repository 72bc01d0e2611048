// SPDX-License-Identifier: MIT
// compliance_cli.test.mjs — `hallq compliance` on a demo history: text (the clauses with their
// verdicts in both languages), json (the same clauses as GET /api/v1/compliance would give, with
// the thresholds), pdf (a PDF that pdfinfo reads, when installed; else its header), and the usage
// errors (exit 2: missing dates, from after to, an unknown format; exit 1: no such database).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { BIN, ADMIN_PASSWORD, SANITIZE } from './lib/server.mjs';
import { sanitizerEnv } from './lib/media_helpers.mjs';

const day = (offset) => new Date(Date.now() + 8 * 3600 * 1000 + offset * 86400 * 1000).toISOString().slice(0, 10);
const FROM = day(-6);
const TO = day(-1);
let dir, db;
// The PDF is drawn with cairo: under the sanitizer build its known library leaks are suppressed
// (media_helpers.mjs sanitizerEnv); anything else is still reported.
const env = { ...process.env, HALLQ_ADMIN_PASSWORD: ADMIN_PASSWORD, ...(SANITIZE ? sanitizerEnv() : {}) };
const hallq = (...args) => spawnSync(BIN, args, { env, encoding: 'utf8', timeout: 500000 });

before(() => {
    dir = fs.mkdtempSync(path.join(fs.existsSync('/dev/shm') ? '/dev/shm' : os.tmpdir(), 'hallq-cmpl-'));
    db = path.join(dir, 'demo.db');
    const r = hallq('demo', '--db', db, '--history-days', '5');
    assert.equal(r.status, 0, r.stderr);
});
after(() => fs.rmSync(dir, { recursive: true, force: true }));

test('text, json and pdf', () => {
    const t = hallq('compliance', '--db', db, '--from', FROM, '--to', TO);
    assert.equal(t.status, 0, t.stderr);
    assert.match(t.stdout, /合规报告 Compliance report/);
    assert.match(t.stdout, /\[4\.7\] 持证上岗.*— (符合 met|不符合 NOT MET|部分符合 partly met|无数据 no data)/);
    assert.match(t.stdout, /\[9\.1\.1\]/);
    assert.match(t.stdout, /阈值 Thresholds:[\s\S]*satisfaction_target: 0\.9/);

    const j = hallq('compliance', '--db', db, '--from', FROM, '--to', TO, '--format', 'json');
    assert.equal(j.status, 0, j.stderr);
    const r = JSON.parse(j.stdout);
    assert.equal(r.from, FROM);
    assert.equal(r.to, TO);
    const ids = r.clauses.map((c) => c.id);
    for (const id of ['4.7-certified', '4.7-training', '5.2.5', '5.3.6', '8.2.2', '8.2.4', '9.1.1', '6.2-satisfaction']) assert.ok(ids.includes(id), id);
    for (const c of r.clauses) assert.ok(['met', 'partly_met', 'not_met', 'no_data'].includes(c.verdict));
    // the demo serves customers through the week: figures, and clerk08's expired certification named
    assert.ok(r.clauses.find((c) => c.id === '4.7-certified').figures.served_tickets > 0);
    assert.ok(r.clauses.find((c) => c.id === '4.7-training').evidence.some((e) => e.kind === 'staff' && e.id === 'clerk08' && /expired/.test(e.note)));

    const out = path.join(dir, 'c.pdf');
    const p = hallq('compliance', '--db', db, '--from', FROM, '--to', TO, '--format', 'pdf', '--out', out);
    assert.equal(p.status, 0, p.stderr);
    const bytes = fs.readFileSync(out);
    assert.equal(bytes.subarray(0, 5).toString(), '%PDF-');
    const info = spawnSync('pdfinfo', [out], { encoding: 'utf8' });
    if (!info.error) {
        assert.equal(info.status, 0, info.stderr);
        assert.match(info.stdout, /Title:\s+合规报告 Compliance report/);
        assert.match(info.stdout, /Pages:\s+[1-9]/);
    }
});

test('usage errors', () => {
    assert.equal(hallq('compliance', '--db', db, '--from', FROM).status, 2);
    const bad = hallq('compliance', '--db', db, '--from', TO, '--to', FROM);
    assert.equal(bad.status, 2);
    assert.match(bad.stderr, /to: .*before/);
    assert.equal(hallq('compliance', '--db', db, '--from', FROM, '--to', TO, '--format', 'doc').status, 2);
    assert.equal(hallq('compliance', '--db', path.join(dir, 'none.db'), '--from', FROM, '--to', TO).status, 1);
    assert.equal(hallq('compliance', '--help').status, 0);
});
