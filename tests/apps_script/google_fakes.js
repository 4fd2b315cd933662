'use strict';
/**
 * Small stand-ins for the Google Apps Script services Code.gs uses, and a loader that runs
 * Code.gs unmodified in a `vm` context whose globals are these fakes.
 *
 * Only Google's side is faked; Code.gs's own functions always run for real. The fakes behave like
 * the documented services where it matters to the script:
 * - UrlFetchApp.fetch records every request, answers from a queue (or a handler), rejects
 *   unknown request parameters, throws on HTTP errors unless muteHttpExceptions is set, and
 *   advances the fake clock by each answer's latency;
 * - Utilities.sleep advances the fake clock instead of sleeping (the runtime's Date.now reads it);
 * - LockService locks are shared by every execution in the same context, so a second click made
 *   while the first is running meets the first one's lock;
 * - in a simple trigger (authMode LIMITED or NONE) services that need the user's authorisation
 *   throw, as Apps Script does;
 * - CacheService entries expire on the fake clock.
 */

const fs = require('node:fs');
const path = require('node:path');
const vm = require('node:vm');

const SCRIPT_DIR = path.resolve(__dirname, '..', '..', 'sheet_templates', 'apps_script');
const CODE_PATH = path.join(SCRIPT_DIR, 'Code.gs');
const MANIFEST_PATH = path.join(SCRIPT_DIR, 'appsscript.json');

const START_TIME = Date.UTC(2025, 0, 6, 9, 0, 0);
const TOKEN = 'ya29.fake-user-token';
const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
const URLFETCH_PARAMS = new Set(['contentType', 'headers', 'method', 'payload', 'useIntranet',
  'validateHttpsCertificates', 'followRedirects', 'muteHttpExceptions', 'escaping']);

/** Apps Script's Byte[]: Java bytes, -128..127. */
function toJavaBytes(buffer) {
  return Array.from(buffer, (b) => (b > 127 ? b - 256 : b));
}

function fromJavaBytes(bytes) {
  return Buffer.from(bytes.map((b) => (b < 0 ? b + 256 : b)));
}

function permissionError(method, scope) {
  return new Error(`Exception: You do not have permission to call ${method}. ` +
    `Required permissions: ${scope}`);
}

class FakeBlob {
  constructor(data, contentType, name) {
    this.bytes = typeof data === 'string' ? toJavaBytes(Buffer.from(data, 'utf8')) : data.slice();
    this.contentType = contentType || null;
    this.name = name || null;
  }
  getBytes() { return this.bytes.slice(); }
  getContentType() { return this.contentType; }
  getName() { return this.name; }
  setName(name) { this.name = name; return this; }
  setContentType(type) { this.contentType = type; return this; }
  getDataAsString() { return fromJavaBytes(this.bytes).toString('utf8'); }
  copyBlob() { return new FakeBlob(this.bytes, this.contentType, this.name); }
}

class FakeImage {
  constructor(sheet, blob, column, row, offsetX, offsetY) {
    this.sheet = sheet;
    this.blob = blob;
    this.anchor = { column, row, offsetX, offsetY };
    this.script = '';
    this.width = null;
    this.height = null;
    this.altTitle = '';
    this.altDescription = '';
  }
  assignScript(name) { this.script = name; return this; }
  getScript() { return this.script; }
  setWidth(width) { this.width = width; return this; }
  setHeight(height) { this.height = height; return this; }
  getWidth() { return this.width; }
  getHeight() { return this.height; }
  setAltTextTitle(title) { this.altTitle = title; return this; }
  setAltTextDescription(text) { this.altDescription = text; return this; }
  getAltTextTitle() { return this.altTitle; }
  getSheet() { return this.sheet; }
}

