// Drives headless Chromium over the DevTools protocol (a WebSocket client
// of its own below: Debian 12's Node.js 18 has none, and no npm package is
// needed): loads the skel front end, creates a user through the form,
// waits until the list shows it, saves a screenshot.
//   node web-browser.js DEVTOOLS_PORT URL NAME EMAIL PNG
"use strict";
const fs = require("fs");
const http = require("http");
const crypto = require("crypto");

// RFC 6455, client side, text frames only: what the DevTools protocol uses.
class Socket {
  constructor(url) {
    this.onmessage = null;
    this.opened = new Promise((ok, ko) => {
      const req = http.request(url.replace(/^ws:/, "http:"), {
        headers: {
          Connection: "Upgrade", Upgrade: "websocket", "Sec-WebSocket-Version": "13",
          "Sec-WebSocket-Key": crypto.randomBytes(16).toString("base64"),
        },
      });
      req.on("upgrade", (res, sock, head) => {
        this.sock = sock;
        let buf = head;
        sock.on("data", (d) => {
          buf = Buffer.concat([buf, d]);
          for (;;) {
            if (buf.length < 2) break;
            let len = buf[1] & 0x7f, off = 2;
            if (len === 126) { if (buf.length < 4) break; len = buf.readUInt16BE(2); off = 4; }
            else if (len === 127) { if (buf.length < 10) break; len = Number(buf.readBigUInt64BE(2)); off = 10; }
            if (buf.length < off + len) break;
            const op = buf[0] & 0x0f, payload = buf.subarray(off, off + len);
            buf = buf.subarray(off + len);
            if (op === 1 && this.onmessage) this.onmessage({ data: payload.toString("utf8") });
          }
        });
        ok();
      });
      req.on("response", (res) => ko(new Error("no upgrade: HTTP " + res.statusCode)));
      req.on("error", ko);
      req.end();
    });
  }
  send(text) {
    const data = Buffer.from(text, "utf8"), mask = crypto.randomBytes(4);
    let hdr;
    if (data.length < 126) hdr = Buffer.from([0x81, 0x80 | data.length]);
    else if (data.length < 65536) { hdr = Buffer.alloc(4); hdr[0] = 0x81; hdr[1] = 0x80 | 126; hdr.writeUInt16BE(data.length, 2); }
    else { hdr = Buffer.alloc(10); hdr[0] = 0x81; hdr[1] = 0x80 | 127; hdr.writeBigUInt64BE(BigInt(data.length), 2); }
    for (let i = 0; i < data.length; i++) data[i] ^= mask[i & 3];
    this.sock.write(Buffer.concat([hdr, mask, data]));
  }
  close() {
    this.sock.end(Buffer.from([0x88, 0x80, 0, 0, 0, 0]));
  }
}

function getJson(url) {
  return new Promise((ok, ko) => {
    http.get(url, (res) => {
      let body = "";
      res.on("data", (d) => (body += d));
      res.on("end", () => { try { ok(JSON.parse(body)); } catch (e) { ko(e); } });
    }).on("error", ko);
  });
}
const [port, url, name, email, png] = process.argv.slice(2);

function fail(msg) {
  console.error("browser: " + msg);
  process.exit(1);
}

async function main() {
  const targets = await getJson(`http://127.0.0.1:${port}/json/list`);
  const page = targets.find((t) => t.type === "page");
  if (!page) fail("no page target");
  const ws = new Socket(page.webSocketDebuggerUrl);
  await ws.opened;
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
