'use strict';
// installButton(): a real PNG on the first result tab, wired to calculate().

const test = require('node:test');
const assert = require('node:assert/strict');
const { loadScript, fromJavaBytes, pngSize, PNG_SIGNATURE } = require('./google_fakes');

const PROPS = { KC_SERVICE_URL: 'https://kc.example.run.app', KC_SERVICE_KEY: 'k', KC_LANG: 'fr' };

function buttons(google) {
  return google.sheets.flatMap((sheet) => sheet.images.map((image) => ({ sheet, image })));
}

test('installButton puts a « Calculer » image on the first result tab and assigns calculate', () => {
  const { script, google } = loadScript({ properties: PROPS });
  script.installButton();

  const placed = buttons(google);
  assert.equal(placed.length, 1);
  const [{ sheet, image }] = placed;
  assert.equal(sheet.getName(), 'CA 1ers vs répétés');
  assert.equal(image.getScript(), 'calculate');
  assert.equal(typeof script.calculate, 'function', 'the assigned function exists');
  assert.equal(image.getWidth(), 160);
  assert.equal(image.getHeight(), 40);
  assert.equal(image.getAltTextTitle(), 'Calculer');
  // Row 2, right edge on the right edge of the last used column (L, 100 px wide here).
  assert.deepEqual(image.anchor, { column: 12, row: 2, offsetX: 0, offsetY: 0 });
  assert.equal(google.activeSheet, sheet, 'the tab with the button is shown');

  const blob = image.blob;
  assert.equal(blob.getContentType(), 'image/png');
  const png = fromJavaBytes(blob.getBytes());
  assert.deepEqual([...png.subarray(0, 8)], PNG_SIGNATURE);
  assert.deepEqual(pngSize(png), { width: 320, height: 80 });

  const [toast] = google.of('toast');
  assert.match(toast.message, /Bouton « Calculer » ajouté en haut de l'onglet « CA 1ers vs répétés »/);
});

test('a wide last column puts the button flush with its right edge', () => {
  const { script, google } = loadScript({ properties: PROPS, sheets: [
    { name: 'Raw Data', lastColumn: 9 },
    { name: 'Cohortes', lastColumn: 5, columnWidths: { 5: 220 } },
  ] });
  script.installButton();
  const [{ sheet, image }] = buttons(google);
  assert.equal(sheet.getName(), 'Cohortes');
  assert.deepEqual(image.anchor, { column: 5, row: 2, offsetX: 60, offsetY: 0 });
});

test('the English button says Calculate', () => {
  const fr = loadScript({ properties: PROPS });
  fr.script.installButton();
  const en = loadScript({ properties: { ...PROPS, KC_LANG: 'en' }, sheets: [
    { name: 'Read me' }, { name: 'Raw Data' }, { name: 'Settings' }, { name: 'First vs repeat' },
    { name: 'Data quality' }, { name: 'Glossary' },
  ] });
  en.script.installButton();

  const [frButton] = buttons(fr.google);
  const [enButton] = buttons(en.google);
  assert.equal(enButton.sheet.getName(), 'First vs repeat');
  assert.equal(enButton.image.getAltTextTitle(), 'Calculate');
  assert.equal(enButton.image.getScript(), 'calculate');
  assert.notDeepEqual(enButton.image.blob.getBytes(), frButton.image.blob.getBytes(),
    'a different picture');
  assert.deepEqual(pngSize(fromJavaBytes(enButton.image.blob.getBytes())),
    { width: 320, height: 80 });
});

test('installing twice keeps a single button', () => {
  const { script, google } = loadScript({ properties: PROPS });
  script.installButton();
  script.installButton();
  assert.equal(buttons(google).length, 1);
  const [alert] = google.of('alert');
  assert.match(alert.message, /déjà sur l'onglet « CA 1ers vs répétés »/);
});

test('installButton works before the service is configured (no request, no property)', () => {
  const { script, google } = loadScript({ properties: {} });
  script.installButton();
  assert.equal(buttons(google).length, 1);
  assert.equal(google.requests.length, 0);
  assert.deepEqual(google.propertyWrites, []);
});