class FakeSheet {
  constructor(spec) {
    this.name = spec.name;
    this.lastColumn = spec.lastColumn === undefined ? 12 : spec.lastColumn;
    this.columnWidths = spec.columnWidths || {};
    this.images = [];
  }
  getName() { return this.name; }
  getLastColumn() { return this.lastColumn; }
  getColumnWidth(column) {
    if (!Number.isInteger(column) || column < 1) throw new Error(`Exception: bad column ${column}`);
    return this.columnWidths[column] || 100;
  }
  getImages() { return this.images.slice(); }
  insertImage(blob, column, row, offsetX = 0, offsetY = 0) {
    if (!(blob instanceof FakeBlob)) throw new Error('Exception: insertImage needs a blob here');
    for (const [label, value] of [['column', column], ['row', row]]) {
      if (!Number.isInteger(value) || value < 1) {
        throw new Error(`Exception: Invalid argument: ${label}`);
      }
    }
    if (!Number.isInteger(offsetX) || !Number.isInteger(offsetY) || offsetX < 0 || offsetY < 0) {
      throw new Error('Exception: Invalid argument: offset');
    }
    const bytes = fromJavaBytes(blob.getBytes());
    if (!PNG_SIGNATURE.every((b, i) => bytes[i] === b)) {
      throw new Error('Exception: Error retrieving image from blob');
    }
    const image = new FakeImage(this, blob, column, row, offsetX, offsetY);
    this.images.push(image);
    return image;
  }
}

class FakeHtmlOutput {
  constructor(html) { this.html = html; this.width = null; this.height = null; this.title = ''; }
  getContent() { return this.html; }
  setWidth(width) { this.width = width; return this; }
  setHeight(height) { this.height = height; return this; }
  setTitle(title) { this.title = title; return this; }
  getWidth() { return this.width; }
  getHeight() { return this.height; }
}

class FakeResponse {
  constructor(status, text, headers) {
    this.status = status;
    this.text = text;
    this.headers = headers;
  }
  getResponseCode() { return this.status; }
  getContentText() { return this.text; }
  getHeaders() { return Object.assign({}, this.headers); }
  getAllHeaders() { return Object.assign({}, this.headers); }
  getBlob() { return new FakeBlob(this.text, this.headers['Content-Type'], null); }
}

/**
 * Builds the fake services and the state they record.
 * options: properties {name: value}, spreadsheetLocale, userLocale, sheets [{name, lastColumn}],
 * noUi (SpreadsheetApp.getUi() throws, as in the script editor), authMode ("FULL" by default);
 * loadScript also takes configSource, the text of a Config.gs run before Code.gs.
 */
