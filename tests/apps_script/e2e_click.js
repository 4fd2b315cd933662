'use strict';
// One click on "Calculer", for real: Code.gs (unmodified) runs with stand-ins for Google's
// Apps Script services whose UrlFetchApp sends real HTTP to the kc_sheets service, which in turn
// talks to the Sheets API emulator. Driven by tests/test_gsheets.py; prints what the user saw.
const fs = require('node:fs');
const { loadScript, realHttp } = require('./google_fakes');

const [configPath, spreadsheetId] = process.argv.slice(2);
const { script, google } = loadScript({
  configSource: fs.readFileSync(configPath, 'utf8'), spreadsheetId, properties: {} });
google.handler = realHttp({ timeoutMs: 120000 });
script.onOpen({ authMode: 'FULL' });
script.calculate();
process.stdout.write(JSON.stringify({
  requests: google.requests.map((r) => [r.method, new URL(r.url).pathname]),
  alerts: google.of('alert'), toasts: google.of('toast'), menus: google.of('menu'),
}));
