/* Signing out on a shared phone leaves nothing of the previous person readable offline.
 *
 * - The service worker's caches (the pages it keeps for offline use) are emptied when the
 *   person signs out, and again on any page shown to someone not signed in (e.g. the
 *   sign-in page after a session expired), so cached pages never outlive the session.
 *   The sign-out response also carries `Clear-Site-Data: "cache"` for the HTTP cache.
 * - The logbook's offline queue (IndexedDB "wpl-logbook") is NOT wiped blindly: it may
 *   hold entries typed offline that were never sent, and losing them is worse than
 *   keeping them. Each queued entry names its owner and its placement's sync address;
 *   only its owner's logbook page ever shows or sends it. If the queue is empty, the
 *   database is deleted; if this person still has unsent entries, they are asked first
 *   and the entries stay until they sign in again on this phone.
 */
(function () {
  "use strict";

  function clearCaches() {
    if (!("serviceWorker" in navigator) || !navigator.serviceWorker.controller) {
      return window.caches ? caches.keys().then(function (keys) {
        return Promise.all(keys.filter(function (k) { return k.indexOf("wpl-") === 0; }).map(function (k) { return caches.delete(k); }));
      }).catch(function () {}) : Promise.resolve();
    }
    return new Promise(function (resolve) {
      var channel = new MessageChannel();
      var done = setTimeout(resolve, 1500); // never block signing out
      channel.port1.onmessage = function () { clearTimeout(done); resolve(); };
      navigator.serviceWorker.controller.postMessage({ type: "signout" }, [channel.port2]);
    });
  }

  function queueState(owner) {
    // Resolves {total, mine}; never creates the database when it does not exist.
    if (!window.indexedDB || !indexedDB.databases) return Promise.resolve({ total: 0, mine: 0, unknown: true });
    return indexedDB.databases().then(function (dbs) {
      if (!dbs.some(function (d) { return d.name === "wpl-logbook"; })) return { total: 0, mine: 0 };
      return new Promise(function (resolve) {
        var open = indexedDB.open("wpl-logbook");
        open.onerror = function () { resolve({ total: 0, mine: 0, unknown: true }); };
        open.onsuccess = function () {
          var db = open.result;
          if (!db.objectStoreNames.contains("queue")) { db.close(); resolve({ total: 0, mine: 0 }); return; }
          var all = db.transaction("queue").objectStore("queue").getAll();
          all.onsuccess = function () {
            var items = all.result || [];
            db.close();
            resolve({
              total: items.length,
              mine: items.filter(function (i) { return !i.owner || String(i.owner) === String(owner); }).length,
            });
          };
          all.onerror = function () { db.close(); resolve({ total: 0, mine: 0, unknown: true }); };
        };
      });
    });
  }

  var form = document.querySelector("form[data-signout]");
  if (!form) {
    clearCaches(); // nobody is signed in on this page: no cached page may remain
    return;
  }
  form.addEventListener("submit", function (event) {
    if (form.dataset.cleared) return;
    event.preventDefault();
    queueState(form.dataset.user).then(function (state) {
      if (state.mine > 0 && !window.confirm(form.dataset.unsentWarning.replace("%(n)s", state.mine))) {
        return false;
      }
      var steps = [clearCaches()];
      if (state.total === 0 && !state.unknown && window.indexedDB) {
        steps.push(new Promise(function (resolve) {
          var del = indexedDB.deleteDatabase("wpl-logbook");
          del.onsuccess = del.onerror = del.onblocked = function () { resolve(); };
        }));
      }
      return Promise.all(steps).then(function () { return true; });
    }).catch(function () { return true; }).then(function (go) {
      if (!go) return;
      form.dataset.cleared = "1";
      form.submit();
    });
  });
})();
