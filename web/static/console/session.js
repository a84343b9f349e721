// Signing in for the console pages: the access token lives in sessionStorage (this tab
// only) and goes with every API call as a bearer token. Exports are fetched the same
// way and saved from a blob, so no token ever appears in a URL.
(function () {
  "use strict";
  const KEY = "bcci.console.token";
  const api = {
    token: () => sessionStorage.getItem(KEY),
    async signIn(username, password) {
      const r = await fetch("/api/v1/auth/token", {
        method: "POST", headers: { "Content-Type": "application/json" },
        body: JSON.stringify({ username, password }),
      });
      const body = await r.json();
      if (!r.ok) throw new Error(body.detail || body.error || r.statusText);
      sessionStorage.setItem(KEY, body.access_token);
      return body.user;
    },
    signOut() { sessionStorage.removeItem(KEY); location.reload(); },
    async call(path, options = {}) {
      const headers = Object.assign({ Authorization: "Bearer " + api.token() }, options.headers || {});
      const r = await fetch(path, Object.assign({}, options, { headers }));
      if (r.status === 401) { sessionStorage.removeItem(KEY); location.reload(); }
      return r;
    },
    async json(path, options) {
      const r = await api.call(path, options);
      const body = await r.json();
      if (!r.ok) { const e = new Error(body.detail || body.error); e.body = body; e.status = r.status; throw e; }
      return body;
    },
    async download(path, fallbackName) {
      const r = await api.call(path);
      if (!r.ok) { const body = await r.json(); throw new Error(body.detail || body.error); }
      const match = /filename="([^"]+)"/.exec(r.headers.get("Content-Disposition") || "");
      const a = document.createElement("a");
      a.href = URL.createObjectURL(await r.blob());
      a.download = match ? match[1] : fallbackName;
      document.body.appendChild(a); a.click(); a.remove();
    },
    // Show the sign-in form until there is a token, then run start().
    guard(start) {
      const box = document.getElementById("sign-in");
      const out = document.getElementById("sign-out");
      out.addEventListener("click", api.signOut);
      if (api.token()) { out.hidden = false; start(); return; }
      box.hidden = false;
      document.getElementById("sign-in-form").addEventListener("submit", async (ev) => {
        ev.preventDefault();
        const f = ev.target;
        try {
          await api.signIn(f.username.value, f.password.value);
          box.hidden = true; out.hidden = false; start();
        } catch (e) {
          document.getElementById("sign-in-msg").innerHTML = '<div class="msg err"></div>';
          document.querySelector("#sign-in-msg .msg").textContent = e.message;
        }
      });
    },
  };
  window.consoleApi = api;
})();
