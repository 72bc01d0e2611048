// SPDX-License-Identifier: MIT
// events.js — the live stream (GET /api/v1/events, Server-Sent Events) for pages that run for weeks.
// Keeps the id of the last event it handled; on any error it closes the EventSource and opens a new
// one after a backoff (1 s doubling to 30 s, with jitter, forever) with ?last_event_id=N, so events
// published while it was away (even across a server restart) are replayed in order. Events are
// handed on only once each (ids strictly increase). Nothing here grows without bound.

export const EVENT_TYPES = [
  'ticket.issued', 'ticket.called', 'ticket.recalled', 'ticket.started', 'ticket.finished',
  'ticket.no_show', 'ticket.cancelled', 'ticket.transferred', 'ticket.requeued', 'ticket.expired',
  'window.opened', 'window.paused', 'window.resumed', 'window.closed', 'notice.posted',
  'notice.cleared', 'evaluation.recorded', 'complaint.received', 'alert.crowding',
  // hallq's own (docs/API.md, "Beyond the contract")
  'hall.suspended', 'hall.resumed', 'device.alert', 'plan.holidays',
  'ops.alert', 'ops.incident', 'ops.changed', // operations records (docs/OPERATIONS.md)
  'help.requested', 'help.acknowledged', 'help.closed', // issue 18 (js/help.js, js/guide_help.js)
  'case.opened', 'case.updated', 'alert.case_overdue', // the 好差评 cases (docs/EVALUATION.md)
];

// connect({onEvent(type, data, id), onState('open'|'closed'), onReconnect(), lastId})
// Returns {close(), lastId()}.
export function connect({ onEvent, onState, onReconnect, lastId = null, url = '/api/v1/events' } = {}) {
  let es = null;
  let last = lastId == null ? null : Number(lastId);
  let delay = 1000;
  let timer = null;
  let stopped = false;
  let openedAt = 0;
  let everOpened = false;

  const handle = (ev) => {
    const id = ev.lastEventId ? Number(ev.lastEventId) : null;
    if (id != null && Number.isFinite(id)) {
      if (last != null && id <= last) return; // already handled (replay overlap)
      last = id;
    }
    let data = null;
    try {
      data = ev.data ? JSON.parse(ev.data) : null;
    } catch {
      data = { raw: ev.data };
    }
    delay = 1000;
    try {
      onEvent?.(ev.type, data, id);
    } catch (e) {
      console.error('event handler', e);
    }
  };

  const open = () => {
    timer = null;
    if (stopped) return;
    const u = last != null ? `${url}?last_event_id=${encodeURIComponent(last)}` : url;
    es = new EventSource(u);
    if (window.__hq) window.__hq.stream = u; // for tests and support: the stream last opened
    es.onopen = () => {
      openedAt = Date.now();
      onState?.('open');
      if (everOpened) onReconnect?.();
      everOpened = true;
    };
    es.onmessage = handle;
    for (const type of EVENT_TYPES) es.addEventListener(type, handle);
    es.onerror = () => {
      // Take over from the browser's own retry: ours resumes with our id and backs off.
      es.close();
      es = null;
      onState?.('closed');
      if (stopped) return;
      if (openedAt && Date.now() - openedAt > 30000) delay = 1000;
      openedAt = 0;
      const wait = delay * (0.8 + Math.random() * 0.4);
      delay = Math.min(delay * 2, 30000);
      timer = setTimeout(open, wait);
    };
  };

  open();
  return {
    close() {
      stopped = true;
      if (timer) clearTimeout(timer);
      es?.close();
    },
    lastId: () => last,
  };
}
