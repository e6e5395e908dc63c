/* The student's logbook on a phone: keeps working offline.
 *
 * Every save gets a client-generated UUID (the form's client_key). Online, the form posts
 * normally. Offline (or when the network fails), the entry is stored on the phone in
 * IndexedDB (idb-keyval) and sent to the JSON sync endpoint when the connection returns;
 * the server answers a replayed key with the entry it already stored, so each entry is
 * saved exactly once. A refused entry comes back with the reason and its text is kept on
 * the phone until the student puts it back in the form.
 */
(function () {
  "use strict";
  var T = window.WPL_LOGBOOK || {};
  var form = document.getElementById("entry-form");
  if (!form) return;
  var status = document.getElementById("offline-status");
  var rejectedBox = document.getElementById("rejected-list");
  var syncUrl = form.dataset.syncUrl;
  // Queued entries carry their owner and their own sync address: on a shared phone the next
  // person's page never shows or sends them (see static/js/signout.js).
  var owner = form.dataset.user || "";
  var kv = window.idbKeyval;
  var store = kv ? kv.createStore("wpl-logbook", "queue") : null;

  function uuid() {
    if (window.crypto && crypto.randomUUID) return crypto.randomUUID();
    return "10000000-1000-4000-8000-100000000000".replace(/[018]/g, function (c) {
      return (c ^ (crypto.getRandomValues(new Uint8Array(1))[0] & (15 >> (c / 4)))).toString(16);
    });
  }

  function freshKey() {
    var field = form.querySelector("[name=client_key]");
    if (field && !field.value) field.value = uuid();
    return field ? field.value : uuid();
  }

  function csrfToken() {
    var m = document.cookie.match(/(?:^|; )csrftoken=([^;]+)/);
    if (m) return decodeURIComponent(m[1]);
    var input = form.querySelector("[name=csrfmiddlewaretoken]");
    return input ? input.value : "";
  }

  function formData() {
    var data = { client_key: freshKey() };
    ["date", "hours", "start_time", "end_time", "break_minutes", "site", "activities", "reflection", "reflection_kind"].forEach(
      function (name) {
        var el = form.elements[name];
        if (el) data[name] = el.value;
      }
    );
    ["objectives", "competences", "roles"].forEach(function (name) {
      data[name] = Array.prototype.map.call(form.querySelectorAll("[name=" + name + "]:checked"), function (el) {
        return el.value;
      });
    });
    return data;
  }

  function fill(data) {
    Object.keys(data).forEach(function (name) {
      var value = data[name];
      if (Array.isArray(value)) {
        var wanted = value.map(String);
        form.querySelectorAll("[name=" + name + "]").forEach(function (el) {
          el.checked = wanted.indexOf(el.value) !== -1;
        });
      } else if (form.elements[name] && name !== "client_key" && name !== "csrfmiddlewaretoken") {
        form.elements[name].value = value === null || value === undefined ? "" : value;
      }
    });
  }

  function say(text) {
    if (status) status.textContent = text;
  }

  function pending() {
    if (!store) return Promise.resolve([]);
    return kv.entries(store).then(function (rows) {
      return rows.map(function (r) { return r[1]; }).filter(function (item) {
        return !item.owner || String(item.owner) === String(owner);
      });
    });
  }

  function showQueue() {
    return pending().then(function (items) {
      var waiting = items.filter(function (i) { return !i.errors; });
      var refused = items.filter(function (i) { return i.errors; });
      if (waiting.length) say(T.waiting.replace("%(n)s", waiting.length));
      else if (!navigator.onLine) say(T.offline);
      rejectedBox.innerHTML = "";
      refused.forEach(function (item) {
        var box = document.createElement("div");
        box.className = "message message-error";
        box.setAttribute("role", "alert");
        var title = document.createElement("p");
        title.textContent = T.rejected + " " + item.data.date;
        box.appendChild(title);
        var list = document.createElement("ul");
        Object.keys(item.errors).forEach(function (field) {
          item.errors[field].forEach(function (msg) {
            var li = document.createElement("li");
            li.textContent = msg;
            list.appendChild(li);
          });
        });
        box.appendChild(list);
        var text = document.createElement("blockquote");
        text.textContent = item.data.activities;
        box.appendChild(text);
        var button = document.createElement("button");
        button.type = "button";
        button.className = "secondary";
        button.textContent = T.restore;
        button.addEventListener("click", function () {
          fill(item.data);
          var key = form.querySelector("[name=client_key]");
          if (key) key.value = uuid(); // a corrected entry is a new write
          kv.del(item.data.client_key, store).then(showQueue);
          form.elements.activities.focus();
        });
        box.appendChild(button);
        rejectedBox.appendChild(box);
      });
    });
  }

  function send(item) {
    return fetch(item.syncUrl || syncUrl, {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRFToken": csrfToken(), Accept: "application/json" },
      body: JSON.stringify(item.data),
    }).then(function (response) {
      if (response.ok) return kv.del(item.data.client_key, store).then(function () { return "sent"; });
      if (response.status === 400) {
        return response.json().then(function (body) {
          item.errors = body.errors || { __all__: ["?"] };
          return kv.set(item.data.client_key, item, store).then(function () { return "refused"; });
        });
      }
      throw new Error("server " + response.status); // keep it queued (e.g. signed out, 5xx)
    });
  }

  var flushing = false;
  function flush() {
    if (flushing || !store || !navigator.onLine) return Promise.resolve();
    flushing = true;
    var sent = 0;
    return pending()
      .then(function (items) {
        var chain = Promise.resolve();
        items.filter(function (i) { return !i.errors; }).forEach(function (item) {
          chain = chain.then(function () {
            return send(item).then(function (result) { if (result === "sent") sent += 1; });
          });
        });
        return chain;
      })
      .catch(function () { /* still offline or server away: try again later */ })
      .then(function () {
        flushing = false;
        return showQueue().then(function () {
          if (sent) {
            say(T.sent.replace("%(n)s", sent));
            document.dispatchEvent(new CustomEvent("wpl:logbook-synced", { detail: { sent: sent } }));
          }
        });
      });
  }

  function queue(data) {
    return kv.set(data.client_key, { data: data, owner: owner, syncUrl: syncUrl, queuedAt: new Date().toISOString() }, store).then(function () {
      form.reset();
      var key = form.querySelector("[name=client_key]");
      if (key) key.value = uuid();
      say(T.queued);
      return showQueue().then(function () { say(T.queued); });
    });
  }

  form.addEventListener("submit", function (event) {
    freshKey();
    if (!store) return; // no IndexedDB: plain form post only
    if (!navigator.onLine) {
      event.preventDefault();
      queue(formData());
    }
    // Online: the normal post; the client_key makes a double submit harmless.
  });

  var same = document.getElementById("same-button");
  if (same) {
    same.addEventListener("click", function () {
      var data = JSON.parse(document.getElementById("same-as-last").textContent);
      var date = form.elements.date.value;
      fill(data);
      form.elements.date.value = date; // "same as last time" keeps today's date
    });
  }
  var starr = document.getElementById("starr-button");
  if (starr) {
    starr.addEventListener("click", function () {
      var area = form.elements.reflection;
      if (!area.value.trim()) area.value = starr.dataset.prompts.split("|").join("\n\n") + "\n";
      form.elements.reflection_kind.value = "starr";
      area.focus();
    });
  }

  window.addEventListener("online", flush);
  window.addEventListener("offline", function () { say(T.offline); });
  if ("serviceWorker" in navigator) {
    navigator.serviceWorker.register("/sw.js", { scope: "/" }).catch(function () {});
  }
  freshKey();
  showQueue().then(flush);
  window.WPL_LOGBOOK_API = { flush: flush, pending: pending, queue: queue };
})();
