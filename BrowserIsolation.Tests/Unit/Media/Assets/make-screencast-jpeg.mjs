// Regenerates screencast-1280x720.jpg: a JPEG made by Chromium's own encoder (Page.startScreencast, quality 70),
// the exact input the runner's video pipeline decodes. Usage: node make-screencast-jpeg.mjs [/usr/bin/chromium]
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';

const page = `<html><body style="margin:0;font:16px sans-serif;background:#fff">
<header style="height:64px;background:#1a73e8;color:#fff;display:flex;align-items:center;padding:0 24px;font-size:22px">BrowserIsolation test page</header>
<main style="display:flex;gap:24px;padding:24px">
<section style="flex:2">${'<h2>Section heading</h2><p>Lorem ipsum dolor sit amet, consectetur adipiscing elit. Sed do eiusmod tempor incididunt ut labore et dolore magna aliqua. Ut enim ad minim veniam, quis nostrud exercitation ullamco laboris.</p>'.repeat(4)}</section>
<aside style="flex:1"><div style="height:180px;background:linear-gradient(135deg,#f093fb,#f5576c);border-radius:12px"></div>
<ul>${'<li><a href="#">Related link item</a></li>'.repeat(8)}</ul><button style="padding:10px 20px;background:#34a853;color:#fff;border:0;border-radius:6px">Action</button></aside>
</main></body></html>`;

const chromium = spawn(process.argv[2] ?? '/usr/bin/chromium', [
  '--headless=new', '--no-sandbox', '--disable-gpu', '--remote-debugging-pipe', '--no-first-run', '--window-size=1280,720', 'about:blank',
], { stdio: ['ignore', 'ignore', 'ignore', 'pipe', 'pipe'], detached: true });
const toChrome = chromium.stdio[3], fromChrome = chromium.stdio[4];
let id = 0, buffered = '';
const waiting = new Map(), listeners = [];
fromChrome.on('data', chunk => {
  buffered += chunk.toString();
  let end;
  while ((end = buffered.indexOf('\0')) >= 0) {
    const message = JSON.parse(buffered.slice(0, end));
    buffered = buffered.slice(end + 1);
    if (message.id && waiting.has(message.id)) { waiting.get(message.id)(message); waiting.delete(message.id); }
    else listeners.forEach(l => l(message));
  }
});
const send = (method, params = {}, sessionId) => new Promise(resolve => {
  const messageId = ++id;
  waiting.set(messageId, resolve);
  toChrome.write(JSON.stringify({ id: messageId, method, params, sessionId }) + '\0');
});

const { result: { targetId } } = await send('Target.createTarget', { url: 'about:blank' });
const { result: { sessionId } } = await send('Target.attachToTarget', { targetId, flatten: true });
await send('Emulation.setDeviceMetricsOverride', { width: 1280, height: 720, deviceScaleFactor: 1, mobile: false }, sessionId);
await send('Page.enable', {}, sessionId);
await send('Page.navigate', { url: 'data:text/html;base64,' + Buffer.from(page).toString('base64') }, sessionId);
await new Promise(r => setTimeout(r, 1000));
const frame = new Promise(resolve => listeners.push(m => m.method === 'Page.screencastFrame' && resolve(m.params)));
await send('Page.startScreencast', { format: 'jpeg', quality: 70, maxWidth: 1280, maxHeight: 720 }, sessionId);
const { data } = await frame;
writeFileSync(new URL('./screencast-1280x720.jpg', import.meta.url), Buffer.from(data, 'base64'));
process.kill(-chromium.pid, 'SIGKILL'); // the whole process group, helpers included
process.exit(0);
