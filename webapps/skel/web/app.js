// The skel front end: lists, creates, edits and deletes companies and
// users through the REST API next to it (api/...), nothing else.
"use strict";
const api = "api/";
const $ = (id) => document.getElementById(id);
let companies = [];

function status(text, error) {
  const s = $("status");
  s.textContent = text;
  s.className = error ? "error" : "";
}

async function call(method, path, body) {
  const opts = { method, headers: {} };
  if (body !== undefined) {
    opts.headers["Content-Type"] = "application/json";
    opts.body = JSON.stringify(body);
  }
  const res = await fetch(api + path, opts);
  const backend = res.headers.get("X-Served-By") || res.headers.get("X-Backend");
  if (res.status === 204) return null;
  const data = await res.json();
  if (!res.ok) throw new Error(data.error || res.statusText);
  if (backend) status("served by " + backend);
  return data;
}

function cell(row, text) {
  const td = row.insertCell();
  td.textContent = text;
  return td;
}

function buttons(row, onEdit, onDelete) {
  const td = row.insertCell();
  for (const [label, fn] of [["Edit", onEdit], ["Delete", onDelete]]) {
    const b = document.createElement("button");
    b.type = "button";
    b.textContent = label;
    b.className = label.toLowerCase();
    b.addEventListener("click", fn);
    td.appendChild(b);
  }
}

async function guarded(fn) {
  try {
    await fn();
  } catch (e) {
    status(e.message, true);
  }
}

async function loadCompanies() {
  companies = await call("GET", "companies");
  const body = $("companies").tBodies[0];
  body.replaceChildren();
  const sel = $("user-company");
  const keep = sel.value;
  sel.replaceChildren();
  for (const c of companies) {
    const row = body.insertRow();
    row.dataset.id = c.id;
    cell(row, c.id);
    cell(row, c.name);
    cell(row, c.city);
    buttons(row, () => editCompany(c), () => guarded(async () => {
      await call("DELETE", "companies/" + c.id);
      await refresh();
    }));
    const o = document.createElement("option");
    o.value = c.id;
    o.textContent = c.name;
    sel.appendChild(o);
  }
  if (keep) sel.value = keep;
}

async function loadUsers() {
  const users = await call("GET", "users");
  const body = $("users").tBodies[0];
  body.replaceChildren();
  for (const u of users) {
    const row = body.insertRow();
    row.dataset.id = u.id;
    cell(row, u.id);
    cell(row, u.name);
    cell(row, u.email);
    cell(row, u.company);
    buttons(row, () => editUser(u), () => guarded(async () => {
      await call("DELETE", "users/" + u.id);
      await refresh();
    }));
  }
}

async function refresh() {
  await loadCompanies();
  await loadUsers();
}

function editCompany(c) {
  $("company-id").value = c.id;
  $("company-name").value = c.name;
  $("company-city").value = c.city;
  $("company-save").textContent = "Save company";
  $("company-cancel").hidden = false;
}

function editUser(u) {
  $("user-id").value = u.id;
  $("user-name").value = u.name;
  $("user-email").value = u.email;
  $("user-company").value = u.company_id;
  $("user-save").textContent = "Save user";
  $("user-cancel").hidden = false;
}

function resetCompany() {
  $("company-form").reset();
  $("company-id").value = "";
  $("company-save").textContent = "Add company";
  $("company-cancel").hidden = true;
}

function resetUser() {
  $("user-form").reset();
  $("user-id").value = "";
  $("user-save").textContent = "Add user";
  $("user-cancel").hidden = true;
}

$("company-form").addEventListener("submit", (ev) => {
  ev.preventDefault();
  guarded(async () => {
    const id = $("company-id").value;
    const body = { name: $("company-name").value, city: $("company-city").value };
    await call(id ? "PUT" : "POST", "companies" + (id ? "/" + id : ""), body);
    resetCompany();
    await refresh();
  });
});

$("user-form").addEventListener("submit", (ev) => {
  ev.preventDefault();
  guarded(async () => {
    const id = $("user-id").value;
    const body = {
      name: $("user-name").value,
      email: $("user-email").value,
      company_id: Number($("user-company").value),
    };
    await call(id ? "PUT" : "POST", "users" + (id ? "/" + id : ""), body);
    resetUser();
    await refresh();
  });
});

$("company-cancel").addEventListener("click", resetCompany);
$("user-cancel").addEventListener("click", resetUser);
guarded(refresh).then(() => document.body.dataset.loaded = "yes");