function createGoogle(options = {}) {
  const state = {
    now: START_TIME,
    authMode: options.authMode || 'FULL',
    events: [],               // every toast, alert, dialog, request, sleep and log, in order
    requests: [],
    responses: [],            // queue of answers for UrlFetchApp.fetch
    handler: null,            // or a function(request) -> answer
    properties: Object.assign({}, options.properties || {}),
    propertyReads: 0,
    propertyWrites: [],
    cache: new Map(),
    locks: { document: null, script: null },
    menus: [],
    spreadsheetId: options.spreadsheetId || '1AbCdEfGhIjKlMnOpQrStUvWxYz0123456789',
    spreadsheetLocale: options.spreadsheetLocale || 'fr_FR',
    userLocale: options.userLocale || 'fr',
    noUi: Boolean(options.noUi),
  };
  const tabs = options.sheets || [
    { name: 'Lisez-moi', lastColumn: 4 }, { name: 'Raw Data', lastColumn: 9 },
    { name: 'Paramètres', lastColumn: 4 }, { name: 'CA 1ers vs répétés', lastColumn: 12 },
    { name: 'Qualité des données', lastColumn: 12 }, { name: 'Glossaire', lastColumn: 3 },
  ];
  state.sheets = tabs.map((spec) => new FakeSheet(spec));
  state.activeSheet = state.sheets[0];

  const record = (type, fields) => {
    const event = Object.assign({ type, at: state.now - START_TIME }, fields);
    state.events.push(event);
    return event;
  };
  const limited = () => state.authMode !== 'FULL';
  state.of = (type) => state.events.filter((e) => e.type === type);

  /** Queues answers: {status, body, headers, latencyMs} or {error: "message", latencyMs}. */
  state.respond = (...answers) => { state.responses.push(...answers); };

  const spreadsheet = {
    getId: () => state.spreadsheetId,
    getSpreadsheetLocale: () => state.spreadsheetLocale,
    getSheets: () => state.sheets.slice(),
    getSheetByName: (name) => state.sheets.find((s) => s.getName() === name) || null,
    getActiveSheet: () => state.activeSheet,
    setActiveSheet: (sheet) => { state.activeSheet = sheet; return sheet; },
    toast: (message, title, seconds) => { record('toast', { message, title, seconds }); },
  };

  state.spreadsheet = spreadsheet;   // tests may make one of its methods fail

  const ButtonSet = Object.freeze({ OK: 'OK', OK_CANCEL: 'OK_CANCEL', YES_NO: 'YES_NO',
    YES_NO_CANCEL: 'YES_NO_CANCEL' });
  const Button = Object.freeze({ OK: 'OK', CANCEL: 'CANCEL', YES: 'YES', NO: 'NO',
    CLOSE: 'CLOSE' });
  const ui = {
    ButtonSet,
    Button,
    createMenu(name) {
      const menu = { name, items: [], added: false };
      state.menus.push(menu);
      const builder = {
        addItem(caption, functionName) { menu.items.push({ caption, functionName }); return builder; },
        addSeparator() { menu.items.push({ separator: true }); return builder; },
        addSubMenu(sub) { menu.items.push({ subMenu: sub }); return builder; },
        addToUi() { menu.added = true; },
      };
      return builder;
    },
    alert(...args) {
      if (limited()) throw permissionError('Ui.alert', 'https://www.googleapis.com/auth/script.container.ui');
      let title = '';
      let message;
      let buttons = ButtonSet.OK;
      if (args.length === 1) [message] = args;
      else if (args.length === 2) [message, buttons] = args;
      else [title, message, buttons] = args;
      if (!Object.values(ButtonSet).includes(buttons)) throw new Error('Exception: bad ButtonSet');
      record('alert', { title, message, buttons });
      return Button.OK;
    },
    showModalDialog(output, title) {
      if (!(output instanceof FakeHtmlOutput)) throw new Error('Exception: not an HtmlOutput');
      record('dialog', { title, html: output.getContent(), width: output.width,
        height: output.height });
    },
    showSidebar(output) { record('sidebar', { html: output.getContent() }); },
  };

  const SpreadsheetApp = {
    getActive: () => spreadsheet,
    getActiveSpreadsheet: () => spreadsheet,
    getUi() {
      if (state.noUi) throw new Error('Exception: Cannot call SpreadsheetApp.getUi() from this context.');
      return ui;
    },
    flush() {},
  };

  const UrlFetchApp = {
    fetch(url, params = {}) {
      if (limited()) {
        throw permissionError('UrlFetchApp.fetch',
          'https://www.googleapis.com/auth/script.external_request');
      }
      for (const key of Object.keys(params)) {
        if (!URLFETCH_PARAMS.has(key)) throw new Error(`Exception: Unknown fetch parameter: ${key}`);
      }
      const method = String(params.method || 'get').toLowerCase();
      if (!['get', 'post', 'put', 'patch', 'delete'].includes(method)) {
        throw new Error(`Exception: Invalid argument: method ${params.method}`);
      }
      if (params.payload !== undefined && typeof params.payload !== 'string') {
        throw new Error('Exception: this fake only takes string payloads');
      }
      const request = record('request', {
        url, method, headers: Object.assign({}, params.headers || {}),
        contentType: params.contentType, payload: params.payload, params: Object.assign({}, params),
      });
      state.requests.push(request);
      let answer = state.responses.shift();
      if (!answer && state.handler) answer = state.handler(request, state);
      if (!answer) throw new Error(`test setup: no answer queued for ${method.toUpperCase()} ${url}`);
      state.now += answer.latencyMs === undefined ? 300 : answer.latencyMs;
      if (answer.error) throw new Error(answer.error);
      const text = typeof answer.body === 'string' ? answer.body
        : answer.body === undefined ? '' : JSON.stringify(answer.body);
      const headers = Object.assign({ 'Content-Type': 'application/json' }, answer.headers || {});
      if (answer.status >= 400 && !params.muteHttpExceptions) {
        throw new Error(`Exception: Request failed for ${url} returned code ${answer.status}. ` +
          `Truncated server response: ${text.slice(0, 100)}`);
      }
      return new FakeResponse(answer.status, text, headers);
    },
  };

  const Utilities = {
    base64Decode(encoded) { return toJavaBytes(Buffer.from(encoded, 'base64')); },
    base64Encode(data) {
      return (typeof data === 'string' ? Buffer.from(data, 'utf8') : fromJavaBytes(data))
        .toString('base64');
    },
    newBlob(data, contentType, name) { return new FakeBlob(data, contentType, name); },
    sleep(milliseconds) {
      // The Utilities reference gives 300000 ms (5 minutes) as the largest allowed value.
      if (typeof milliseconds !== 'number' || !Number.isFinite(milliseconds) || milliseconds < 0 ||
          milliseconds > 300000) {
        throw new Error(`Exception: Invalid argument: milliseconds (${milliseconds})`);
      }
      record('sleep', { ms: milliseconds });
      state.now += milliseconds;
    },
  };

  const scriptProperties = {
    getProperty(name) {
      state.propertyReads += 1;
      if (state.authMode === 'NONE') throw permissionError('PropertiesService', 'authorisation');
      return Object.prototype.hasOwnProperty.call(state.properties, name)
        ? String(state.properties[name]) : null;
    },
    getProperties() {
      state.propertyReads += 1;
      if (state.authMode === 'NONE') throw permissionError('PropertiesService', 'authorisation');
      return Object.assign({}, state.properties);
    },
    setProperty(name, value) {
      if (limited()) throw permissionError('Properties.setProperty', 'authorisation');
      state.propertyWrites.push({ name, value });
      state.properties[name] = String(value);
      return scriptProperties;
    },
    deleteProperty(name) {
      if (limited()) throw permissionError('Properties.deleteProperty', 'authorisation');
      state.propertyWrites.push({ name, value: null });
      delete state.properties[name];
      return scriptProperties;
    },
  };
  const PropertiesService = {
    getScriptProperties: () => scriptProperties,
    getDocumentProperties: () => scriptProperties,
    getUserProperties: () => scriptProperties,
  };

  const documentCache = {
    get(key) {
      const entry = state.cache.get(key);
      if (!entry || entry.expiresAt <= state.now) return null;
      return entry.value;
    },
    put(key, value, seconds = 600) {
      if (limited()) throw permissionError('Cache.put', 'authorisation');
      if (typeof value !== 'string') throw new Error('Exception: cache values are strings');
      if (seconds > 21600) throw new Error('Exception: expiration over 6 hours');
      state.cache.set(key, { value, expiresAt: state.now + seconds * 1000 });
    },
    remove(key) { state.cache.delete(key); },
  };
  const CacheService = {
    getDocumentCache: () => documentCache,
    getScriptCache: () => documentCache,
  };

  function makeLock(slot) {
    const lock = {
      tryLock(timeoutInMillis) {
        if (state.locks[slot] === null || state.locks[slot] === lock) {
          state.locks[slot] = lock;
          record('lock', { slot, acquired: true });
          return true;
        }
        state.now += timeoutInMillis;   // waited for the other execution, in vain
        record('lock', { slot, acquired: false });
        return false;
      },
      waitLock(timeoutInMillis) {
        if (!lock.tryLock(timeoutInMillis)) throw new Error('Exception: Lock timeout');
      },
      hasLock: () => state.locks[slot] === lock,
      releaseLock() {
        if (state.locks[slot] === lock) {
          state.locks[slot] = null;
          record('unlock', { slot });
        }
      },
    };
    return lock;
  }
  const LockService = {
    getDocumentLock: () => makeLock('document'),
    getScriptLock: () => makeLock('script'),
    getUserLock: () => makeLock('script'),
  };

  const ScriptApp = {
    AuthMode: Object.freeze({ NONE: 'NONE', LIMITED: 'LIMITED', FULL: 'FULL',
      CUSTOM_FUNCTION: 'CUSTOM_FUNCTION' }),
    getOAuthToken() {
      if (limited()) throw permissionError('ScriptApp.getOAuthToken', 'authorisation');
      return TOKEN;
    },
  };

  const HtmlService = {
    createHtmlOutput: (html) => new FakeHtmlOutput(String(html || '')),
  };

  const Session = {
    getActiveUserLocale: () => state.userLocale,
    getScriptTimeZone: () => 'Europe/Paris',
  };

  const log = (level) => (...args) => { record('log', { level, message: args.join(' ') }); };
  const console = { log: log('log'), info: log('info'), warn: log('warn'), error: log('error') };
  const Logger = { log: log('log') };

  const globals = { SpreadsheetApp, UrlFetchApp, Utilities, PropertiesService, CacheService,
    LockService, ScriptApp, HtmlService, Session, Logger, console };
  return { state, globals };
}

