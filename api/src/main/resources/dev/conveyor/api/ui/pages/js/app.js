// The dashboard's shell: sign-in, sign-out and the views, one per hash route (#/, #/jobs, #/jobs/<id>,
// #/schedules, #/types). A view is mount(container, params) returning the function that stops its refreshes.
import { api, session } from './api.js';
import { fill, h, problemBox } from './dom.js';
import { overview } from './overview.js';
import { jobs } from './jobs.js';
import { job } from './job.js';
import { schedules } from './schedules.js';
import { types } from './types.js';

const main = document.getElementById('main');
const nav = document.getElementById('nav');
const signOutButton = document.getElementById('sign-out');
let stopView = () => {};

function route() {
  const [path, query = ''] = location.hash.replace(/^#/, '').split('?');
  const params = new URLSearchParams(query);
  const parts = path.split('/').filter(Boolean);
  if (parts[0] === 'jobs' && parts[1]) return { name: 'jobs', view: job, params: { id: decodeURIComponent(parts[1]) } };
  const views = { jobs, schedules, types };
  const name = views[parts[0]] ? parts[0] : 'overview';
  return { name, view: views[parts[0]] || overview, params };
}

function show() {
  stopView();
  stopView = () => {};
  if (!session.key()) {
    signIn();
    return;
  }
  nav.hidden = false;
  signOutButton.hidden = false;
  const { name, view, params } = route();
  for (const link of nav.querySelectorAll('a')) link.classList.toggle('active', link.dataset.view === name);
  fill(main);
  stopView = view(main, params) || (() => {});
}

function signIn(reason) {
  nav.hidden = true;
  signOutButton.hidden = true;
  const input = h('input', { id: 'api-key', type: 'password', autocomplete: 'off', required: true,
    placeholder: 'API key' });
  const message = h('div', { id: 'sign-in-message' }, reason ? problemBox(reason) : null);
  const form = h('form', { id: 'sign-in', class: 'card sign-in' },
    h('h1', {}, 'Sign in'),
    h('p', { class: 'muted' }, 'With an API key: you see what its tenant sees. The key stays in this tab only.'),
    h('label', { for: 'api-key' }, 'API key'), input,
    h('button', { type: 'submit', class: 'primary' }, 'Sign in'), message);
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const key = input.value.trim();
    try {
      // Any authenticated read tells a good key from a bad one.
      await api('/job-types', { key });
      session.signIn(key);
      show();
    } catch (e) {
      fill(message, problemBox(e));
    }
  });
  fill(main, form);
  input.focus();
}

signOutButton.addEventListener('click', () => {
  session.signOut();
  show();
});

window.addEventListener('conveyor:unauthorized', (event) => {
  session.signOut();
  stopView();
  stopView = () => {};
  signIn(event.detail);
});
window.addEventListener('hashchange', show);
show();
