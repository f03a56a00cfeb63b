// The workspace's service worker: the app's files from the cache, pages from the network
// when there is signal (each kept as it arrives) and from the cache without it.
'use strict';

const CACHE = 'ocop-workspace-v2';
const SHELL = ['/static/app.css', '/static/app.js', '/static/icon.svg', '/static/icon-192.png',
  '/offline', '/app.webmanifest'];

self.addEventListener('install', event => {
  event.waitUntil(caches.open(CACHE).then(cache => cache.addAll(SHELL)).then(() => self.skipWaiting()));
});

self.addEventListener('activate', event => {
  event.waitUntil(caches.keys()
    .then(keys => Promise.all(keys.filter(k => k !== CACHE).map(k => caches.delete(k))))
    .then(() => self.clients.claim()));
});

async function fromCacheFirst(request) {
  const hit = await caches.match(request);
  if (hit) return hit;
  const answer = await fetch(request);
  if (answer.ok) (await caches.open(CACHE)).put(request, answer.clone());
  return answer;
}

async function fromNetworkFirst(request) {
  try {
    const answer = await fetch(request);
    if (answer.ok && !answer.redirected) (await caches.open(CACHE)).put(request, answer.clone());
    return answer;
  } catch (offline) {
    const kept = await caches.match(request, {ignoreVary: true, ignoreSearch: request.mode !== 'navigate'});
    if (kept) return kept;
    if (request.mode === 'navigate') return caches.match('/offline');
    throw offline;
  }
}

self.addEventListener('fetch', event => {
  const request = event.request;
  const url = new URL(request.url);
  if (request.method !== 'GET' || url.origin !== location.origin) return;
  if (url.pathname.endsWith('.pdf') || url.pathname.startsWith('/language/')) return;
  event.respondWith(url.pathname.startsWith('/static/') ? fromCacheFirst(request)
    : fromNetworkFirst(request));
});

self.addEventListener('message', event => {
  // Pages the producer will want without signal (its products and batches), kept ahead.
  const wanted = (event.data && event.data.keep) || [];
  event.waitUntil(caches.open(CACHE).then(cache => Promise.all(wanted.slice(0, 50).map(path =>
    fetch(path, {credentials: 'same-origin'}).then(answer => answer.ok && !answer.redirected
      ? cache.put(path, answer) : null).catch(() => null)))));
});
