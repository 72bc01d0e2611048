// SPDX-License-Identifier: MIT
// contract.test.mjs — the API contract itself: the served document is valid OpenAPI 3.1
// (swagger-parser), and the response check of the test client (lib/contract.mjs) really fails:
// on a deliberately wrong schema, on an undocumented status, on a wrong content type.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import SwaggerParser from '@apidevtools/swagger-parser';
import { startServer, api, BASE } from './lib/server.mjs';
import { Contract } from './lib/contract.mjs';

const srv = await startServer();
after(() => srv.cleanup());
const served = await (await fetch(srv.url + BASE + '/openapi.json')).json();

test('the served document is valid OpenAPI 3.1 (swagger-parser)', async () => {
    const doc = structuredClone(served);
    await SwaggerParser.validate(doc);
    assert.match(served.openapi, /^3\.1\./);
    // every operation documents at least one 2xx, and every JSON body has a schema
    for (const [p, item] of Object.entries(served.paths))
        for (const [m, op] of Object.entries(item)) {
            assert.ok(Object.keys(op.responses).some((s) => s.startsWith('2')), `${m} ${p}: a 2xx`);
            for (const [s, r] of Object.entries(op.responses))
                for (const [ct, media] of Object.entries(r.content || {}))
                    if (/json/.test(ct)) assert.ok(media.schema && (media.schema.$ref || media.schema.type || media.schema.allOf || media.schema.oneOf), `${m} ${p} ${s}: a schema`);
            assert.ok(Array.isArray(op['x-roles']) && op['x-roles'].length, `${m} ${p}: x-roles`);
        }
});

test('the check passes a real answer and fails it against a deliberately wrong schema', async () => {
    const r = await api(srv, 'GET', '/health'); // checked by the client against the served document
    assert.equal(r.status, 200);
    const good = new Contract(served);
    assert.equal(good.check('GET', '/api/v1/health', r.status, r.headers.get('content-type'), r.json, r.text), null);
    const wrong = structuredClone(served);
    wrong.paths['/health'].get.responses['200'].content['application/json'].schema = {
        type: 'object', required: ['status'], properties: { status: { type: 'integer' } },
    };
    const bad = new Contract(wrong);
    assert.match(bad.check('GET', '/api/v1/health', 200, 'application/json', r.json, r.text), /status must be integer/);
    assert.throws(() => bad.assert('GET', '/api/v1/health', 200, 'application/json', r.json, r.text), /API contract/);
    // a wrong shared component fails every route that uses it
    const svc = await api(srv, 'GET', '/services');
    const wrong2 = structuredClone(served);
    wrong2.components.schemas.Error.properties.error.properties.code.enum = ['nothing_real'];
    const r404 = await api(srv, 'GET', '/tickets/no-such-ticket');
    assert.equal(r404.status, 404);
    assert.match(new Contract(wrong2).check('GET', '/api/v1/tickets/no-such-ticket', 404, 'application/json', r404.json, r404.text), /allowed values/);
    assert.equal(new Contract(served).check('GET', '/api/v1/services', 200, 'application/json', svc.json, svc.text), null);
});

test('the check fails on an undocumented status, content type or path', () => {
    const c = new Contract(served);
    assert.match(c.check('GET', '/api/v1/health', 418, 'application/json', {}, '{}'), /not documented/);
    assert.match(c.check('GET', '/api/v1/health', 500, 'application/json', { error: { code: 'internal', message: 'x' } }, '{}'), /not documented/);
    assert.match(c.check('GET', '/api/v1/health', 200, 'text/html', null, '<p>'), /content type/);
    assert.match(c.check('GET', '/api/v1/no-such-route', 200, 'application/json', {}, '{}'), /must be 404/);
    assert.match(c.check('PATCH', '/api/v1/health', 200, 'application/json', {}, '{}'), /must be 405/);
    assert.match(c.check('GET', '/api/v1/tickets/x', 404, 'text/html', null, '<h1>'), /must be JSON|content type/);
    assert.equal(c.check('GET', '/kiosk', 200, 'text/html', null, '<p>'), null);
});

test('every example in the document matches its own schema', () => {
    const c = new Contract(served);
    const esc = (s) => s.replace(/~/g, '~0').replace(/\//g, '~1');
    let n = 0;
    for (const [p, item] of Object.entries(served.paths))
        for (const [m, op] of Object.entries(item)) {
            const req = op.requestBody?.content?.['application/json'];
            if (req?.example !== undefined) {
                const v = c.validator(`/paths/${esc(p)}/${m}/requestBody/content/application~1json/schema`);
                assert.ok(v(req.example), `${m} ${p} request example: ${c.ajv.errorsText(v.errors)}`);
                n++;
            }
            for (const [s, r] of Object.entries(op.responses)) {
                const media = r.content?.['application/json'];
                if (media?.example === undefined) continue;
                const v = c.validator(`/paths/${esc(p)}/${m}/responses/${s}/content/application~1json/schema`);
                assert.ok(v(media.example), `${m} ${p} ${s} example: ${c.ajv.errorsText(v.errors)}`);
                n++;
            }
        }
    assert.ok(n >= 40, `examples checked: ${n}`);
});

test('every route has an example: of its request body and of its JSON answer', () => {
    const missing = [];
    for (const [p, item] of Object.entries(served.paths))
        for (const [m, op] of Object.entries(item)) {
            const req = op.requestBody?.content?.['application/json'];
            if (req && req.example === undefined) missing.push(`${m} ${p}: request`);
            if (p === '/openapi.json') continue; // the document itself
            const ok = Object.entries(op.responses).find(([s, r]) => s.startsWith('2') && r.content?.['application/json']);
            if (ok && ok[1].content['application/json'].example === undefined) missing.push(`${m} ${p}: ${ok[0]} answer`);
        }
    assert.deepEqual(missing, [], 'routes without an example');
});

test('every error status lists the codes it can carry, and only codes of that status', () => {
    const status = { bad_json: 400, invalid_field: 400, unauthenticated: 401, forbidden: 403, not_found: 404, method_not_allowed: 405, conflict: 409, payload_too_large: 413, unsupported_media_type: 415, rate_limited: 429, internal: 500, suspended: 503, store_unavailable: 503 };
    let n = 0;
    for (const [p, item] of Object.entries(served.paths))
        for (const [m, op] of Object.entries(item))
            for (const [s, r0] of Object.entries(op.responses)) {
                if (Number(s) < 400) continue;
                const r = r0.$ref ? served.components.responses[r0.$ref.split('/').pop()] : r0;
                const codes = r?.content?.['application/json']?.schema?.allOf?.[1]?.properties?.error?.properties?.code?.enum;
                assert.ok(Array.isArray(codes) && codes.length > 0, `${m} ${p} ${s}: no list of error codes`);
                for (const c of codes) assert.equal(status[c], Number(s), `${m} ${p} ${s}: code ${c}`);
                n++;
            }
    assert.ok(n >= 200, `error statuses checked: ${n}`);
});

test('the event check fails on an undocumented type and on a payload its schema rejects', () => {
    const c = new Contract(served);
    assert.equal(c.checkEvent('ticket.called', { number: 'A001', service: 'A', category: 'normal', status: 'called', window: 1, calls: 1 }), null);
    assert.match(c.checkEvent('ticket.called', { number: 1, service: 'A', category: 'normal', status: 'called', window: 1, calls: 1 }), /must be string/);
    assert.match(c.checkEvent('ticket.called', { id: 'secret' }), /required property/);
    assert.match(c.checkEvent('ticket.teleported', {}), /not documented/);
});
