// SPDX-License-Identifier: MIT
// report_csv.mjs — what the report tests share: a small hall whose server may make PDFs under ASan
// (cairo and fontconfig keep caches for the life of the process: suppressed), the manager's
// authorization header, and the CSV report read back: an RFC 4180 parser and the sections
// ("# title", a note row, a header row, the rows up to the blank line).
import assert from 'node:assert/strict';
import { hall, SANITIZE } from './server.mjs';
import { getBytes, sanitizerEnv } from './media_helpers.mjs';

/** A hall for report tests (lib/server.mjs hall()), with the manager's header: {srv, tokens, auth}. */
export async function reportHall(after) {
    const { srv, tokens } = await hall(after, { env: SANITIZE ? sanitizerEnv() : {} });
    return { srv, tokens, auth: { authorization: `Bearer ${tokens.manager1}` } };
}

/** RFC 4180 parser: rows of fields (quotes, doubled quotes, CRLF; a last line without newline). */
export function parseCsv(text) {
    const rows = [];
    let row = [];
    let f = '';
    let q = false;
    for (let i = 0; i < text.length; i++) {
        const c = text[i];
        if (q) {
            if (c === '"' && text[i + 1] === '"') {
                f += '"';
                i++;
            } else if (c === '"') q = false;
            else f += c;
        } else if (c === '"') q = true;
        else if (c === ',') {
            row.push(f);
            f = '';
        } else if (c === '\r') continue;
        else if (c === '\n') {
            row.push(f);
            rows.push(row);
            row = [];
            f = '';
        } else f += c;
    }
    if (f || row.length) {
        row.push(f);
        rows.push(row);
    }
    return rows;
}

/** The section "# title…" of a report with a note row: {note, header, rows}, or null when absent. */
export function section(rows, title) {
    const i = rows.findIndex((r) => r[0].startsWith('# ' + title));
    if (i < 0) return null;
    const out = [];
    for (let k = i + 3; k < rows.length && rows[k].join('') !== ''; k++) out.push(rows[k]);
    return { note: rows[i + 1][0], header: rows[i + 2], rows: out };
}

/** GET /reports/day.csv (query: '?from=…' or '') parsed, the byte order mark dropped. */
export async function dayCsv(srv, auth, query = '') {
    const r = await getBytes(srv, `/reports/day.csv${query}`, auth);
    assert.equal(r.status, 200);
    return parseCsv(r.body.subarray(3).toString('utf8'));
}
