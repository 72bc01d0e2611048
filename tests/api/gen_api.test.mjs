// SPDX-License-Identifier: MIT
// gen_api.test.mjs — the generator of the route table and the document (tools/gen_api.c) refuses
// a route description it cannot read whole, naming the file and the route (a request schema
// feature the server's validator does not check included), and the document it writes is the
// one the server serves.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startServer, BIN, SRC, BASE } from './lib/server.mjs';

const GEN = path.join(path.dirname(BIN), 'hq_gen_api');
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'hq-gen-'));
after(() => fs.rmSync(tmp, { recursive: true, force: true }));

const post = (routes) => routes.find((x) => x.method === 'POST' && x.path === '/api/v1/tickets');

function run(mutate) {
    const dir = fs.mkdtempSync(path.join(tmp, 'api-'));
    fs.cpSync(path.join(SRC, 'api'), dir, { recursive: true });
    const file = path.join(dir, 'routes', '080-tickets.json');
    const routes = JSON.parse(fs.readFileSync(file, 'utf8'));
    mutate(routes);
    fs.writeFileSync(file, JSON.stringify(routes));
    const out = fs.mkdtempSync(path.join(tmp, 'out-'));
    return spawnSync(GEN, [dir, out], { encoding: 'utf8' });
}

test('the generator refuses what it cannot read whole', () => {
    const ok = run(() => {});
    assert.equal(ok.status, 0, ok.stderr);
    const cases = [
        [(r) => (r[0].roles = ['cashier']), /unknown role "cashier"/],
        [(r) => (r[0].rate = 'fast'), /unknown rate class "fast"/],
        [(r) => (r[0].colour = 'red'), /unknown key "colour"/],
        [(r) => (r[0].responses['409'] = ['not_found']), /code not_found does not go with status 409/],
        [(r) => (r[0].responses['400'] = ['no_such_code']), /unknown error code/],
        [(r) => delete r[0].summary, /"summary" is required/],
        [(r) => (r[0].responses = { 404: ['not_found'] }), /no 2xx answer/],
        [(r) => (r[0].path = '/tickets'), /paths start with \/api\/v1\//],
        [(r) => r.push({ ...r[0] }), /two routes with the same method and path/],
        [(r) => (r.find((x) => x.path.includes('{id}')).params = {}), /path parameter \{id\} needs an entry/],
        [(r) => (r[0].roles = ['public', 'admin']), /"public" stands alone/],
        // request schemas: what the server's validator (src/http/req_schema.c) cannot check stops
        // the build instead of going unchecked
        [(r) => (post(r).request.schema.properties.service.not = { const: 'Z' }), /"not" is not supported by the request validator/],
        [(r) => (post(r).request.schema.if = { required: ['phone'] }), /"if" is not supported by the request validator/],
        [(r) => (post(r).request.schema.properties.phone = { type: 'string', format: 'email' }), /format "email" is not checked/],
        [(r) => (post(r).request.schema.properties.phone = { type: 'string', pattern: '^(?=1)[0-9]+$' }), /\(\?…\) groups are not supported/],
        [(r) => (post(r).request.schema.properties.phone = { type: 'string', pattern: '^\\p{L}+$' }), /\\p is not supported/],
        [(r) => (post(r).request.schema.properties.phone = { type: 'strin' }), /unknown type "strin"/],
        [(r) => (post(r).request.schema.properties.phone = { $ref: '#/components/schemas/NoSuch' }), /no component/],
        [(r) => (post(r).request.schema.properties.phone = { enum: [{ a: 1 }] }), /enum values must be/],
        [(r) => (post(r)['x-request-per'] = { param: 'id', schemas: {} }), /no \{id\} in the path|needs an enum/],
    ];
    for (const [mutate, rx] of cases) {
        const r = run(mutate);
        assert.equal(r.status, 1, `expected a refusal for ${rx}: ${r.stderr}`);
        assert.match(r.stderr, rx);
        assert.match(r.stderr, /080-tickets\.json/);
    }
});

test('the served document is the generated one', async () => {
    const srv = await startServer();
    after(() => srv.cleanup());
    const served = await (await fetch(srv.url + BASE + '/openapi.json')).json();
    const out = fs.mkdtempSync(path.join(tmp, 'out-'));
    const r = spawnSync(GEN, [path.join(SRC, 'api'), out], { encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    assert.deepEqual(served, JSON.parse(fs.readFileSync(path.join(out, 'openapi.json'), 'utf8')));
});
