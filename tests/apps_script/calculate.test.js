'use strict';
// calculate(): the request it sends, and what the user sees for every answer of the service.

const test = require('node:test');
const assert = require('node:assert/strict');
const { loadScript, TOKEN } = require('./google_fakes');

const URL = 'https://kc-sheets-abc123-ew.a.run.app';
const KEY = 'kc-shared-key-123';
const PROPS = { KC_SERVICE_URL: URL + '/', KC_SERVICE_KEY: KEY, KC_TEMPLATE: 'first-vs-repeat',
  KC_LANG: 'fr' };
const DONE = { status: 'done', rows_read: 1250, rows_used: 1240, rows_set_aside: 10,
  seconds: 3.4, message: '1 240 lignes utilisées sur 1 250, 10 mises de côté.' };
const SIX_MINUTES = 6 * 60 * 1000;

function setUp(properties = PROPS, options = {}) {
  return loadScript({ properties, ...options });
}

function onlyAlert(google) {
  const alerts = google.of('alert');
  assert.equal(alerts.length, 1, `one dialog, got ${JSON.stringify(alerts)}`);
  return alerts[0];
}

/** What a person reads: no stack trace, no JSON, no HTML, no "undefined". */
function assertReadable(text) {
  assert.equal(typeof text, 'string');
  assert.ok(text.length > 10, text);
  for (const bad of [/\bat \S+ \(/, /\n\s+at /, /[{}]/, /<\/?[a-z]+[\s>]/i, /undefined|null|NaN/,
    /Exception:/]) {
    assert.doesNotMatch(text, bad, text);
  }
}

function lockIsFree(google) {
  assert.equal(google.locks.document, null, 'the document lock is released');
}

test('calculate sends exactly the contract: URL, two headers, JSON body', () => {
  const { script, google } = setUp();
  google.respond({ status: 200, body: DONE });
  script.calculate();

  assert.equal(google.requests.length, 1);
  const [request] = google.requests;
  assert.equal(request.url, `${URL}/v1/calculate`, 'trailing slash of KC_SERVICE_URL dropped');
  assert.equal(request.method, 'post');
  assert.equal(request.contentType, 'application/json');
  assert.deepEqual(request.headers, { 'X-KC-Key': KEY, Authorization: `Bearer ${TOKEN}` });
  assert.deepEqual(JSON.parse(request.payload), {
    spreadsheetId: google.spreadsheetId, template: 'first-vs-repeat', lang: 'fr' });
  assert.equal(request.params.muteHttpExceptions, true);
  lockIsFree(google);
});

test('an empty KC_TEMPLATE is sent as "" and KC_LANG en as "en"', () => {
  const { script, google } = setUp({ ...PROPS, KC_TEMPLATE: '', KC_LANG: 'en' });
  google.respond({ status: 200, body: { ...DONE, message: '1,240 rows used.' } });
  script.calculate();
  assert.deepEqual(JSON.parse(google.requests[0].payload),
    { spreadsheetId: google.spreadsheetId, template: '', lang: 'en' });
  assert.equal(onlyAlert(google).title, 'Calculation done');
});

test('a 200 shows progress first, then the service summary', () => {
  const { script, google } = setUp();
  google.respond({ status: 200, body: DONE });
  script.calculate();

  const kinds = google.events.filter((e) => ['toast', 'request', 'alert'].includes(e.type))
    .map((e) => e.type);
  assert.deepEqual(kinds, ['toast', 'request', 'toast', 'alert']);
  assert.equal(google.of('toast')[0].title, 'Calcul en cours');
  const alert = onlyAlert(google);
  assert.equal(alert.title, 'Calcul terminé');
  assert.equal(alert.message, DONE.message);
  assert.equal(alert.buttons, 'OK');
});

test('a 200 without a message gets a summary built from its figures', () => {
  const { script, google } = setUp();
  google.respond({ status: 200, body: { ...DONE, message: '' } });
  script.calculate();
  const { message } = onlyAlert(google);
  assert.match(message, /^1\u202f240 lignes utilisées sur 1\u202f250 lues, 10 mises de côté/);
  assert.match(message, /Durée : 3,4 s\.$/);
  assertReadable(message);
});

test('a 202 is polled until the job is done', () => {
  const { script, google } = setUp();
  google.respond(
    { status: 202, body: { status: 'running', job: 'job 42/a', poll_after: 2 } },
    { status: 200, body: { status: 'running', job: 'job 42/a' } },
    { status: 200, body: { status: 'running', job: 'job 42/a', poll_after: 3 } },
    { status: 200, body: DONE },
  );
  script.calculate();

  const [post, ...polls] = google.requests;
  assert.equal(post.method, 'post');
  assert.equal(polls.length, 3);
  for (const poll of polls) {
    assert.equal(poll.url, `${URL}/v1/jobs/job%2042%2Fa`);
    assert.equal(poll.method, 'get');
    assert.equal(poll.payload, undefined);
    assert.deepEqual(poll.headers, { 'X-KC-Key': KEY, Authorization: `Bearer ${TOKEN}` });
  }
  assert.deepEqual(google.of('sleep').map((s) => s.ms), [2000, 2000, 3000], 'poll_after honoured');
  assert.ok(google.of('toast').some((t) => /Calcul en cours depuis \d+ s/.test(t.message)));
  assert.equal(onlyAlert(google).message, DONE.message);
  assert.equal(google.cache.size, 0, 'no job left pending');
  lockIsFree(google);
});

test('polling stops before 6 minutes and says the calculation continues', () => {
  const { script, google } = setUp();
  google.respond({ status: 202, body: { status: 'running', job: 'j-long', poll_after: 2 },
    latencyMs: 1500 });
  google.handler = () => ({ status: 200, body: { status: 'running', job: 'j-long' },
    latencyMs: 800 });
  script.calculate();

  const polls = google.requests.filter((r) => r.method === 'get');
  assert.ok(polls.length > 50, `kept polling for minutes (${polls.length} polls)`);
  const lastStart = Math.max(...google.requests.map((r) => r.at));
  assert.ok(lastStart <= 285000, `no request starts after 4 min 45 s (last at ${lastStart} ms)`);
  assert.ok(lastStart >= 270000, `but polling went on until about then (${lastStart} ms)`);
  const end = google.events[google.events.length - 1].at;
  assert.ok(end < SIX_MINUTES, `the execution ends before 6 minutes (${end} ms)`);
  const alert = onlyAlert(google);
  assert.equal(alert.title, 'Calcul toujours en cours');
  assert.match(alert.message, /continue sur le service kc_sheets/);
  assert.match(alert.message, /Rouvrez-le dans quelques minutes/);
  lockIsFree(google);
});

test('slow polls (50 s each) still end before 6 minutes', () => {
  const { script, google } = setUp();
  google.respond({ status: 202, body: { status: 'running', job: 'j-slow', poll_after: 2 } });
  google.handler = () => ({ status: 200, body: { status: 'running' }, latencyMs: 50000 });
  script.calculate();
  const end = google.events[google.events.length - 1].at;
  assert.ok(end < SIX_MINUTES, `ends at ${end} ms`);
  assert.equal(onlyAlert(google).title, 'Calcul toujours en cours');
});

test('the next click follows the job still running instead of starting another', () => {
  const { script, google } = setUp();
  google.respond({ status: 202, body: { status: 'running', job: 'j-long', poll_after: 5 } });
  google.handler = () => ({ status: 200, body: { status: 'running' } });
  script.calculate();
  assert.equal(onlyAlert(google).title, 'Calcul toujours en cours');

  google.now += 2 * 60 * 1000;   // the user comes back two minutes later and clicks again
  google.events.length = 0;
  google.requests.length = 0;
  google.handler = null;
  google.respond({ status: 200, body: DONE });
  script.calculate();

  assert.deepEqual(google.requests.map((r) => [r.method, r.url]),
    [['get', `${URL}/v1/jobs/j-long`]], 'no second POST');
  const alert = onlyAlert(google);
  assert.equal(alert.title, 'Calcul terminé');
  assert.match(alert.message, /^Le calcul lancé précédemment est terminé\./);
  assert.ok(alert.message.includes(DONE.message));
  assert.match(alert.message, /Cliquez de nouveau sur Calculer pour relancer/);
  assert.equal(google.cache.size, 0);
});

test('a pending job the service no longer knows (404) is dropped and a new one started', () => {
  const { script, google } = setUp();
  google.respond({ status: 202, body: { status: 'running', job: 'j-old' } });
  google.handler = () => ({ status: 200, body: { status: 'running' } });
  script.calculate();

  google.events.length = 0;
  google.requests.length = 0;
  google.handler = null;
  google.respond(
    { status: 404, body: { error: { code: 'unknown_job', message: 'Calcul inconnu.' } } },
    { status: 200, body: DONE },
  );
  script.calculate();
  assert.deepEqual(google.requests.map((r) => r.method), ['get', 'post']);
  assert.equal(onlyAlert(google).message, DONE.message);
});

test('a job that fails shows the service message and where', () => {
  const { script, google } = setUp();
  google.respond(
    { status: 202, body: { status: 'running', job: 'j-1', poll_after: 1 } },
    { status: 200, body: { status: 'failed', error: {
      message: 'La colonne « Montant » est introuvable.', where: 'Raw Data, ligne 1' } } },
  );
  script.calculate();
  const alert = onlyAlert(google);
  assert.equal(alert.title, "Le calcul n'a pas abouti");
  assert.equal(alert.message,
    'La colonne « Montant » est introuvable.\n\nOù : Raw Data, ligne 1');
  assert.equal(google.cache.size, 0);
});

for (const [status, code, message, where] of [
  [401, 'bad_key', 'Clé du service refusée : relancez « kc-sheets gsheet install-script ».', ''],
  [403, 'no_access', 'Le service ne peut pas ouvrir ce classeur avec votre compte.', ''],
  [413, 'too_large', 'Raw Data dépasse 2 000 000 de lignes : utilisez la ligne de commande.',
    'Raw Data'],
  [422, 'bad_settings', 'Période d’analyse « Semaine » non reconnue.', 'Paramètres, ligne 7, C'],
  [500, 'internal', 'Erreur interne du service, réessayez.', ''],
]) {
  test(`a ${status} shows the service's message (not retried)`, () => {
    const { script, google } = setUp();
    google.respond({ status, body: { error: { code, message, where } } });
    script.calculate();
    assert.equal(google.requests.length, 1, 'no retry');
    const alert = onlyAlert(google);
    assert.equal(alert.title, "Le calcul n'a pas abouti");
    assert.equal(alert.message, where ? `${message}\n\nOù : ${where}` : message);
    assertReadable(alert.message);
    lockIsFree(google);
  });
}

test('English error titles and "Where"', () => {
  const { script, google } = setUp({ ...PROPS, KC_LANG: 'en' });
  google.respond({ status: 403, body: { error: { code: 'no_access',
    message: 'The service cannot open this spreadsheet.', where: 'Raw Data' } } });
  script.calculate();
  const alert = onlyAlert(google);
  assert.equal(alert.title, 'The calculation did not complete');
  assert.equal(alert.message, 'The service cannot open this spreadsheet.\n\nWhere: Raw Data');
});

test('a 429 is retried with growing back-off, then succeeds', () => {
  const { script, google } = setUp();
  const busy = { status: 429, body: { error: { code: 'busy', message: 'Service occupé.' } } };
  google.respond(busy, busy, { status: 200, body: DONE });
  script.calculate();

  const posts = google.requests.filter((r) => r.method === 'post');
  assert.equal(posts.length, 3);
  assert.ok(posts.every((p) => p.payload === posts[0].payload), 'the same body each time');
  const sleeps = google.of('sleep').map((s) => s.ms);
  assert.equal(sleeps.length, 2);
  assert.ok(sleeps[0] >= 2000 && sleeps[0] < 2500, `first wait ${sleeps[0]}`);
  assert.ok(sleeps[1] >= 4000 && sleeps[1] < 4500, `second wait ${sleeps[1]}`);
  assert.ok(google.of('toast').some((t) => /Service occupé : nouvel essai dans \d+ s/.test(t.message)));
  assert.equal(onlyAlert(google).message, DONE.message);
});

test('a 429 that persists gives up after 4 tries with the service message', () => {
  const { script, google } = setUp();
  google.handler = () => ({ status: 429, body: { error: { code: 'busy',
    message: 'Le service est occupé, réessayez dans une minute.' } } });
  script.calculate();
  assert.equal(google.requests.length, 4);
  const sleeps = google.of('sleep').map((s) => s.ms);
  assert.equal(sleeps.length, 3);
  assert.ok(sleeps[0] < sleeps[1] && sleeps[1] < sleeps[2], `growing waits ${sleeps}`);
  assert.equal(onlyAlert(google).message, 'Le service est occupé, réessayez dans une minute.');
  lockIsFree(google);
});

test('a 503 with Retry-After waits what the service asks', () => {
  const { script, google } = setUp();
  google.respond({ status: 503, body: '', headers: { 'Retry-After': '7' } },
    { status: 200, body: DONE });
  script.calculate();
  assert.deepEqual(google.of('sleep').map((s) => s.ms), [7000]);
  assert.equal(onlyAlert(google).message, DONE.message);
});

test('an error page that is not JSON gives a plain message for its status', () => {
  const { script, google } = setUp();
  google.respond({ status: 502, body: '<html><body><h1>502 Bad Gateway</h1></body></html>',
    headers: { 'Content-Type': 'text/html' } });
  script.calculate();
  const { message } = onlyAlert(google);
  assert.match(message, /erreur \(code 502\)/);
  assertReadable(message);
});

test('each error status without a body has its own plain message', () => {
  const expected = {
    401: /refusé l'accès/, 403: /ne peut pas ouvrir ce classeur/, 404: /introuvable à l'adresse/,
    413: /trop volumineuses/, 429: /occupé/, 503: /occupé/, 302: /redirection/,
    418: /Réponse inattendue/, 500: /code 500/,
  };
  for (const [status, pattern] of Object.entries(expected)) {
    const { script, google } = setUp();
    google.handler = () => ({ status: Number(status), body: '' });
    script.calculate();
    const { message } = onlyAlert(google);
    assert.match(message, pattern, `status ${status}`);
    assertReadable(message);
  }
});

test('a network failure gives a readable message and is not retried for the POST', () => {
  const { script, google } = setUp();
  google.respond({ error: 'Exception: Address unavailable: ' + URL + '/v1/calculate' });
  script.calculate();
  assert.equal(google.requests.length, 1);
  const { message } = onlyAlert(google);
  assert.equal(message, 'Impossible de joindre le service kc_sheets ' +
    '(kc-sheets-abc123-ew.a.run.app) : il ne répond pas ou la connexion a échoué. ' +
    'Vérifiez votre connexion et réessayez dans une minute.');
  assertReadable(message);
  lockIsFree(google);
});

test('a network failure while polling is retried', () => {
  const { script, google } = setUp();
  google.respond(
    { status: 202, body: { status: 'running', job: 'j-1', poll_after: 1 } },
    { error: 'Exception: Timeout: ' + URL + '/v1/jobs/j-1' },
    { status: 200, body: DONE },
  );
  script.calculate();
  assert.deepEqual(google.requests.map((r) => r.method), ['post', 'get', 'get']);
  assert.equal(onlyAlert(google).message, DONE.message);
});

test('a second click while the first is running is refused by the lock', () => {
  const { script, google } = setUp();
  let secondClickRequests = null;
  google.handler = (request) => {
    if (request.method === 'post') {
      // The user clicks again while the first execution waits for the service.
      const before = google.requests.length;
      script.calculate();
      secondClickRequests = google.requests.length - before;
      return { status: 200, body: DONE };
    }
    return null;
  };
  script.calculate();

  assert.equal(secondClickRequests, 0, 'the second click sent nothing');
  const alerts = google.of('alert');
  assert.equal(alerts.length, 2);
  assert.match(alerts[0].message, /Un calcul est déjà en cours sur ce classeur/);
  assert.equal(alerts[1].message, DONE.message);
  lockIsFree(google);

  google.handler = null;   // and once done, a new click works again
  google.respond({ status: 200, body: DONE });
  script.calculate();
  assert.equal(google.of('alert').length, 3);
  assert.equal(google.of('alert')[2].message, DONE.message);
});

test('missing properties give the configuration message and send nothing', () => {
  for (const properties of [{}, { KC_SERVICE_URL: URL }, { KC_SERVICE_KEY: KEY },
    { KC_SERVICE_URL: 'kc.example.com', KC_SERVICE_KEY: KEY }]) {
    const { script, google } = setUp(properties);
    script.calculate();
    assert.equal(google.requests.length, 0);
    const { message } = onlyAlert(google);
    assert.match(message, /^Le service kc_sheets n'est pas configuré : lancez « kc-sheets gsheet install-script »/);
    assert.deepEqual(google.of('lock'), [], 'no lock taken');
  }
});

test('the configuration message is in English for an English spreadsheet', () => {
  const { script, google } = setUp({}, { spreadsheetLocale: 'en_US' });
  script.calculate();
  assert.match(onlyAlert(google).message, /^The kc_sheets service is not set up/);
});

test('run without a UI (script editor), calculate logs its message instead of failing', () => {
  const { script, google } = setUp(PROPS, { noUi: true });
  google.respond({ status: 200, body: DONE });
  script.calculate();
  assert.deepEqual(google.of('alert'), []);
  assert.ok(google.of('log').some((l) => l.message.includes(DONE.message)));
});

test('the service key and the token never reach the logs or the user', () => {
  const { script, google } = setUp();
  google.respond({ error: `Exception: Timeout: ${URL}/v1/calculate` });
  script.calculate();
  for (const event of google.events.filter((e) => e.type !== 'request')) {
    const text = JSON.stringify(event);
    assert.ok(!text.includes(KEY) && !text.includes(TOKEN), text);
  }
});

test('settings can come from a Config.gs file; script properties override it', () => {
  const configSource = `const KC_CONFIG = {
    KC_SERVICE_URL: 'https://from-config.example.run.app',
    KC_SERVICE_KEY: 'key-from-config',
    KC_TEMPLATE: 'first-vs-repeat',
    KC_LANG: 'en',
  };`;
  const fromFile = loadScript({ configSource });
  fromFile.google.respond({ status: 200, body: DONE });
  fromFile.script.calculate();
  const [request] = fromFile.google.requests;
  assert.equal(request.url, 'https://from-config.example.run.app/v1/calculate');
  assert.equal(request.headers['X-KC-Key'], 'key-from-config');
  assert.deepEqual(JSON.parse(request.payload),
    { spreadsheetId: fromFile.google.spreadsheetId, template: 'first-vs-repeat', lang: 'en' });

  const overridden = loadScript({ configSource,
    properties: { KC_SERVICE_KEY: 'key-from-properties', KC_LANG: 'fr' } });
  overridden.google.respond({ status: 200, body: DONE });
  overridden.script.calculate();
  const [second] = overridden.google.requests;
  assert.equal(second.url, 'https://from-config.example.run.app/v1/calculate');
  assert.equal(second.headers['X-KC-Key'], 'key-from-properties');
  assert.equal(JSON.parse(second.payload).lang, 'fr');
});

test('an unexpected failure of a Google service gives a short message and frees the lock', () => {
  const { script, google } = setUp();
  google.spreadsheet.getId = () => {
    throw new Error('Exception: Service Spreadsheets failed while accessing document.');
  };
  script.calculate();
  assert.equal(google.requests.length, 0);
  const { title, message } = onlyAlert(google);
  assert.equal(title, "Le calcul n'a pas abouti");
  assert.equal(message, 'Erreur inattendue dans le script du bouton Calculer (Service ' +
    'Spreadsheets failed while accessing document.). Réessayez ; si cela continue, contactez ' +
    'la personne qui a installé ce classeur.');
  lockIsFree(google);
});