/**
 * Runs Code.gs in a fresh context with fake services. Returns {script, google}: `script` is the
 * context (call script.calculate(), script.onOpen(e)...), `google` the fakes' recorded state.
 */
function loadScript(options = {}) {
  const { state, globals } = createGoogle(options);
  const context = vm.createContext(Object.assign({}, globals));
  // The runtime's clock is the fake one, so Utilities.sleep moves time forward for Date.now().
  vm.runInContext('Date', context).now = () => state.now;
  // Apps Script runs all the project's files in one global scope; Config.gs is optional.
  if (options.configSource !== undefined) {
    vm.runInContext(options.configSource, context, { filename: 'Config.gs' });
  }
  vm.runInContext(fs.readFileSync(CODE_PATH, 'utf8'), context, { filename: 'Code.gs' });
  return { script: context, google: state };
}

// A child process that makes one real HTTP request with Node's fetch and prints the answer.
const HTTP_CHILD = `
let input = '';
process.stdin.on('data', (chunk) => { input += chunk; });
process.stdin.on('end', async () => {
  const r = JSON.parse(input);
  try {
    const answer = await fetch(r.url, { method: r.method, headers: r.headers, body: r.body,
      redirect: r.followRedirects ? 'follow' : 'manual', signal: AbortSignal.timeout(r.timeoutMs) });
    const body = await answer.text();
    process.stdout.write(JSON.stringify({ status: answer.status, body,
      headers: Object.fromEntries(answer.headers) }));
  } catch (err) {
    process.stdout.write(JSON.stringify({ error: 'Exception: ' + (err.cause || err).message }));
  }
});`;

