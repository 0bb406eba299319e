// Overview: the tenant's jobs by status and by type, and submitted and finished per second over the last hour, from
// GET /v1/stats every two seconds (the server counts at most once a second per tenant anyway).
import uPlot from '../vendor/uplot/uPlot.esm.js';
import { api } from './api.js';
import { fill, h, loop, problemBox } from './dom.js';

const STATUSES = ['queued', 'running', 'succeeded', 'failed', 'cancelled'];
const REFRESH_MS = 2000;

export function overview(main) {
  const cards = h('section', { class: 'cards', id: 'status-counts' });
  const chartBox = h('div', { class: 'chart', id: 'throughput-chart' });
  const typesBody = h('tbody');
  const error = h('div');
  const asOf = h('span', { class: 'muted', id: 'stats-as-of' });
  fill(main,
    h('h1', {}, 'Overview ', asOf),
    error,
    cards,
    h('section', { class: 'card' }, h('h2', {}, 'Throughput, last hour (jobs per second)'), chartBox),
    h('section', { class: 'card' }, h('h2', {}, 'Jobs by type'),
      h('table', { id: 'type-counts' },
        h('thead', {}, h('tr', {}, h('th', {}, 'type'), h('th', { class: 'num' }, 'total'),
          STATUSES.map((s) => h('th', { class: 'num' }, s)))),
        typesBody)));

  let chart = null;
  const resize = () => chart && chart.setSize({ width: chartBox.clientWidth, height: 260 });
  window.addEventListener('resize', resize);

  const stop = loop(async () => {
    try {
      const { body } = await api('/stats');
      fill(error);
      asOf.textContent = `as of ${body.asOf.replace('T', ' ').replace(/\.\d+Z$/, ' UTC')}`;
      renderCards(cards, body.byStatus);
      renderTypes(typesBody, body.byType);
      const data = series(body.throughput);
      if (chart) {
        chart.setData(data);
      } else {
        chart = new uPlot(chartOptions(chartBox.clientWidth), data, chartBox);
      }
    } catch (e) {
      fill(error, problemBox(e));
      throw e;
    }
    return REFRESH_MS;
  }, REFRESH_MS);

  return () => {
    stop();
    window.removeEventListener('resize', resize);
    if (chart) chart.destroy();
  };
}

function renderCards(cards, byStatus) {
  const total = STATUSES.reduce((sum, s) => sum + byStatus[s], 0);
  fill(cards,
    h('div', { class: 'card count', 'data-status': 'total' }, h('div', { class: 'value' }, total.toLocaleString('en')),
      h('div', { class: 'label' }, 'all jobs')),
    STATUSES.map((s) => h('div', { class: `card count status-${s}`, 'data-status': s },
      h('div', { class: 'value' }, byStatus[s].toLocaleString('en')), h('div', { class: 'label' }, s))));
}

function renderTypes(body, byType) {
  fill(body, byType.length === 0
    ? h('tr', {}, h('td', { colspan: STATUSES.length + 2, class: 'muted' }, 'No jobs yet.'))
    : byType.map((t) => h('tr', { 'data-type': t.type },
      h('td', {}, h('a', { href: `#/jobs?type=${encodeURIComponent(t.type)}` }, t.type)),
      h('td', { class: 'num' }, t.total.toLocaleString('en')),
      STATUSES.map((s) => h('td', { class: 'num' }, t.byStatus[s].toLocaleString('en'))))));
}

function series(throughput) {
  const start = Date.parse(throughput.start) / 1000;
  const step = throughput.intervalSeconds;
  const xs = throughput.submitted.map((_, i) => start + i * step);
  return [xs, throughput.submitted, throughput.finished];
}

function chartOptions(width) {
  return {
    width: Math.max(width, 300),
    height: 260,
    scales: { x: { time: true }, y: { range: (u, min, max) => [0, Math.max(1, max)] } },
    axes: [{}, { label: 'jobs/s' }],
    series: [
      {},
      { label: 'submitted', stroke: '#2563eb', width: 1.5 },
      { label: 'finished', stroke: '#16a34a', width: 1.5 },
    ],
  };
}
