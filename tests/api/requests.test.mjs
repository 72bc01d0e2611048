// SPDX-License-Identifier: MIT
// requests.test.mjs — requests generated from the served document: for every operation with a JSON
// request body, one body built from its schema (required properties, valid values) and bodies that
// each break one rule of it (a missing required property, a wrong type, a value out of its enum,
// range, length or pattern, an unknown property). Every answer must be a documented status (the
// client checks it) and never 500; a body the schema refuses must be refused (4xx): the server
// never accepts what the document says it refuses; a 400 names the path of the broken value
// (the request validator, src/http/req_schema.c). Bodies that depend on a path parameter (the
// window and complaint actions, "x-request-per") are generated for each value.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import SwaggerParser from '@apidevtools/swagger-parser';
import { hall, api, BASE } from './lib/server.mjs';

const { srv, tokens } = await hall(after);
const doc = await SwaggerParser.dereference(await (await fetch(srv.url + BASE + '/openapi.json')).json());
const today = new Date().toISOString().slice(0, 10);

function types(s) {
    return Array.isArray(s.type) ? s.type : s.type ? [s.type] : [];
}
function merge(s) {
    if (!s.allOf) return s;
    const out = { ...s };
    delete out.allOf;
    for (const p of s.allOf) {
        const m = merge(p);
        out.properties = { ...(out.properties || {}), ...(m.properties || {}) };
        out.required = [...new Set([...(out.required || []), ...(m.required || [])])];
        if (m.additionalProperties === false) out.additionalProperties = false;
        if (!out.type && m.type) out.type = m.type;
    }
    return out;
}
const PATTERNS = [
    [/\{1,2\}\$$/, 'A'],
    [/\[0-9\]\{3,5\}/, 'A001'],
    [/a-z0-9_/, 'probe_user'],
    [/\[0-2\]/, '08:00-17:00'],
];
/** A valid value of schema s. */
function sample(s) {
    s = merge(s);
    if (s.const !== undefined) return s.const;
    if (s.enum) return s.enum.find((v) => v !== null);
    const t = types(s).filter((x) => x !== 'null');
    const ty = t[0];
    if (!ty) return types(s).includes('null') ? null : 'x';
    if (ty === 'string') {
        if (s.format === 'date') return today;
        if (s.format === 'date-time') return new Date().toISOString().replace(/\.\d+Z$/, '+00:00');
        if (s.pattern) for (const [rx, v] of PATTERNS) if (rx.test(s.pattern)) return v;
        return 'x'.repeat(Math.max(1, s.minLength || 1));
    }
    if (ty === 'integer') return s.minimum ?? 1;
    if (ty === 'number') return s.maximum ?? s.minimum ?? 1;
    if (ty === 'boolean') return false;
    if (ty === 'array') return [];
    if (ty === 'object') {
        const o = {};
        for (const k of s.required || []) o[k] = sample(s.properties?.[k] || {});
        return o;
    }
    return null;
}
/** Values of schema s that break exactly one of its rules, with a name for each. */
function breakers(s) {
    s = merge(s);
    const out = [];
    const t = types(s);
    if (t.length) {
        const wrong = t.includes('string') ? 12345 : t.includes('integer') || t.includes('number') ? 'not-a-number' : t.includes('boolean') ? 'yes' : 'not-structured';
        if (!(t.includes('integer') && typeof wrong === 'number')) out.push(['wrong type', wrong]);
    }
    if (s.enum) out.push(['not in enum', 'zzz-not-listed']);
    if (typeof s.maximum === 'number') out.push(['above maximum', s.maximum + 1]);
    if (typeof s.minimum === 'number') out.push(['below minimum', s.minimum - 1]);
    if (typeof s.maxLength === 'number') out.push(['too long', 'x'.repeat(s.maxLength + 1)]);
    if (s.pattern) out.push(['breaks the pattern', '!!']);
    if (s.format === 'date' || s.format === 'date-time') out.push(['not a date', 'someday']);
    return out;
}

// A route whose body depends on a path parameter (the window and complaint actions) documents
// the schema of each value in "x-request-per" {param, schemas}: one case list per value.
const ops = [];
for (const [p, item] of Object.entries(doc.paths))
    for (const [m, op] of Object.entries(item)) {
        const schema = op.requestBody?.content?.['application/json']?.schema;
        if (!schema || p === '/auth/logout') continue;
        const per = op['x-request-per'];
        if (per)
            for (const [value, s] of Object.entries(per.schemas))
                ops.push({ p, m: m.toUpperCase(), op, schema: merge(s), fixed: { [per.param]: value } });
        else ops.push({ p, m: m.toUpperCase(), op, schema: merge(schema) });
    }

function pathOf(p, op, fixed = {}) {
    return p.replace(/\{(\w+)\}/g, (_, name) => {
        if (fixed[name] !== undefined) return encodeURIComponent(fixed[name]);
        const prm = (op.parameters || []).find((x) => x.name === name && x.in === 'path');
        const v = prm ? sample(prm.schema || {}) : 'x';
        return encodeURIComponent(String(v));
    });
}

async function send(o, body, label) {
    const r = await api(srv, o.m, pathOf(o.p, o.op, o.fixed), body, { token: o.p === '/auth/login' ? undefined : tokens.admin });
    assert.notEqual(r.status, 500, `${o.m} ${o.p} ${label}: 500 ${r.text}`);
    return r;
}

