'use strict';
// Code.gs over real HTTP: the fake UrlFetchApp forwards to a local stand-in of the service.

const test = require('node:test');
const assert = require('node:assert/strict');
const path = require('node:path');
const { spawn } = require('node:child_process');
const { loadScript, realHttp, TOKEN } = require('./google_fakes');

const KEY = 'local-key';

function stop(child) {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    child.once('exit', resolve);
    child.kill();
  });
}

function startStub() {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [path.join(__dirname, 'stub_kc_service.js'), KEY, TOKEN],
      { stdio: ['ignore', 'pipe', 'inherit'] });
    child.once('error', reject);
    child.stdout.once('data', (data) => resolve({ child, port: Number(String(data).trim()) }));
  });
}

test('calculate over real HTTP: POST, 202, polls, done', { timeout: 60000 }, async () => {
  const { child, port } = await startStub();
  try {
    const { script, google } = loadScript({ properties: {
      KC_SERVICE_URL: `http://127.0.0.1:${port}`, KC_SERVICE_KEY: KEY, KC_LANG: 'fr' } });
    google.handler = realHttp({ timeoutMs: 10000 });
    script.calculate();
    assert.deepEqual(google.requests.map((r) => [r.method, new URL(r.url).pathname]), [
      ['post', '/v1/calculate'], ['get', '/v1/jobs/job-1'], ['get', '/v1/jobs/job-1']]);
    const [alert] = google.of('alert');
    assert.equal(alert.title, 'Calcul terminé');
    assert.equal(alert.message, '9 lignes utilisées sur 10, 1 mise de côté.');
  } finally {
    await stop(child);
  }
});

test('a wrong key comes back as the service message; an unreachable service as a network one',
  { timeout: 60000 }, async () => {
  const { child, port } = await startStub();
  try {
    const { script, google } = loadScript({ properties: {
      KC_SERVICE_URL: `http://127.0.0.1:${port}`, KC_SERVICE_KEY: 'wrong', KC_LANG: 'fr' } });
    google.handler = realHttp({ timeoutMs: 10000 });
    script.calculate();
    assert.equal(google.of('alert')[0].message, 'Clé refusée.');
  } finally {
    await stop(child);
  }
  // The stub is gone: nothing listens on that port any more.
  const { script, google } = loadScript({ properties: {
    KC_SERVICE_URL: `http://127.0.0.1:${port}`, KC_SERVICE_KEY: KEY, KC_LANG: 'en' } });
  google.handler = realHttp({ timeoutMs: 10000 });
  script.calculate();
  assert.match(google.of('alert')[0].message, /^Cannot reach the kc_sheets service \(127\.0\.0\.1:\d+\)/);
});
