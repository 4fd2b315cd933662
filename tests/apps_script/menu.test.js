'use strict';
// onOpen builds the menu (French or English) without touching authorised services; showHelp.

const test = require('node:test');
const assert = require('node:assert/strict');
const { loadScript } = require('./google_fakes');

const CONFIGURED = { KC_SERVICE_URL: 'https://kc.example.run.app', KC_SERVICE_KEY: 'k-123' };

function menuOf(google) {
  assert.equal(google.menus.length, 1, 'one menu is created');
  const [menu] = google.menus;
  assert.ok(menu.added, 'the menu is added to the UI');
  return menu;
}

test('onOpen builds the French menu when KC_LANG is fr', () => {
  const { script, google } = loadScript({ properties: { ...CONFIGURED, KC_LANG: 'fr' },
    spreadsheetLocale: 'en_US' });
  script.onOpen({ authMode: 'LIMITED' });
  const menu = menuOf(google);
  assert.equal(menu.name, 'Connaissance client');
  assert.deepEqual(menu.items, [
    { caption: 'Calculer', functionName: 'calculate' },
    { caption: 'Aide', functionName: 'showHelp' },
    { separator: true },
    { caption: 'Installer le bouton Calculer', functionName: 'installButton' },
  ]);
});

test('onOpen builds the English menu when KC_LANG is en', () => {
  const { script, google } = loadScript({ properties: { ...CONFIGURED, KC_LANG: 'en' },
    spreadsheetLocale: 'fr_FR' });
  script.onOpen({ authMode: 'LIMITED' });
  const menu = menuOf(google);
  assert.equal(menu.name, 'Customer knowledge');
  assert.deepEqual(menu.items.map((i) => i.caption),
    ['Calculate', 'Help', undefined, 'Install the Calculate button']);
});

test('without KC_LANG the spreadsheet locale chooses, and French is the default', () => {
  const english = loadScript({ properties: CONFIGURED, spreadsheetLocale: 'en_GB' });
  english.script.onOpen({ authMode: 'LIMITED' });
  assert.equal(menuOf(english.google).name, 'Customer knowledge');

  const french = loadScript({ properties: {}, spreadsheetLocale: 'fr_CA', userLocale: 'en' });
  french.script.onOpen({ authMode: 'LIMITED' });
  assert.equal(menuOf(french.google).name, 'Connaissance client');

  const other = loadScript({ properties: {}, spreadsheetLocale: 'de_DE', userLocale: 'de' });
  other.script.onOpen();
  assert.equal(menuOf(other.google).name, 'Connaissance client');
});

test('onOpen, a simple trigger, calls no authorised service and writes nothing', () => {
  // In LIMITED mode the fakes throw on UrlFetch, getOAuthToken, alerts and property or cache
  // writes, as Apps Script does; onOpen must still build the menu.
  const { script, google } = loadScript({ properties: { ...CONFIGURED, KC_LANG: 'en' },
    authMode: 'LIMITED' });
  script.onOpen({ authMode: 'LIMITED' });
  assert.equal(menuOf(google).name, 'Customer knowledge');
  assert.equal(google.requests.length, 0);
  assert.deepEqual(google.propertyWrites, []);
  assert.equal(google.cache.size, 0);
  assert.deepEqual(google.of('alert'), []);
  assert.deepEqual(google.of('lock'), []);
});

test('onOpen in AuthMode.NONE does not even read properties', () => {
  // The fake PropertiesService throws in NONE mode.
  const { script, google } = loadScript({ properties: { ...CONFIGURED, KC_LANG: 'fr' },
    authMode: 'NONE', spreadsheetLocale: 'en_US' });
  script.onOpen({ authMode: 'NONE' });
  assert.equal(menuOf(google).name, 'Customer knowledge');
  assert.equal(google.propertyReads, 0);
});

test('every menu item names a public top-level function of Code.gs', () => {
  const { script, google } = loadScript({ properties: CONFIGURED });
  script.onOpen({ authMode: 'LIMITED' });
  for (const item of menuOf(google).items.filter((i) => i.functionName)) {
    assert.equal(typeof script[item.functionName], 'function', item.functionName);
    assert.ok(!item.functionName.endsWith('_'), `${item.functionName} must not be private`);
  }
});

test('showHelp opens a dialog with the four steps, in French', () => {
  const { script, google } = loadScript({ properties: { ...CONFIGURED, KC_LANG: 'fr' } });
  script.showHelp();
  const [dialog] = google.of('dialog');
  assert.equal(dialog.title, 'Aide : connaissance client');
  assert.equal((dialog.html.match(/<li>/g) || []).length, 4);
  for (const words of ['Raw Data', 'Paramètres', 'Calculer', 'Qualité des données']) {
    assert.ok(dialog.html.includes(words), words);
  }
  assert.ok(dialog.html.includes('google.script.host.close()'), 'a close button');
  assert.ok(dialog.width > 0 && dialog.height > 0);
});

test('showHelp speaks English when KC_LANG is en, with its texts HTML-escaped', () => {
  const { script, google } = loadScript({ properties: { ...CONFIGURED, KC_LANG: 'en' } });
  script.showHelp();
  const [dialog] = google.of('dialog');
  assert.equal(dialog.title, 'Help: customer knowledge');
  for (const words of ['Raw Data', 'Settings', 'Calculate', 'Data quality']) {
    assert.ok(dialog.html.includes(words), words);
  }
  assert.ok(dialog.html.includes('Customer knowledge &gt; Calculate'), 'the ">" is escaped');
  assert.ok(dialog.html.includes('&#39;Raw Data&#39;'), 'quotes are escaped');
});

test('in AuthMode.NONE the language of Config.gs is still used', () => {
  const { script, google } = loadScript({ authMode: 'NONE', spreadsheetLocale: 'fr_FR',
    configSource: "const KC_CONFIG = { KC_LANG: 'en' };" });
  script.onOpen({ authMode: 'NONE' });
  assert.equal(menuOf(google).name, 'Customer knowledge');
  assert.equal(google.propertyReads, 0);
});
