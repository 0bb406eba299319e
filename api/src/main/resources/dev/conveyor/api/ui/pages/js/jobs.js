// Jobs: the list with GET /v1/jobs's own filters (status, type, schedule) and keyset pages (nextCursor). Visible
// rows that are not terminal are read again with one GET /v1/jobs?ids=... at a time, when the server's
// Poll-After-Ms says; the first page is also read again now and then, so new jobs appear at its top.
import { api, pollAfter } from './api.js';
import { TERMINAL, duration, fill, h, loop, problemBox, progressBar, statusBadge, time } from './dom.js';

const PAGE = 25;
const ROW_FIELDS = 'id,type,status,progress,attempts,maxAttempts,createdAt,startedAt,finishedAt,schedule';
const FIRST_PAGE_REFRESH_MS = 5000;
const STATUSES = ['queued', 'running', 'succeeded', 'failed', 'cancelled'];

export function jobs(main, params) {
  const filters = { status: params.get('status') || '', type: params.get('type') || '',
    schedule: params.get('schedule') || '' };
  const status = h('select', { id: 'filter-status', name: 'status' }, h('option', { value: '' }, 'any status'),
    h('option', { value: 'queued,running' }, 'queued or running'),
    STATUSES.map((s) => h('option', { value: s }, s)));
  status.value = filters.status;
  const type = h('select', { id: 'filter-type', name: 'type' }, h('option', { value: '' }, 'any type'));
  if (filters.type) type.append(h('option', { value: filters.type }, filters.type));
  type.value = filters.type;
  const schedule = h('input', { id: 'filter-schedule', name: 'schedule', placeholder: 'schedule name',
    value: filters.schedule });
  const form = h('form', { id: 'job-filters', class: 'filters' }, status, type, schedule,
    h('button', { type: 'submit' }, 'Apply'), h('button', { type: 'button', id: 'filter-clear', onclick: () => {
      location.hash = '#/jobs';
    } }, 'Clear'));
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const query = new URLSearchParams();
    if (status.value) query.set('status', status.value);
    if (type.value) query.set('type', type.value);
    if (schedule.value.trim()) query.set('schedule', schedule.value.trim());
    location.hash = `#/jobs${query.toString() ? `?${query}` : ''}`;
  });
  status.addEventListener('change', () => form.requestSubmit());
  type.addEventListener('change', () => form.requestSubmit());

  const rows = h('tbody', { id: 'job-rows' });
  const error = h('div', { id: 'jobs-error' });
  const newer = h('button', { type: 'button', id: 'page-newer', disabled: true }, '← Newer');
  const older = h('button', { type: 'button', id: 'page-older', disabled: true }, 'Older →');
  const pageInfo = h('span', { class: 'muted', id: 'page-info' });
  fill(main, h('h1', {}, 'Jobs'), form, error,
    h('table', { id: 'jobs-table' }, h('thead', {}, h('tr', {},
      ['id', 'type', 'status', 'progress', 'attempts', 'created', 'took'].map((c) => h('th', {}, c)))), rows),
    h('div', { class: 'pager' }, newer, pageInfo, older));

  // Types for the filter: those the workers run, plus any in the address.
  api('/job-types').then(({ body }) => {
    for (const t of body.items) {
      if (t.type !== filters.type) type.append(h('option', { value: t.type }, t.type));
    }
  }).catch(() => {});

  const cursors = [null];
  let nextCursor = null;
  let shown = new Map();
  let loadedAt = 0;

  async function load() {
    const query = new URLSearchParams({ limit: PAGE, fields: ROW_FIELDS });
    for (const [name, value] of Object.entries(filters)) if (value) query.set(name, value);
    const cursor = cursors[cursors.length - 1];
    if (cursor) query.set('cursor', cursor);
    try {
      const { body } = await api(`/jobs?${query}`);
      fill(error);
      nextCursor = body.nextCursor;
      shown = new Map(body.items.map((j) => [j.id, j]));
      fill(rows, body.items.length === 0
        ? h('tr', {}, h('td', { colspan: 7, class: 'muted' }, 'No jobs match.'))
        : body.items.map(row));
      newer.disabled = cursors.length === 1;
      older.disabled = !nextCursor;
      pageInfo.textContent = `page ${cursors.length}`;
      loadedAt = Date.now();
    } catch (e) {
      fill(error, problemBox(e));
      throw e;
    }
  }

  newer.addEventListener('click', () => {
    cursors.pop();
    load();
  });
  older.addEventListener('click', () => {
    cursors.push(nextCursor);
    load();
  });

  const stop = loop(async () => {
    const firstPage = cursors.length === 1;
    if (loadedAt === 0 || (firstPage && Date.now() - loadedAt >= FIRST_PAGE_REFRESH_MS)) {
      await load();
    }
    const live = [...shown.values()].filter((j) => !TERMINAL.has(j.status)).map((j) => j.id);
    if (live.length === 0) return firstPage ? FIRST_PAGE_REFRESH_MS : 10_000;
    const response = await api(`/jobs?ids=${live.join(',')}&fields=${ROW_FIELDS}`);
    for (const updated of response.body.items) {
      const old = rows.querySelector(`tr[data-id="${CSS.escape(updated.id)}"]`);
      if (old && shown.has(updated.id)) {
        shown.set(updated.id, updated);
        old.replaceWith(row(updated));
      }
    }
    return pollAfter(response, 2000, 250, firstPage ? FIRST_PAGE_REFRESH_MS : 10_000);
  });
  return stop;
}

function row(job) {
  const took = job.startedAt && job.finishedAt ? Date.parse(job.finishedAt) - Date.parse(job.startedAt) : null;
  return h('tr', { 'data-id': job.id, 'data-status': job.status },
    h('td', { class: 'id' }, h('a', { href: `#/jobs/${encodeURIComponent(job.id)}`, title: job.id }, job.id)),
    h('td', { class: 'type' }, job.type, job.schedule ? h('span', { class: 'muted' }, ` · ${job.schedule}`) : null),
    h('td', { class: 'status' }, statusBadge(job.status)),
    h('td', {}, progressBar(job.progress, job.status)),
    h('td', { class: 'num' }, `${job.attempts}/${job.maxAttempts}`),
    h('td', {}, time(job.createdAt)),
    h('td', { class: 'num' }, duration(took)));
}
