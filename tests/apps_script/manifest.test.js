'use strict';
// appsscript.json and the shape of Code.gs as Apps Script will load it.

const test = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const vm = require('node:vm');
const { CODE_PATH, MANIFEST_PATH, loadScript, evaluate } = require('./google_fakes');

test('appsscript.json parses and lists the scopes the script needs', () => {
  const manifest = JSON.parse(fs.readFileSync(MANIFEST_PATH, 'utf8'));
  assert.equal(manifest.runtimeVersion, 'V8');
  assert.equal(manifest.timeZone, 'Europe/Paris');
  assert.equal(manifest.exceptionLogging, 'STACKDRIVER');
  const scopes = manifest.oauthScopes;
  assert.ok(Array.isArray(scopes));
  assert.deepEqual([...scopes].sort(), [
    // The user's token is sent to the service, which uses the Sheets API with it.
    'https://www.googleapis.com/auth/script.container.ui',       // menu, alerts, dialog
    'https://www.googleapis.com/auth/script.external_request',   // UrlFetchApp
    'https://www.googleapis.com/auth/spreadsheets',
  ]);
});

test('Code.gs compiles as a classic script and defines the public entry points', () => {
  const source = fs.readFileSync(CODE_PATH, 'utf8');
  assert.doesNotThrow(() => new vm.Script(source, { filename: 'Code.gs' }));
  const { script } = loadScript();
  for (const name of ['onOpen', 'calculate', 'showHelp', 'installButton']) {
    assert.equal(typeof script[name], 'function', name);
  }
  // Apps Script runs every file in one global scope: no module syntax, no top-level await.
  assert.doesNotMatch(source, /^\s*(import|export)\s/m);
});

test('French and English texts have the same keys and no empty text', () => {
  const { script } = loadScript();
  const texts = evaluate(script, 'TEXTS');
  assert.deepEqual(Object.keys(texts).sort(), ['en', 'fr']);
  assert.deepEqual(Object.keys(texts.en).sort(), Object.keys(texts.fr).sort());
  for (const lang of ['fr', 'en']) {
    for (const [key, value] of Object.entries(texts[lang])) {
      const values = Array.isArray(value) ? value : [value];
      assert.ok(values.length > 0 && values.every((v) => typeof v === 'string' && v.trim()),
        `${lang}.${key}`);
      if (!Array.isArray(value)) {
        const placeholders = (v) => (v.match(/\{\w+\}/g) || []).sort();
        const other = texts[lang === 'fr' ? 'en' : 'fr'][key];
        assert.deepEqual(placeholders(value), placeholders(other), `placeholders of ${key}`);
      }
    }
  }
});