test('generated requests: valid bodies get a documented 2xx or 4xx, broken ones a 4xx', async () => {
    assert.ok(ops.length >= 30, `operations with a JSON body: ${ops.length}`);
    assert.ok(ops.filter((o) => o.fixed?.action === 'call').length === 1, 'the window action call has its own schema');
    const accepted = [];
    const misnamed = [];
    let checked = 0;
    for (const o of ops) {
        if (o.p === '/hall/emergency') continue; // would suspend the hall for the other cases; below
        const valid = sample(o.schema);
        const r = await send(o, valid, 'valid');
        const where = o.fixed ? `${o.p} ${JSON.stringify(o.fixed)}` : o.p;
        assert.ok(r.status < 500 || r.status === 503, `${o.m} ${where} valid ${JSON.stringify(valid)}: ${r.status} ${r.text}`);
        const cases = [];
        if (o.schema.additionalProperties === false) cases.push(['unknown property', { ...valid, no_such_field_x: 1 }, 'no_such_field_x']);
        for (const k of o.schema.required || []) {
            const b = { ...valid };
            delete b[k];
            cases.push([`without required ${k}`, b, k]);
        }
        for (const [k, ps0] of Object.entries(o.schema.properties || {})) {
            const ps = merge(ps0);
            for (const [why, v] of breakers(ps)) cases.push([`${k}: ${why}`, { ...valid, [k]: v }, k]);
            // one level down: a property of an object property, an item of an array property
            if (types(ps).includes('object') && ps.properties) {
                const inner = sample({ ...ps, type: 'object' });
                if (ps.additionalProperties === false) cases.push([`${k}: unknown property`, { ...valid, [k]: { ...inner, no_such_field_x: 1 } }, `${k}.no_such_field_x`]);
                for (const [k2, ps2] of Object.entries(ps.properties))
                    for (const [why, v] of breakers(ps2)) cases.push([`${k}.${k2}: ${why}`, { ...valid, [k]: { ...inner, [k2]: v } }, `${k}.${k2}`]);
            }
            if (types(ps).includes('array') && ps.items && Object.keys(ps.items).length) {
                const item = merge(ps.items);
                for (const [why, v] of breakers(item)) cases.push([`${k}[0]: ${why}`, { ...valid, [k]: [v] }, `${k}[0]`]);
                if (item.required) {
                    const one = sample(item);
                    for (const r of item.required) {
                        const b = { ...one };
                        delete b[r];
                        cases.push([`${k}[0] without ${r}`, { ...valid, [k]: [b] }, `${k}[0].${r}`]);
                    }
                }
                if (typeof ps.maxItems === 'number') cases.push([`${k}: too many items`, { ...valid, [k]: Array(ps.maxItems + 1).fill(sample(item)) }, k]);
            }
        }
        cases.push(['not an object', [valid]]);
        // the request validator names the broken value (or what the "valid" sample already broke)
        const validField = r.status === 400 ? r.json?.error?.field : undefined;
        for (const [why, b, field] of cases) {
            const rb = await send(o, b, why);
            if (rb.status < 300) accepted.push(`${o.m} ${where} (${why}): ${rb.status} for ${JSON.stringify(b).slice(0, 120)}`);
            if (field && rb.status === 400 && (rb.json.error.code !== 'invalid_field' || ![field, validField].includes(rb.json.error.field)))
                misnamed.push(`${o.m} ${where} (${why}): ${rb.json.error.code} field ${rb.json.error.field}, expected ${field}`);
            if (field) checked++;
        }
    }
    assert.deepEqual(accepted, [], 'the server accepted bodies the document refuses');
    assert.deepEqual(misnamed, [], 'a refusal that does not name the path of the broken value');
    assert.ok(checked >= 200, `cases with a path: ${checked}`);
});

test('generated requests: query parameters that break their schema are refused', async () => {
    const accepted = [];
    let n = 0;
    for (const [p, item] of Object.entries(doc.paths))
        for (const [m, op] of Object.entries(item)) {
            if (m !== 'get' || p === '/events') continue;
            for (const prm of (op.parameters || []).filter((x) => x.in === 'query')) {
                for (const [why, v] of breakers(prm.schema || {})) {
                    if (why === 'wrong type' && types(prm.schema).includes('string')) continue; // a query is text
                    const q = new URLSearchParams({ [prm.name]: String(v) });
                    const r = await api(srv, 'GET', `${pathOf(p, op)}?${q}`, undefined, { token: tokens.admin });
                    n++;
                    assert.notEqual(r.status, 500, `GET ${p}?${q}: 500 ${r.text}`);
                    if (r.status < 300) accepted.push(`GET ${p}?${q} (${prm.name}: ${why}): ${r.status}`);
                }
            }
        }
    assert.ok(n >= 20, `query cases: ${n}`);
    assert.deepEqual(accepted, [], 'the server accepted query values the document refuses');
});

test('generated requests: the emergency switch', async () => {
    const o = ops.find((x) => x.p === '/hall/emergency');
    assert.ok(o);
    for (const [why, b] of [['not an object', 5], ['suspended: wrong type', { suspended: 'yes' }], ['unknown property', { suspended: false, zz: 1 }]]) {
        const r = await send(o, b, why);
        assert.ok(r.status >= 400 && r.status < 500, `${why}: ${r.status} ${r.text}`);
    }
    const r = await send(o, { suspended: false }, 'valid');
    assert.equal(r.status, 200, r.text);
});
