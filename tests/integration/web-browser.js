// Drives headless Chromium over the DevTools protocol (node's WebSocket,
// no npm package): loads the skel front end, creates a user through the
// form, waits until the list shows it, saves a screenshot.
//   node --experimental-websocket web-browser.js DEVTOOLS_PORT URL NAME EMAIL PNG
"use strict";
const fs = require("fs");
const [port, url, name, email, png] = process.argv.slice(2);

function fail(msg) {
  console.error("browser: " + msg);
  process.exit(1);
}

async function main() {
  const targets = await (await fetch(`http://127.0.0.1:${port}/json/list`)).json();
  const page = targets.find((t) => t.type === "page");
  if (!page) fail("no page target");
  const ws = new WebSocket(page.webSocketDebuggerUrl);
  await new Promise((ok, ko) => { ws.onopen = ok; ws.onerror = ko; });
  let next = 1;
  const pending = new Map();
  ws.onmessage = (ev) => {
    const m = JSON.parse(ev.data);
    if (m.id && pending.has(m.id)) {
      const { ok, ko } = pending.get(m.id);
      pending.delete(m.id);
      m.error ? ko(new Error(JSON.stringify(m.error))) : ok(m.result);
    }
  };
  const send = (method, params = {}) => new Promise((ok, ko) => {
    const id = next++;
    pending.set(id, { ok, ko });
    ws.send(JSON.stringify({ id, method, params }));
  });
  const evaluate = async (expr) => {
    const r = await send("Runtime.evaluate", { expression: expr, awaitPromise: true, returnByValue: true });
    if (r.exceptionDetails) throw new Error(r.exceptionDetails.text + " in " + expr);
    return r.result.value;
  };
  // polls a real condition in the page, at most 30 s
  const until = async (what, expr) => {
    for (let i = 0; i < 300; i++) {
      if (await evaluate(expr)) return;
      await new Promise((r) => setTimeout(r, 100));
    }
    fail("timed out waiting for " + what + " (status: " +
         (await evaluate("document.getElementById('status') && document.getElementById('status').textContent")) + ")");
  };

  await send("Page.enable");
  await send("Runtime.enable");
  await send("Emulation.setDeviceMetricsOverride", { width: 1280, height: 900, deviceScaleFactor: 1, mobile: false });
  const nav = await send("Page.navigate", { url });
  if (nav.errorText) fail("navigate: " + nav.errorText);
  await until("the front end to load its lists", "document.body && document.body.dataset.loaded === 'yes'");
  const before = await evaluate("document.querySelectorAll('#users tbody tr').length");
  if (before < 1) fail("the user list is empty");
  // type into the form like a user would: focus, then key input
  for (const [id, text] of [["user-name", name], ["user-email", email]]) {
    await evaluate(`document.getElementById('${id}').focus()`);
    await send("Input.insertText", { text });
  }
  await evaluate("document.getElementById('user-company').selectedIndex = 1");
  const box = await evaluate("(() => { const r = document.getElementById('user-save').getBoundingClientRect(); return [r.x + r.width / 2, r.y + r.height / 2]; })()");
  for (const type of ["mousePressed", "mouseReleased"])
    await send("Input.dispatchMouseEvent", { type, x: box[0], y: box[1], button: "left", clickCount: 1 });
  await until("the new user in the list",
              `[...document.querySelectorAll('#users tbody tr')].some((r) => r.textContent.includes(${JSON.stringify(email)}))`);
  await evaluate(`[...document.querySelectorAll('#users tbody tr')].find((r) => r.textContent.includes(${JSON.stringify(email)})).scrollIntoView({ block: "center" })`);
  const shot = await send("Page.captureScreenshot", { format: "png" });
  fs.writeFileSync(png, Buffer.from(shot.data, "base64"));
  console.log(`browser: user ${email} created in the UI; ${before} users before; screenshot ${png}`);
  ws.close();
  process.exit(0);
}

main().catch((e) => fail(e.stack || String(e)));
