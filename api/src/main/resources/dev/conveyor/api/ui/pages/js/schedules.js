// Schedules: the tenant's recurring jobs, page by page (nextCursor), each paused or resumed with a PUT of the same
// schedule with "paused" flipped (API.md: PUT replaces; a resume counts ticks from then on).
import { api } from './api.js';
import { fill, h, problemBox, time } from './dom.js';

export function schedules(main) {
  const rows = h('tbody', { id: 'schedule-rows' });
  const error = h('div', { id: 'schedules-error' });
  const more = h('button', { type: 'button', id: 'schedules-more', hidden: true }, 'More');
  fill(main, h('h1', {}, 'Schedules'), error,
    h('table', { id: 'schedules-table' }, h('thead', {}, h('tr', {},
      ['name', 'cron', 'timezone', 'job type', 'state', 'next run (UTC)', 'last run (UTC)', 'last job', '']
        .map((c) => h('th', {}, c)))), rows),
    more);

  let cursor = null;
  async function load(append) {
    try {
      const { body } = await api(`/schedules${cursor ? `?cursor=${encodeURIComponent(cursor)}` : ''}`);
      fill(error);
      if (!append) fill(rows);
      if (!append && body.items.length === 0) {
        rows.append(h('tr', {}, h('td', { colspan: 9, class: 'muted' }, 'No schedules.')));
      }
      for (const schedule of body.items) rows.append(row(schedule, error));
      cursor = body.nextCursor;
      more.hidden = !cursor;
    } catch (e) {
      fill(error, problemBox(e));
    }
  }
  more.addEventListener('click', () => load(true));
  load(false);
  return () => {};
}

function row(schedule, error) {
  const toggle = h('button', { type: 'button', class: 'toggle' }, schedule.paused ? 'Resume' : 'Pause');
  const tr = h('tr', { 'data-name': schedule.name, 'data-paused': String(schedule.paused) },
    h('td', {}, h('a', { href: `#/jobs?schedule=${encodeURIComponent(schedule.name)}` }, schedule.name)),
    h('td', {}, h('code', {}, schedule.cron)),
    h('td', {}, schedule.timezone),
    h('td', {}, schedule.job && schedule.job.type),
    h('td', { class: 'state' }, h('span', { class: `badge ${schedule.paused ? 'paused' : 'active'}` },
      schedule.paused ? 'paused' : 'active')),
    h('td', {}, time(schedule.nextRunAt)),
    h('td', {}, time(schedule.lastRunAt)),
    h('td', {}, schedule.lastJobId
      ? h('a', { href: `#/jobs/${encodeURIComponent(schedule.lastJobId)}` }, schedule.lastJobId.slice(-12)) : '–'),
    h('td', {}, toggle));
  toggle.addEventListener('click', async () => {
    toggle.disabled = true;
    fill(error);
    try {
      const { body } = await api(`/schedules/${encodeURIComponent(schedule.name)}`, {
        method: 'PUT',
        body: { cron: schedule.cron, timezone: schedule.timezone, job: schedule.job, paused: !schedule.paused },
      });
      tr.replaceWith(row(body, error));
    } catch (e) {
      fill(error, problemBox(e));
      toggle.disabled = false;
    }
  });
  return tr;
}
