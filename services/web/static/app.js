// The producer's workspace on the phone: events recorded without signal wait in IndexedDB
// (each with the id made here, so a resend is recorded once) and are sent when the signal
// returns; photos are shrunk before they leave the phone; pages are kept for offline use.
'use strict';

const DB = 'ocop-workspace', STORE = 'events', SENT_KEPT_MS = 24 * 3600 * 1000;
const csrf = () => document.querySelector('meta[name=csrf]').content;

function openDb() {
  return new Promise((resolve, reject) => {
    const request = indexedDB.open(DB, 1);
    request.onupgradeneeded = () => request.result.createObjectStore(STORE, {keyPath: 'id'});
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error);
  });
}

async function inStore(mode, act) {
  const db = await openDb();
  return new Promise((resolve, reject) => {
    const tx = db.transaction(STORE, mode);
    const request = act(tx.objectStore(STORE));
    tx.oncomplete = () => resolve(request.result);
    tx.onerror = () => reject(tx.error);
  });
}
const queued = () => inStore('readonly', s => s.getAll());
const keep = item => inStore('readwrite', s => s.put(item));
const forget = id => inStore('readwrite', s => s.delete(id));

function uuid4() {  // crypto.randomUUID needs a secure context; this does not
  const b = crypto.getRandomValues(new Uint8Array(16));
  b[6] = (b[6] & 0x0f) | 0x40; b[8] = (b[8] & 0x3f) | 0x80;
  const h = [...b].map(x => x.toString(16).padStart(2, '0')).join('');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

async function shrink(file, longest = 1600) {
  // A phone's photo is 3–12 MB; 1600 px JPEG keeps a document readable at ~300 KB.
  if (!file || !file.size || !file.type.startsWith('image/')) return file;
  try {
    const bitmap = await createImageBitmap(file);
    const scale = Math.min(1, longest / Math.max(bitmap.width, bitmap.height));
    if (scale === 1 && file.size < 500 * 1024) return file;
    const canvas = document.createElement('canvas');
    canvas.width = Math.round(bitmap.width * scale);
    canvas.height = Math.round(bitmap.height * scale);
    canvas.getContext('2d').drawImage(bitmap, 0, 0, canvas.width, canvas.height);
    return await new Promise(resolve => canvas.toBlob(b => resolve(b || file), 'image/jpeg', 0.8));
  } catch (e) { return file; }
}

function locate() {
  return new Promise(resolve => {
    if (!navigator.geolocation) return resolve(null);
    navigator.geolocation.getCurrentPosition(p => resolve(p.coords), () => resolve(null),
      {timeout: 8000, maximumAge: 60000});
  });
}

// -- the queue of origin events ----------------------------------------------------------

const list = document.getElementById('queue');

async function showQueue() {
  if (!list) return;
  const words = list.dataset;
  const items = (await queued()).filter(i => i.batch === words.batch)
    .sort((a, b) => a.created - b.created);
  list.replaceChildren(...items.map(item => {
    const li = document.createElement('li');
    li.dataset.state = item.state;
    const what = document.createElement('span');
    what.textContent = item.label;
    const state = document.createElement('span');
    state.className = `state ${item.state}`;
    state.textContent = words[item.state];
    li.append(what, state);
    if (item.message) {
      const why = document.createElement('span');
      why.className = 'field-error';
      why.setAttribute('role', 'alert');
      // Each note named by its field's label, as the form shows it.
      const notes = Object.entries(item.errors || {}).map(([name, note]) => {
        const label = document.querySelector(`label[for="${name}"]`);
        return label ? `${label.textContent.trim()}: ${note}` : note;
      });
      why.textContent = [item.message, ...notes].join(' ');
      li.append(why);
    }
    if (item.state === 'refused') {
      const remove = document.createElement('button');
      remove.type = 'button';
      remove.textContent = words.remove;
      remove.addEventListener('click', async () => { await forget(item.id); showQueue(); });
      li.append(remove);
    }
    return li;
  }));
}

let sending = false, retry = null;
const retrySoon = () => { if (!retry) retry = setTimeout(() => { retry = null; send(); }, 3000); };

async function send() {
  if (sending || !navigator.onLine) return;
  sending = true;
  let recorded = 0;
  try {
    for (const item of await queued()) {
      if (item.state === 'sent' && Date.now() - item.created > SENT_KEPT_MS) await forget(item.id);
      if (item.state !== 'waiting') continue;
      const body = new FormData();
      for (const [name, value] of Object.entries(item.fields)) body.append(name, value);
      if (item.photo) body.append('photo', item.photo, 'photo.jpg');
      let answer;
      try {
        answer = await fetch(item.action, {method: 'POST', body, credentials: 'same-origin',
          headers: {'Accept': 'application/json', 'X-CSRF-Token': csrf()}});
      } catch (e) { retrySoon(); break; }  // no signal after all (or not yet): again soon
      const said = await answer.json().catch(() => ({}));
      if (answer.ok) {
        Object.assign(item, {state: 'sent', message: '', errors: {}});
        recorded += 1;
      } else if (answer.status === 401 || answer.status === 403 || answer.status >= 500) {
        item.message = said.message || '';  // kept: sent again once signed in / back up
        await keep(item);
        if (answer.status >= 500) retrySoon();
        break;
      } else {
        Object.assign(item, {state: 'refused', message: said.message || '', errors: said.fields || {}});
      }
      await keep(item);
    }
  } finally {
    sending = false;
    await showQueue();
  }
  if (recorded) await refresh('#journey', '#records');
}

async function refresh(...selectors) {
  // The page's own copy of its sections, fresh from the server (and so kept for offline).
  try {
    const page = await fetch(location.pathname, {credentials: 'same-origin'});
    const fresh = new DOMParser().parseFromString(await page.text(), 'text/html');
    for (const selector of selectors) {
      const old = document.querySelector(selector), now = fresh.querySelector(selector);
      if (old && now) old.replaceWith(now);
    }
  } catch (e) { /* offline again: the page stays as it is */ }
}

function stepFields(form) {
  const step = form.querySelector('[name=step]');
  const show = () => form.querySelectorAll('[data-steps]').forEach(group => {
    group.hidden = !group.dataset.steps.split(' ').includes(step.value);
  });
  step.addEventListener('change', show);
  show();
}

function shownTime(local) {
  // The form's 2026-05-01T07:30 as people in Việt Nam write it: 01/05/2026 07:30.
  const [day, time] = String(local).split('T');
  const [year, month, date] = day.split('-');
  return date ? `${date}/${month}/${year} ${time || ''}`.trim() : String(local);
}

function nowLocal() {
  const d = new Date();
  d.setMinutes(d.getMinutes() - d.getTimezoneOffset());
  return d.toISOString().slice(0, 16);
}

document.querySelectorAll('form[data-queue]').forEach(form => {
  stepFields(form);
  form.addEventListener('submit', async event => {
    event.preventDefault();
    const data = new FormData(form);
    const step = form.querySelector('[name=step]');
    const label = `${step.options[step.selectedIndex].text} · ${shownTime(data.get('happened_at'))}`;
    // The form is ready for the next event at once; this one is on its way to the queue.
    form.reset();
    form.querySelector('[name=event_id]').value = uuid4();
    form.querySelector('[name=happened_at]').value = nowLocal();
    step.dispatchEvent(new Event('change'));
    if (data.get('use_location')) {
      const at = await locate();
      if (at) { data.set('latitude', at.latitude.toFixed(6)); data.set('longitude', at.longitude.toFixed(6)); }
    }
    const photo = await shrink(data.get('photo'));
    const fields = {};
    for (const [name, value] of data) if (typeof value === 'string' && name !== 'csrf') fields[name] = value;
    await keep({id: fields.event_id, batch: list.dataset.batch, action: form.action, fields,
      photo: photo && photo.size ? photo : null, state: 'waiting', created: Date.now(), label});
    await showQueue();
    send();
  });
});

// -- a correction: sent at once, so only with signal (the page says so) -------------------

document.querySelectorAll('form[data-online]').forEach(form => {
  stepFields(form);
  const button = form.querySelector('button[type=submit]');
  // Without signal the banner says what the page says: this form waits, nothing is queued.
  const note = document.getElementById(form.getAttribute('aria-describedby'));
  const net = document.getElementById('net');
  if (note && net) net.textContent = note.textContent;
  const signal = () => { button.disabled = !navigator.onLine; };
  addEventListener('online', signal);
  addEventListener('offline', signal);
  signal();
  form.addEventListener('submit', async event => {
    if (!form.querySelector('[name=use_location]').checked || form.dataset.located) return;
    event.preventDefault();  // the phone's position first, then the form as it is
    const at = await locate();
    if (at) {
      form.querySelector('[name=latitude]').value = at.latitude.toFixed(6);
      form.querySelector('[name=longitude]').value = at.longitude.toFixed(6);
    }
    form.dataset.located = '1';
    form.requestSubmit();
  });
});

// -- uploads (dossier documents): shrunk, then sent; a refusal shows beside the field -----

document.querySelectorAll('form[data-upload]').forEach(form => {
  form.addEventListener('submit', async event => {
    event.preventDefault();
    const data = new FormData(form);
    const file = await shrink(data.get('file'));
    data.set('file', file, file.name || 'photo.jpg');
    const error = form.querySelector('[data-error]');
    try {
      const answer = await fetch(form.action, {method: 'POST', body: data, credentials: 'same-origin',
        headers: {'Accept': 'application/json', 'X-CSRF-Token': csrf()}});
      if (answer.ok) {  // the same address again (a second upload) only moves to its #: reload
        const next = `${location.pathname}?done=uploaded_document#checklist`;
        if (location.pathname + location.search + location.hash === next) location.reload();
        else location.assign(next);
        return;
      }
      const said = await answer.json().catch(() => ({}));
      error.textContent = said.message || answer.statusText;
    } catch (e) {
      error.textContent = document.getElementById('net').textContent;
    }
    error.hidden = false;
  });
});

// -- label sheets: the list follows each sheet's drawing until its PDF is ready ----------

async function followSheets() {
  const sheets = document.querySelector('[data-sheets][data-follow]');
  if (!sheets) return;  // none is being drawn
  try {
    const answer = await fetch(sheets.dataset.follow, {credentials: 'same-origin'});
    if (answer.status === 401) return;  // signed out: the next page says so
    if (answer.ok) {
      const page = new DOMParser().parseFromString(await answer.text(), 'text/html');
      const fresh = page.querySelector('[data-sheets]');
      if (fresh) sheets.replaceWith(fresh);
    }
  } catch (e) { /* no signal: asked again in a moment */ }
  setTimeout(followSheets, 1500);
}

// -- the signal, the service worker, pages kept for offline --------------------------------

const banner = document.getElementById('net');
const signal = () => { banner.hidden = navigator.onLine; if (navigator.onLine) send(); };
addEventListener('online', signal);
addEventListener('offline', signal);
signal();
showQueue();
followSheets();
setInterval(send, 30000);

document.querySelectorAll('form[data-sign-out]').forEach(form => form.addEventListener('submit', () => {
  if ('caches' in window) caches.keys().then(keys => keys.forEach(k => caches.delete(k)));
}));

if ('serviceWorker' in navigator) {
  navigator.serviceWorker.register('/sw.js').then(() => navigator.serviceWorker.ready).then(ready => {
    const links = [...document.querySelectorAll('a[data-keep]')].map(a => a.pathname);
    if (links.length && ready.active) ready.active.postMessage({keep: links});
  }).catch(() => {});
}
