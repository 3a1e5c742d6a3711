// A minimal Chrome DevTools Protocol client over --remote-debugging-pipe:
// the browser reads NUL-terminated JSON commands on its fd 3 and writes
// responses and events on fd 4. No WebSocket, no npm dependency.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

// Flags that work on a headless Debian machine without network access.
export const CHROMIUM_FLAGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync', '--hide-scrollbars',
  '--mute-audio', '--window-size=900,1100'];

const COMMAND_TIMEOUT_MS = 30000;

export async function launch(executable) {
  const profile = mkdtempSync(join(tmpdir(), 'ffnlp-chromium-'));
  const child = spawn(executable, [...CHROMIUM_FLAGS, `--user-data-dir=${profile}`, '--remote-debugging-pipe',
    'about:blank'], { stdio: ['ignore', 'ignore', 'pipe', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d) => { stderr = (stderr + d).slice(-20000); });
  const toBrowser = child.stdio[3];
  const fromBrowser = child.stdio[4];
  const pending = new Map();
  const listeners = new Set();
  let nextId = 0;
  let buffer = Buffer.alloc(0);
  let exited = null;
  child.on('exit', (code, signal) => {
    exited = `chromium exited (code ${code}, signal ${signal})`;
    for (const { reject } of pending.values()) reject(new Error(`${exited}\n${stderr}`));
    pending.clear();
  });
  child.on('error', (e) => { exited = String(e); });
  fromBrowser.on('data', (chunk) => {
    buffer = Buffer.concat([buffer, chunk]);
    let end;
    while ((end = buffer.indexOf(0)) >= 0) {
      const message = JSON.parse(buffer.subarray(0, end).toString('utf8'));
      buffer = buffer.subarray(end + 1);
      if (message.id !== undefined) {
        const p = pending.get(message.id);
        pending.delete(message.id);
        if (!p) continue;
        if (message.error) p.reject(new Error(`${p.method}: ${message.error.message}`));
        else p.resolve(message.result);
      } else {
        for (const listener of listeners) listener(message);
      }
    }
  });

  toBrowser.on('error', (e) => { exited ??= `cannot write to chromium: ${e.message}`; });

  // Every command gets an answer within COMMAND_TIMEOUT_MS or fails with
  // the browser's last output: a test never hangs on a silent browser.
  function send(method, params = {}, sessionId = undefined) {
    if (exited) return Promise.reject(new Error(`${exited}\n${stderr}`));
    const id = ++nextId;
    toBrowser.write(JSON.stringify({ id, method, params, ...(sessionId ? { sessionId } : {}) }) + '\0');
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        pending.delete(id);
        reject(new Error(`${method}: no answer from chromium in ${COMMAND_TIMEOUT_MS} ms\n${stderr}`));
      }, COMMAND_TIMEOUT_MS);
      pending.set(id, {
        method,
        resolve: (v) => { clearTimeout(timer); resolve(v); },
        reject: (e) => { clearTimeout(timer); reject(e); },
      });
    });
  }

  // Asks the browser to quit, waits for its process to end (kills it after
  // 5 s), then removes the profile; never leaves anything keeping Node alive.
  async function close() {
    const ended = new Promise((r) => (child.exitCode !== null || child.signalCode !== null ? r() : child.once('exit', r)));
    send('Browser.close').catch(() => {});
    const killer = setTimeout(() => child.kill('SIGKILL'), 5000);
    await ended;
    clearTimeout(killer);
    toBrowser.destroy();
    fromBrowser.destroy();
    child.stderr.destroy();
    try {
      rmSync(profile, { recursive: true, force: true, maxRetries: 10, retryDelay: 100 });
    } catch (e) {
      console.error(`# could not remove ${profile}: ${e.message}`);
    }
  }

  /** A page: a new target with a flat session. */
  async function newPage() {
    const { targetId } = await send('Target.createTarget', { url: 'about:blank' });
    const { sessionId } = await send('Target.attachToTarget', { targetId, flatten: true });
    return {
      send: (method, params) => send(method, params, sessionId),
      on: (method, fn) => listeners.add((m) => { if (m.sessionId === sessionId && m.method === method) fn(m.params); }),
      async evaluate(expression) {
        const r = await send('Runtime.evaluate', { expression, returnByValue: true, awaitPromise: true }, sessionId);
        if (r.exceptionDetails) throw new Error(`page: ${r.exceptionDetails.exception?.description ?? r.exceptionDetails.text}`);
        return r.result.value;
      },
    };
  }

  return { send, newPage, close, stderr: () => stderr };
}

/** Polls `check` (async, returns a truthy value when done) until timeout. */
export async function waitFor(check, what, timeoutMs = 20000) {
  const deadline = Date.now() + timeoutMs;
  let last;
  while (Date.now() < deadline) {
    last = await check();
    if (last) return last;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`timed out waiting for ${what}`);
}
