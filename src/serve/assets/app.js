// choucha serve: the pages' only script. It calls the JSON API with the
// session's CSRF token (from the page's meta tag) and shows the server's
// message, in the user's language, when a request is refused.
"use strict";

function csrf() {
  const m = document.querySelector('meta[name="csrf-token"]');
  return m ? m.content : "";
}

async function call(path, body) {
  const r = await fetch(path, {
    method: "POST",
    credentials: "same-origin",
    headers: { "Content-Type": "application/json", "X-CSRF-Token": csrf() },
    body: JSON.stringify(body || {}),
  });
  let data = {};
  try { data = await r.json(); } catch (e) { /* 204 has no body */ }
  return { ok: r.ok, data };
}

function say(text) {
  const m = document.getElementById("message");
  if (m) { m.textContent = text || ""; }
}

document.addEventListener("DOMContentLoaded", () => {
  const login = document.getElementById("login");
  if (login) {
    login.addEventListener("submit", async (e) => {
      e.preventDefault();
      const f = new FormData(login);
      const r = await call("/api/login", { user: f.get("user"), password: f.get("password") });
      if (r.ok) { location.reload(); } else { say(r.data.error); }
    });
  }
  const logout = document.getElementById("logout");
  if (logout) {
    logout.addEventListener("click", async () => {
      await call("/api/logout");
      location.reload();
    });
  }
  for (const form of document.querySelectorAll("form.entry")) {
    form.addEventListener("submit", async (e) => {
      e.preventDefault();
      const f = new FormData(form);
      const body = {
        id: form.dataset.id,
        verdict: f.get("verdict"),
        reason: f.get("reason") || "",
        note: f.get("note") || "",
      };
      let r;
      if (form.dataset.amend === "true") {
        body.why = f.get("why") || "";
        r = await call("/api/amend", body);
      } else {
        r = await call("/api/results", body);
      }
      if (r.ok) { location.reload(); } else { say(r.data.error); }
    });
  }
});
