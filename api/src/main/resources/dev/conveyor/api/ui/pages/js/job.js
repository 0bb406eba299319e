// One job: everything the representation holds, kept live by long polls (GET /v1/jobs/{id}?wait=25 with the
// ETag: the server answers as soon as the job changes, or 304 after 25 s) until the job is terminal; cancel and
// retry buttons whose refusals (problem+json) are shown as the API words them.
import { api } from './api.js';
import { TERMINAL, duration, fill, h, problemBox, progressBar, statusBadge, time } from './dom.js';

const WAIT_SECONDS = 25;

export function job(main, { id }) {
  const path = `/jobs/${encodeURIComponent(id)}`;
  const view = h('div', { id: 'job-view' });
  const actionError = h('div', { id: 'action-error' });
  const cancel = h('button', { type: 'button', id: 'job-cancel', class: 'danger' }, 'Cancel');
  const retry = h('button', { type: 'button', id: 'job-retry' }, 'Retry');
  fill(main, h('p', {}, h('a', { href: '#/jobs' }, '← Jobs')),
    h('h1', {}, 'Job ', h('code', { id: 'job-id' }, id)),
    h('div', { class: 'actions' }, cancel, retry), actionError, view);

  let controller = new AbortController();
  let etag = null;
  let stopped = false;

  function show(current, tag) {
    etag = tag;
    cancel.disabled = TERMINAL.has(current.status);
    retry.disabled = !['failed', 'cancelled'].includes(current.status);
    render(view, current);
  }

  async function follow() {
    const signal = controller.signal;
    while (!stopped && !signal.aborted) {
      try {
        const headers = etag ? { 'If-None-Match': etag } : {};
        const response = await api(`${path}${etag ? `?wait=${WAIT_SECONDS}` : ''}`, { headers, signal });
        if (response.status === 200) {
          show(response.body, response.headers.get('ETag'));
          if (TERMINAL.has(response.body.status)) return;
        }
      } catch (e) {
        if (e.name === 'AbortError') return;
        fill(view, problemBox(e));
        if (e.status === 404 || e.status === 401) return;
        await new Promise((resolve) => setTimeout(resolve, 5000));
      }
    }
  }

  async function act(action, button) {
    button.disabled = true;
    fill(actionError);
    try {
      const response = await api(`${path}/${action}`, { method: 'POST' });
      show(response.body, response.headers.get('ETag'));
    } catch (e) {
      fill(actionError, problemBox(e));
      button.disabled = false;
      return;
    }
    // The long poll in flight waits on the old ETag; start again from what the action answered.
    controller.abort();
    controller = new AbortController();
    follow();
  }

  cancel.addEventListener('click', () => act('cancel', cancel));
  retry.addEventListener('click', () => act('retry', retry));
  follow();
  return () => {
    stopped = true;
    controller.abort();
  };
}

function render(view, job) {
  const took = job.startedAt && job.finishedAt ? Date.parse(job.finishedAt) - Date.parse(job.startedAt) : null;
  fill(view,
    h('section', { class: 'card' },
      h('dl', { class: 'facts' },
        fact('status', h('span', { id: 'job-status' }, statusBadge(job.status)),
          job.cancelRequested && !TERMINAL.has(job.status) ? h('span', { class: 'muted' }, ' cancel requested') : null),
        fact('type', job.type),
        fact('priority', job.priority),
        job.schedule ? fact('schedule', h('a', { href: `#/jobs?schedule=${encodeURIComponent(job.schedule)}` },
          job.schedule)) : null,
        fact('progress', h('div', { id: 'job-progress' }, progressBar(job.progress, job.status),
          job.progress && job.progress.message ? h('span', { class: 'muted' }, ` ${job.progress.message}`) : null)),
        fact('attempts', h('span', { id: 'job-attempts' }, `${job.attempts} of ${job.maxAttempts}`)),
        fact('timeout', job.timeoutMs ? duration(job.timeoutMs) : '–'))),
    h('section', { class: 'card' }, h('h2', {}, 'Timings (UTC)'),
      h('dl', { class: 'facts' },
        fact('created', time(job.createdAt)),
        fact('run at', time(job.runAt)),
        fact('started', time(job.startedAt)),
        fact('updated', time(job.updatedAt)),
        fact('finished', time(job.finishedAt)),
        fact('took', duration(took)))),
    job.error ? h('section', { class: 'card error', id: 'job-error' }, h('h2', {}, 'Error'),
      h('p', {}, h('code', {}, job.error.code), ' ', job.error.message)) : null,
    h('section', { class: 'card' }, h('h2', {}, 'Payload'), h('pre', { id: 'job-payload' }, pretty(job.payload))),
    job.status === 'succeeded' ? h('section', { class: 'card' }, h('h2', {}, 'Result'),
      h('pre', { id: 'job-result' }, pretty(job.result))) : null,
    h('section', { class: 'card', id: 'job-callback' }, h('h2', {}, 'Callback'), callback(job)));
}

function callback(job) {
  if (!job.callbackUrl) return h('p', { class: 'muted' }, 'None asked.');
  const c = job.callback;
  return h('dl', { class: 'facts' },
    fact('url', job.callbackUrl),
    c ? [
      fact('state', h('span', { class: `badge callback-${c.state}` }, c.state)),
      fact('delivery', c.deliveryId || '–'),
      fact('attempts', c.attempts),
      fact('last answer', c.lastStatus ?? '–'),
      fact('last error', c.lastError || '–'),
      fact('delivered', time(c.deliveredAt)),
      fact('next attempt', time(c.nextAttemptAt)),
    ] : fact('state', 'owed once the job ends'));
}

function fact(name, ...value) {
  return [h('dt', {}, name), h('dd', {}, value)];
}

function pretty(value) {
  return JSON.stringify(value, null, 2);
}
