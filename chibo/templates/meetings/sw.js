/* chibo service worker: keeps the meeting pages a secretary opened, so they reload without a
   connection; the typed changes themselves live in localStorage (offline.js) until sent.
   Pages: network first, the stored copy when the network fails. Static files: the HTTP cache
   (hashed names, long lifetime) first through fetch, a stored copy when offline. */
const PAGES = "chibo-pages-v1";
const STATIC = "chibo-static-v1";
const MEETING_PAGE = /^\/meetings\/\d+\/(hold\/)?$/;

self.addEventListener("install", () => self.skipWaiting());
self.addEventListener("activate", (event) => event.waitUntil(self.clients.claim()));

function networkThenCache(request, cacheName, lookup) {
  return fetch(request)
    .then((response) => {
      if (response.ok && !response.redirected && response.type === "basic") {
        const copy = response.clone();
        caches.open(cacheName).then((cache) => cache.put(lookup || request, copy));
      }
      return response;
    })
    .catch(() =>
      caches.open(cacheName).then((cache) =>
        cache.match(lookup || request, { ignoreSearch: true }).then(
          (hit) =>
            hit ||
            new Response(
              "<!doctype html><meta charset=utf-8><meta name=viewport content='width=device-width'>" +
                "<h1>{{ offline_title|escapejs }}</h1><p>{{ offline_text|escapejs }}</p>",
              { status: 503, headers: { "Content-Type": "text/html; charset=utf-8" } },
            ),
        ),
      ),
    );
}

self.addEventListener("fetch", (event) => {
  const request = event.request;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  if (request.method !== "GET") {
    // The meeting pages' changes: passed straight on, but through the worker, so that one
    // network path (the worker's) carries everything the controlled pages send.
    if (url.pathname.startsWith("/meetings/")) event.respondWith(fetch(request));
    return;
  }
  if (url.pathname.startsWith("{{ static_prefix|escapejs }}")) {
    event.respondWith(networkThenCache(request, STATIC));
  } else if (request.mode === "navigate" && MEETING_PAGE.test(url.pathname)) {
    event.respondWith(networkThenCache(request, PAGES, url.pathname));
  }
});
