// Every value reaches the page as text (text nodes, attributes set one by one), never as markup: a payload that
// holds "<script>" is shown, not run.

/** An element with attributes, listeners (onclick: fn) and children (nodes, or anything else as text). */
export function h(tag, props = {}, ...children) {
  const el = document.createElement(tag);
  for (const [name, value] of Object.entries(props)) {
    if (value === null || value === undefined || value === false) continue;
    if (name === 'class') el.className = value;
    else if (name.startsWith('on')) el.addEventListener(name.slice(2), value);
    else el.setAttribute(name, value === true ? '' : String(value));
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const child of children.flat(Infinity)) {
    if (child === null || child === undefined || child === false) continue;
    el.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
}

/** Replaces an element's children. */
export function fill(el, ...children) {
  el.replaceChildren();
  append(el, children);
  return el;
}

/** An API time (RFC 3339 UTC) as "YYYY-MM-DD HH:MM:SS", or a dash. */
export function time(value) {
  return value ? value.replace('T', ' ').replace(/\.\d+Z$/, '').replace(/Z$/, '') : '–';
}

/** Milliseconds, readably. */
export function duration(ms) {
  if (ms === null || ms === undefined) return '–';
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  return `${Math.floor(ms / 60_000)} min ${Math.round((ms % 60_000) / 1000)} s`;
}

export const TERMINAL = new Set(['succeeded', 'failed', 'cancelled']);

export function statusBadge(status) {
  return h('span', { class: `badge status-${status}` }, status);
}

/** A progress bar with its percentage, for a job's progress (or none). */
export function progressBar(progress, status) {
  const percent = status === 'succeeded' ? 100 : (progress && progress.percent) || 0;
  const bar = h('div', { class: 'bar', role: 'progressbar', 'aria-valuemin': 0, 'aria-valuemax': 100,
    'aria-valuenow': percent }, h('div', { class: 'fill' }));
  bar.firstChild.style.width = `${percent}%`;
  return h('div', { class: `progress status-${status}` }, bar, h('span', { class: 'percent' }, `${percent}%`));
}

/** An API error as the page shows it: status and title, the detail, each listed problem, and the problem type. */
export function problemBox(error) {
  const problem = error.problem || { title: 'Error', detail: error.message };
  const heading = error.status ? `${error.status} ${problem.title || ''}` : problem.title || 'Error';
  const listed = Array.isArray(problem.errors)
    ? h('ul', {}, problem.errors.map((e) => h('li', {}, typeof e === 'string' ? e : JSON.stringify(e))))
    : null;
  return h('div', { class: 'problem', role: 'alert' }, h('strong', {}, heading),
    problem.detail ? h('p', {}, problem.detail) : null, listed,
    problem.type ? h('code', {}, problem.type) : null);
}

/**
 * Runs step() now, then again after the delay (ms) it resolves to, until the returned stop() is called. While the
 * tab is hidden it only waits, so a forgotten tab costs the API nothing.
 */
export function loop(step, idleMs = 2000) {
  let timer;
  let stopped = false;
  const run = async () => {
    let next = idleMs;
    if (!document.hidden) {
      try {
        next = (await step()) ?? idleMs;
      } catch (e) {
        if (e.name === 'AbortError') return;
        next = Math.max(idleMs, 5000);
      }
    }
    if (!stopped) timer = setTimeout(run, next);
  };
  run();
  return () => {
    stopped = true;
    clearTimeout(timer);
  };
}
