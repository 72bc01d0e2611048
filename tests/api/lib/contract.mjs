// SPDX-License-Identifier: MIT
// contract.mjs — checks an answer of the API against the OpenAPI document the server serves at
// /api/v1/openapi.json, with ajv (JSON Schema 2020-12, as OpenAPI 3.1 uses). The test client
// (server.mjs api()) calls it on every answer it receives, success and error, so every API test
// is also a contract test: an undocumented status, an undocumented content type or a JSON body
// the documented schema rejects throws, naming the route and ajv's complaint.
import Ajv2020 from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';

const BASE = '/api/v1';
const esc = (s) => s.replace(/~/g, '~0').replace(/\//g, '~1');

export class Contract {
    /** doc: the parsed OpenAPI document. */
    constructor(doc) {
        this.doc = doc;
        this.ajv = new Ajv2020({ strict: false, allErrors: true, validateFormats: true });
        addFormats(this.ajv);
        // OpenAPI annotations that are not JSON Schema keywords
        for (const k of ['example', 'discriminator', 'xml', 'externalDocs']) this.ajv.addKeyword(k);
        this.ajv.addSchema(doc, 'api');
        this.cache = new Map();
        // literal segments win over parameters: /complaints/track/{code} before /complaints/{code}
        this.templates = Object.keys(doc.paths || {})
            .map((p) => ({ p, rx: new RegExp('^' + p.replace(/[.+?^$()[\]\\|]/g, '\\$&').replace(/\{[^}]+\}/g, '[^/]+') + '$'), params: (p.match(/\{/g) || []).length }))
            .sort((a, b) => a.params - b.params);
    }

    validator(pointer) {
        let v = this.cache.get(pointer);
        if (!v) {
            v = this.ajv.compile({ $ref: 'api#' + pointer });
            this.cache.set(pointer, v);
        }
        return v;
    }

    /** The path template of a request path (relative to /api/v1), or null. */
    match(rel) {
        for (const t of this.templates) if (t.rx.test(rel)) return t.p;
        return null;
    }

    /**
     * Check one answer. method, url (full or path), status, contentType, json (parsed body or
     * null), text (the raw body). Returns null when it conforms, else a description.
     */
    check(method, url, status, contentType, json, text) {
        const path = new URL(url, 'http://x').pathname;
        if (!path.startsWith(BASE + '/')) return null; // pages, /metrics, /api/docs: not this document
        const rel = path.slice(BASE.length);
        const tpl = this.match(rel);
        const m = method.toLowerCase();
        const what = `${method} ${rel} → ${status}`;
        const isJson = /^application\/json/.test(contentType || '');
        const errorBody = (ptr) => {
            if (!isJson) return `${what}: an error answer must be JSON, got ${contentType}: ${String(text).slice(0, 200)}`;
            const v = this.validator(ptr);
            return v(json) ? null : `${what}: error body does not match the document: ${this.ajv.errorsText(v.errors)}: ${String(text).slice(0, 300)}`;
        };
        if (!tpl || !this.doc.paths[tpl][m]) {
            if (m === 'head' || m === 'options') return null;
            const expect = !tpl ? 404 : 405;
            if (status !== expect) return `${what}: ${tpl ? 'method' : 'path'} not in the document, so the answer must be ${expect}`;
            return errorBody('/components/schemas/Error');
        }
        const op = this.doc.paths[tpl][m];
        const key = op.responses[String(status)] ? String(status) : op.responses[`${String(status)[0]}XX`] ? `${String(status)[0]}XX` : op.responses.default ? 'default' : null;
        if (!key) return `${what}: status ${status} is not documented for ${method} ${tpl} (documented: ${Object.keys(op.responses).join(', ')}): ${String(text).slice(0, 300)}`;
        let resp = op.responses[key];
        let ptrBase = `/paths/${esc(tpl)}/${m}/responses/${key}`;
        if (resp.$ref) {
            // a shared answer (components/responses/…): follow the reference
            ptrBase = resp.$ref.slice(1);
            resp = ptrBase.split('/').slice(1).reduce((o, k) => o[k.replace(/~1/g, '/').replace(/~0/g, '~')], this.doc);
        }
        const content = resp.content || {};
        const types = Object.keys(content);
        if (types.length === 0) return null;
        const ct = (contentType || '').split(';')[0].trim();
        const found = types.find((t) => t.split(';')[0].trim() === ct);
        if (!found) return `${what}: content type ${contentType} is not documented (${types.join(', ')})`;
        if (!/json/.test(found)) return null;
        if (json === null && text) return `${what}: the body is not JSON: ${String(text).slice(0, 200)}`;
        const v = this.validator(`${ptrBase}/content/${esc(found)}/schema`);
        if (v(json)) return null;
        return `${what}: the body does not match the document (${tpl}): ${this.ajv.errorsText(v.errors, { separator: '; ' })}: ${String(text).slice(0, 400)}`;
    }

    /**
     * Check one event of GET /events: its type is in the document's x-events and its data (parsed
     * JSON) matches that schema. Returns null or a description.
     */
    checkEvent(type, data) {
        const events = this.doc['x-events'] || {};
        if (!events[type]) return `event type ${type} is not documented (add it to x-events in api/openapi-base.json)`;
        const v = this.validator(`/x-events/${esc(type)}`);
        if (v(data)) return null;
        return `event ${type}: data does not match the document: ${this.ajv.errorsText(v.errors, { separator: '; ' })}: ${JSON.stringify(data).slice(0, 300)}`;
    }

    /** As check(), throwing an Error instead of returning the description. */
    assert(method, url, status, contentType, json, text) {
        const bad = this.check(method, url, status, contentType, json, text);
        if (bad) throw new Error(`API contract: ${bad}`);
    }
}

const byUrl = new Map();

/** The Contract of the server at srvUrl (its served document, fetched once). */
export async function contractOf(srvUrl) {
    let c = byUrl.get(srvUrl);
    if (!c) {
        const r = await fetch(srvUrl + BASE + '/openapi.json');
        if (r.status !== 200) throw new Error(`GET /openapi.json: ${r.status}`);
        c = new Contract(await r.json());
        byUrl.set(srvUrl, c);
    }
    return c;
}