/**
 * A UrlFetchApp handler that sends each request for real (synchronously, like UrlFetch, through
 * a child process) to wherever its URL points, e.g. a kc_sheets service on 127.0.0.1. Use:
 * `google.handler = realHttp()`. The fake clock moves by the real time each request took.
 */
function realHttp({ timeoutMs = 60000 } = {}) {
  const { execFileSync } = require('node:child_process');
  return (request) => {
    const headers = Object.assign({}, request.headers);
    if (request.payload !== undefined) {
      headers['Content-Type'] = request.contentType || 'application/x-www-form-urlencoded';
    }
    const started = Date.now();
    const output = execFileSync(process.execPath, ['-e', HTTP_CHILD], {
      input: JSON.stringify({ url: request.url, method: request.method.toUpperCase(), headers,
        body: request.payload, timeoutMs,
        followRedirects: request.params.followRedirects !== false }),
      encoding: 'utf8', timeout: timeoutMs + 10000,
    });
    const answer = JSON.parse(output);
    answer.latencyMs = Date.now() - started;
    return answer;
  };
}

/** Evaluates an expression in the script's global scope (e.g. its top-level consts). */
function evaluate(script, expression) {
  return vm.runInContext(expression, script);
}

/** The width and height written in a PNG's IHDR chunk. */
function pngSize(buffer) {
  return { width: buffer.readUInt32BE(16), height: buffer.readUInt32BE(20) };
}

module.exports = {
  CODE_PATH, MANIFEST_PATH, START_TIME, TOKEN, PNG_SIGNATURE,
  createGoogle, loadScript, evaluate, fromJavaBytes, pngSize, realHttp,
};
