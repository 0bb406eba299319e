// Job types: the tenant's queued and running jobs of each known type, and the p50 and p95 durations of the last
// hour over all tenants (GET /v1/job-types), every five seconds.
import { api } from './api.js';
import { duration, fill, h, loop, problemBox } from './dom.js';

const REFRESH_MS = 5000;

export function types(main) {
  const rows = h('tbody', { id: 'type-rows' });
  const error = h('div');
  fill(main, h('h1', {}, 'Job types'), error,
    h('table', { id: 'types-table' }, h('thead', {}, h('tr', {},
      h('th', {}, 'type'), h('th', { class: 'num' }, 'queued'), h('th', { class: 'num' }, 'running'),
      h('th', { class: 'num' }, 'p50'), h('th', { class: 'num' }, 'p95'))), rows),
    h('p', { class: 'muted' }, 'Durations are of attempts that succeeded in the last hour, over all tenants.'));
  return loop(async () => {
    try {
      const { body } = await api('/job-types');
      fill(error);
      fill(rows, body.items.map((t) => h('tr', { 'data-type': t.type },
        h('td', {}, h('a', { href: `#/jobs?type=${encodeURIComponent(t.type)}` }, t.type)),
        h('td', { class: 'num' }, t.queued), h('td', { class: 'num' }, t.running),
        h('td', { class: 'num p50' }, duration(t.durationMs.p50)),
        h('td', { class: 'num p95' }, duration(t.durationMs.p95)))));
    } catch (e) {
      fill(error, problemBox(e));
      throw e;
    }
    return REFRESH_MS;
  }, REFRESH_MS);
}
