// SPDX-License-Identifier: MIT
// config_io.test.mjs — a hall's set-up exported as JSON and imported into a second hall, over HTTP
// and with `hallq config`: no passwords leave; a dry run says what would change and writes
// nothing; the import is all or nothing (a window naming a missing service refuses the whole
// document, and the refusal names the record); imported staff cannot sign in until given a
// password; a second import changes nothing.
import { test, after, describe } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { hall, startServer, api, login, assertError, ADMIN_PASSWORD, BIN, PASSWORDS } from './lib/server.mjs';

const { srv, tokens } = await hall(after);
const second = await startServer();
after(() => second.cleanup());
const admin2 = await login(second, 'admin', ADMIN_PASSWORD);

describe('configuration export and import', () => {
    let doc;
    test('export: the set-up without passwords; admins only', async () => {
        assertError(await api(srv, 'GET', '/config/export', undefined, { token: tokens.manager1 }), 403, 'forbidden');
        const r = await api(srv, 'GET', '/config/export', undefined, { token: tokens.admin });
        assert.equal(r.status, 200, r.text);
        doc = r.json;
        assert.equal(doc.format, 'hallq-config');
        assert.deepEqual(doc.services.map((s) => s.code), ['A', 'B', 'C']);
        assert.deepEqual(doc.windows.map((w) => w.number), [1, 2, 3]);
        assert.ok(doc.staff.some((s) => s.username === 'clerk1' && s.certifications.length === 2));
        assert.ok(!/password|pw_hash|argon2/.test(r.text), 'no password of any kind');
        for (const p of Object.values(PASSWORDS)) assert.ok(!r.text.includes(p));
        assert.equal(doc.services[0].waiting, undefined, 'no queue state');
    });
    test('a dry run says what would change and writes nothing', async () => {
        const r = await api(second, 'POST', '/config/import?dry_run=true', doc, { token: admin2 });
        assert.equal(r.status, 200, r.text);
        assert.equal(r.json.applied, false);
        assert.ok(r.json.changes.some((c) => c.kind === 'service' && c.key === 'A' && c.action === 'create'));
        assert.ok(r.json.changes.some((c) => c.kind === 'window' && c.key === '3' && c.action === 'create'));
        assert.deepEqual((await api(second, 'GET', '/services')).json, []);
    });
    test('all or nothing: one bad record refuses the whole document, naming it', async () => {
        const bad = structuredClone(doc);
        bad.windows.push({ number: 9, name: '9号窗口', services: ['Z'] });
        const r = await api(second, 'POST', '/config/import', bad, { token: admin2 });
        assertError(r, 400, 'invalid_field');
        assert.equal(r.json.error.field, 'windows[3].services');
        assert.deepEqual((await api(second, 'GET', '/services')).json, [], 'not even the services were created');
        const pw = structuredClone(doc);
        pw.staff[0].password = 'secret-123';
        assertError(await api(second, 'POST', '/config/import', pw, { token: admin2 }), 400, 'invalid_field');
        assertError(await api(second, 'POST', '/config/import', { ...doc, format: 'other' }, { token: admin2 }), 400, 'invalid_field', 'format');
        assertError(await api(second, 'POST', '/config/import?dry_run=maybe', doc, { token: admin2 }), 400, 'invalid_field');
        assertError(await api(second, 'POST', '/config/import', doc, { token: undefined }), 401, 'unauthenticated');
    });
    test('import: the second hall has the first one set-up; staff need a password', async () => {
        const r = await api(second, 'POST', '/config/import', doc, { token: admin2 });
        assert.equal(r.status, 200, r.text);
        assert.equal(r.json.applied, true);
        assert.ok(r.json.needs_password.includes('clerk1'));
        const svc = (await api(second, 'GET', '/services')).json;
        assert.deepEqual(svc.map((s) => [s.code, s.name, s.avg_service_s]), doc.services.map((s) => [s.code, s.name, s.avg_service_s]));
        const win = (await api(second, 'GET', '/windows')).json;
        assert.deepEqual(win.map((w) => [w.number, w.services]), doc.windows.map((w) => [w.number, w.services]));
        const denied = await api(second, 'POST', '/auth/login', { username: 'clerk1', password: PASSWORDS.clerk1 });
        assertError(denied, 401, 'unauthenticated');
        const again = await api(second, 'POST', '/config/import', doc, { token: admin2 });
        assert.equal(again.status, 200, again.text);
        assert.equal(again.json.applied, false);
        assert.ok(again.json.changes.every((c) => c.action === 'unchanged'), JSON.stringify(again.json.changes));
        // Survives a restart (it was one committed batch).
        await second.restart();
        assert.equal((await api(second, 'GET', '/windows')).json.length, 3);
    });
    test('hallq config export and import on the command line', async () => {
        const file = path.join(second.dir, 'setup.json');
        fs.writeFileSync(file, JSON.stringify(doc));
        const db = path.join(second.dir, 'third.db');
        const env = { ...process.env, HALLQ_ADMIN_PASSWORD: ADMIN_PASSWORD };
        assert.equal(spawnSync(BIN, ['init', '--db', db], { env, encoding: 'utf8' }).status, 0);
        const dry = spawnSync(BIN, ['config', 'import', '--db', db, '--file', file, '--dry-run'], { encoding: 'utf8' });
        assert.equal(dry.status, 0, dry.stderr);
        assert.match(dry.stdout, /create\s+service\s+A/);
        assert.match(dry.stdout, /nothing written/);
        const imp = spawnSync(BIN, ['config', 'import', '--db', db, '--file', file], { encoding: 'utf8' });
        assert.equal(imp.status, 0, imp.stderr);
        assert.match(imp.stdout, /imported into/);
        const out = path.join(second.dir, 'out.json');
        const exp = spawnSync(BIN, ['config', 'export', '--db', db, '--out', out], { encoding: 'utf8' });
        assert.equal(exp.status, 0, exp.stderr);
        const back = JSON.parse(fs.readFileSync(out, 'utf8'));
        assert.deepEqual(back.services.map((s) => s.code), ['A', 'B', 'C']);
        assert.deepEqual(back.windows, doc.windows);
        fs.writeFileSync(file, '{"format":"hallq-config","version":1,"windows":[{"number":4,"services":["Q"]}]}');
        const bad = spawnSync(BIN, ['config', 'import', '--db', db, '--file', file], { encoding: 'utf8' });
        assert.equal(bad.status, 1);
        assert.match(bad.stderr, /windows\[0\]\.services.*Nothing was changed/s);
    });
});
