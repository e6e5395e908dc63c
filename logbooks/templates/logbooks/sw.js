/* WPL service worker (served at /sw.js, scope "/"): the logbook opens without a connection.
   Pages: network first, the last copy from the cache when offline. Static files: cache first.
   Writes are never cached or replayed here; the page's offline queue (IndexedDB) sends them. */
"use strict";
var CACHE = "wpl-{{ version }}";
var SHELL = ["/logbook/", "/static/css/wpl.css", "/static/vendor/idb-keyval.umd.js", "/static/logbooks/logbook.js"];

self.addEventListener("install", function (event) {
  event.waitUntil(
    caches.open(CACHE).then(function (cache) {
      return Promise.all(SHELL.map(function (url) { return cache.add(url).catch(function () {}); }));
    }).then(function () { return self.skipWaiting(); })
  );
});

self.addEventListener("activate", function (event) {
  event.waitUntil(
    caches.keys().then(function (keys) {
      return Promise.all(keys.filter(function (k) { return k !== CACHE; }).map(function (k) { return caches.delete(k); }));
    }).then(function () { return self.clients.claim(); })
  );
});

// Sign-out (static/js/signout.js, also on the sign-in page): every cached page goes, so
// the next person on a shared phone never sees the previous one's logbook offline.
// The offline queue (IndexedDB) is not touched here; see signout.js.
self.addEventListener("message", function (event) {
  if (!event.data || event.data.type !== "signout") return;
  var reply = event.ports && event.ports[0];
  event.waitUntil(
    caches.keys().then(function (keys) {
      return Promise.all(keys.map(function (k) { return caches.delete(k); }));
    }).then(function () { if (reply) reply.postMessage("cleared"); })
  );
});

self.addEventListener("fetch", function (event) {
  var request = event.request;
  if (request.method !== "GET") return;
  var url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  if (url.pathname.indexOf("/static/") === 0) {
    event.respondWith(
      caches.match(request).then(function (hit) {
        return hit || fetch(request).then(function (response) {
          if (response.ok) {
            var copy = response.clone();
            caches.open(CACHE).then(function (cache) { cache.put(request, copy); });
          }
          return response;
        });
      })
    );
    return;
  }
  if (request.mode === "navigate" && url.pathname.indexOf("/logbook") === 0) {
    event.respondWith(
      fetch(request).then(function (response) {
        if (response.ok && !response.redirected) {
          var copy = response.clone();
          caches.open(CACHE).then(function (cache) { cache.put(url.pathname, copy); });
        }
        return response;
      }).catch(function () {
        return caches.match(url.pathname).then(function (hit) {
          return hit || caches.match("/logbook/");
        });
      })
    );
  }
});
