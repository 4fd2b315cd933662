/**
 * kc_sheets: the « Calculer » button of a Google Sheets template.
 *
 * Apps Script cannot run Python, so this script only talks to the kc_sheets HTTP service. The
 * service reads Raw Data and Settings, runs the engine and writes the result tabs itself, with the
 * Google token of the person who clicked (so Google decides who may touch which sheet).
 *
 *   POST {KC_SERVICE_URL}/v1/calculate   {"spreadsheetId", "template", "lang"}
 *        headers X-KC-Key: {KC_SERVICE_KEY}, Authorization: Bearer {ScriptApp.getOAuthToken()}
 *   200  {"status": "done", "rows_read", "rows_used", "rows_set_aside", "seconds", "message"}
 *   202  {"status": "running", "job", "poll_after"}, then GET {KC_SERVICE_URL}/v1/jobs/{job}
 *        (same two headers) until "status" is "done" or "failed"
 *   4xx/5xx  {"error": {"code", "message", "where"}}, message already in the requested language
 *
 * Settings: KC_SERVICE_URL, KC_SERVICE_KEY, KC_TEMPLATE (empty: the service reads it from the
 * Settings tab), KC_LANG ("fr" or "en"). Each is read from the script properties and, when a
 * property is unset, from the KC_CONFIG object of a Config.gs file uploaded next to this one
 * (the Apps Script API can upload files but cannot write script properties).
 *
 * Plain ES2019 for the V8 runtime, no library. Names ending in "_" are private: Apps Script hides
 * them from the Run menu and they cannot be assigned to a button. Developer notes: README.md.
 */

const KC_PROPERTY = Object.freeze({
  URL: 'KC_SERVICE_URL',
  KEY: 'KC_SERVICE_KEY',
  TEMPLATE: 'KC_TEMPLATE',
  LANG: 'KC_LANG',
});

const KC_TIMING = Object.freeze({
  // Google stops an execution after 6 minutes and one UrlFetch call can wait about 60 s, so no
  // request (poll or retry) starts later than 4 min 45 s after the click: the last answer then
  // arrives before 5 min 45 s, which leaves time to tell the user what happens next.
  LAST_REQUEST_START_MS: 285000,
  POLL_DEFAULT_S: 2,
  POLL_MIN_S: 1,
  POLL_MAX_S: 15,
  MAX_POLLS: 200,
  // 429 / 503 (and, for the idempotent job polls, 500 / 502 / 504 and network errors):
  // 1 try + 3 retries, waiting 2 s, 4 s, 8 s (or the service's Retry-After, at most 30 s).
  MAX_ATTEMPTS: 4,
  BACKOFF_BASE_MS: 2000,
  BACKOFF_MAX_MS: 30000,
  LOCK_WAIT_MS: 500,
  // A job still running when this execution gives up is remembered for the next click.
  PENDING_JOB_TTL_S: 3600,
  TOAST_S: 30,
});

const KC_PENDING_JOB_KEY = 'kc_sheets.pending_job';

// Tabs that hold inputs or explanations, in both languages; the first other tab is a result tab.
const KC_NON_RESULT_TABS = Object.freeze([
  'Lisez-moi', 'Read me', 'Raw Data', 'Paramètres', 'Settings',
  'Qualité des données', 'Data quality', 'Glossaire', 'Glossary',
]);

const TEXTS = Object.freeze({
  fr: Object.freeze({
    menu: 'Connaissance client',
    menuCalculate: 'Calculer',
    menuHelp: 'Aide',
    menuInstall: 'Installer le bouton Calculer',
    appTitle: 'Connaissance client',
    notConfigured: "Le service kc_sheets n'est pas configuré : lancez « kc-sheets gsheet " +
      "install-script » sur ce classeur (avec --service-url), puis rouvrez-le.",
    alreadyRunning: "Un calcul est déjà en cours sur ce classeur. Attendez qu'il se termine " +
      '(quelques minutes au plus), puis réessayez.',
    progressTitle: 'Calcul en cours',
    progressStart: 'Envoi au service kc_sheets… Laissez le classeur ouvert.',
    progressRunning: 'Calcul en cours depuis {seconds} s… Laissez le classeur ouvert.',
    progressBusy: 'Service occupé : nouvel essai dans {seconds} s…',
    progressResume: 'Un calcul lancé précédemment est encore en cours : suivi de ce calcul…',
    doneTitle: 'Calcul terminé',
    doneToast: 'Résultats écrits dans le classeur.',
    doneSummary: '{used} lignes utilisées sur {read} lues, {aside} mises de côté (détail dans ' +
      "l'onglet « Qualité des données »). Durée : {seconds} s.",
    previousDone: 'Le calcul lancé précédemment est terminé.\n\n{summary}\n\n' +
      'Cliquez de nouveau sur Calculer pour relancer avec les données actuelles.',
    continuesTitle: 'Calcul toujours en cours',
    continues: 'Le calcul dure plus de 5 minutes : il continue sur le service kc_sheets et les ' +
      "résultats s'écriront d'eux-mêmes dans le classeur. Rouvrez-le dans quelques minutes, ou " +
      'cliquez de nouveau sur Calculer pour suivre ce même calcul.',
    errorTitle: "Le calcul n'a pas abouti",
    where: 'Où : {where}',
    clickAgain: 'Cliquez de nouveau sur Calculer pour relancer.',
    http401: "Le service kc_sheets a refusé l'accès (clé du service ou autorisation Google non " +
      'valide). Rouvrez le classeur et réessayez ; si cela continue, relancez « kc-sheets ' +
      'gsheet install-script ».',
    http403: 'Le service kc_sheets ne peut pas ouvrir ce classeur avec votre compte Google. ' +
      'Vérifiez que vous avez le droit de le modifier.',
    http404: "Le service kc_sheets est introuvable à l'adresse {url}. Relancez « kc-sheets " +
      'gsheet install-script » avec la bonne --service-url.',
    httpRedirect: 'Le service kc_sheets a répondu par une redirection (code {status}) : ' +
      "vérifiez son adresse ({url}), qui doit être celle donnée par le déploiement, en https.",
    http413: 'Les données sont trop volumineuses pour un calcul depuis Google Sheets. Allégez ' +
      "l'onglet Raw Data, ou lancez « kc-sheets gsheet calculate » depuis un terminal.",
    busy: 'Le service kc_sheets est occupé. Réessayez dans une minute.',
    http5xx: 'Le service kc_sheets a rencontré une erreur (code {status}). Réessayez dans une ' +
      'minute ; si cela continue, contactez la personne qui a installé ce classeur.',
    httpOther: 'Réponse inattendue du service kc_sheets (code {status}). Réessayez ; si cela ' +
      'continue, contactez la personne qui a installé ce classeur.',
    badAnswer: 'Le service kc_sheets a renvoyé une réponse illisible. Réessayez ; si cela ' +
      'continue, contactez la personne qui a installé ce classeur.',
    network: 'Impossible de joindre le service kc_sheets ({host}) : il ne répond pas ou la ' +
      'connexion a échoué. Vérifiez votre connexion et réessayez dans une minute.',
    jobFailed: 'Le calcul a échoué sur le service kc_sheets.',
    jobLost: 'Le service kc_sheets ne retrouve plus ce calcul (il a sans doute redémarré). ' +
      'Cliquez de nouveau sur Calculer.',
    unexpected: 'Erreur inattendue dans le script du bouton Calculer ({detail}). Réessayez ; si ' +
      'cela continue, contactez la personne qui a installé ce classeur.',
    buttonText: 'Calculer',
    buttonAlt: 'Lance le calcul, comme le menu Connaissance client > Calculer.',
    buttonInstalled: "Bouton « Calculer » ajouté en haut de l'onglet « {tab} ». Cliquez " +
      'dessus pour lancer le calcul.',
    buttonExists: "Le bouton « Calculer » est déjà sur l'onglet « {tab} ».",
    helpTitle: 'Aide : connaissance client',
    helpIntro: 'Ce classeur calcule ses résultats avec le service kc_sheets, en 4 étapes :',
    helpSteps: Object.freeze([
      'Collez votre export de commandes, avec sa ligne d’en-têtes, en cellule A1 de ' +
        'l’onglet « Raw Data ».',
      'Vérifiez l’onglet « Paramètres » (période d’analyse ; colonnes si leurs en-têtes ne ' +
        'sont pas reconnus).',
      'Cliquez sur le bouton « Calculer » (ou menu Connaissance client > Calculer). Comptez ' +
        'de quelques secondes à quelques minutes ; laissez le classeur ouvert.',
      'Lisez les onglets de résultats, puis l’onglet « Qualité des données » : chaque ligne ' +
        'de Raw Data y est comptée, utilisée ou mise de côté avec son motif.',
    ]),
    helpButton: 'Pas de bouton ? Menu Connaissance client > Installer le bouton Calculer.',
    close: 'Fermer',
  }),
  en: Object.freeze({
    menu: 'Customer knowledge',
    menuCalculate: 'Calculate',
    menuHelp: 'Help',
    menuInstall: 'Install the Calculate button',
    appTitle: 'Customer knowledge',
    notConfigured: "The kc_sheets service is not set up: run 'kc-sheets gsheet install-script' " +
      'on this spreadsheet (with --service-url), then reopen it.',
    alreadyRunning: 'A calculation is already running on this spreadsheet. Wait for it to ' +
      'finish (a few minutes at most), then try again.',
    progressTitle: 'Calculating',
    progressStart: 'Sending to the kc_sheets service… Keep the spreadsheet open.',
    progressRunning: 'Calculating for {seconds} s… Keep the spreadsheet open.',
    progressBusy: 'Service busy: trying again in {seconds} s…',
    progressResume: 'A calculation started earlier is still running: following it…',
    doneTitle: 'Calculation done',
    doneToast: 'Results written to the spreadsheet.',
    doneSummary: "{used} rows used out of {read} read, {aside} set aside (details in the " +
      "'Data quality' tab). Time: {seconds} s.",
    previousDone: 'The calculation started earlier is done.\n\n{summary}\n\n' +
      'Click Calculate again to run it on the current data.',
    continuesTitle: 'Still calculating',
    continues: 'The calculation takes more than 5 minutes: it goes on in the kc_sheets service ' +
      'and the results will be written to the spreadsheet by themselves. Reopen it in a few ' +
      'minutes, or click Calculate again to follow the same calculation.',
    errorTitle: 'The calculation did not complete',
    where: 'Where: {where}',
    clickAgain: 'Click Calculate again to retry.',
    http401: 'The kc_sheets service refused access (invalid service key or Google ' +
      "authorisation). Reopen the spreadsheet and try again; if it goes on, run 'kc-sheets " +
      "gsheet install-script' again.",
    http403: 'The kc_sheets service cannot open this spreadsheet with your Google account. ' +
      'Check that you are allowed to edit it.',
    http404: "The kc_sheets service was not found at {url}. Run 'kc-sheets gsheet " +
      "install-script' again with the right --service-url.",
    httpRedirect: 'The kc_sheets service answered with a redirect (code {status}): check its ' +
      'address ({url}), which must be the one given by the deployment, in https.',
    http413: 'The data is too large for a calculation from Google Sheets. Make the Raw Data ' +
      "tab smaller, or run 'kc-sheets gsheet calculate' from a terminal.",
    busy: 'The kc_sheets service is busy. Try again in a minute.',
    http5xx: 'The kc_sheets service ran into an error (code {status}). Try again in a minute; ' +
      'if it goes on, contact whoever set up this spreadsheet.',
    httpOther: 'Unexpected answer from the kc_sheets service (code {status}). Try again; if it ' +
      'goes on, contact whoever set up this spreadsheet.',
    badAnswer: 'The kc_sheets service sent an unreadable answer. Try again; if it goes on, ' +
      'contact whoever set up this spreadsheet.',
    network: 'Cannot reach the kc_sheets service ({host}): it does not answer or the ' +
      'connection failed. Check your connection and try again in a minute.',
    jobFailed: 'The calculation failed in the kc_sheets service.',
    jobLost: 'The kc_sheets service no longer knows this calculation (it probably restarted). ' +
      'Click Calculate again.',
    unexpected: 'Unexpected error in the Calculate button script ({detail}). Try again; if it ' +
      'goes on, contact whoever set up this spreadsheet.',
    buttonText: 'Calculate',
    buttonAlt: 'Runs the calculation, like the Customer knowledge > Calculate menu.',
    buttonInstalled: "'Calculate' button added at the top of the '{tab}' tab. Click it to run " +
      'the calculation.',
    buttonExists: "The 'Calculate' button is already on the '{tab}' tab.",
    helpTitle: 'Help: customer knowledge',
    helpIntro: 'This spreadsheet computes its results with the kc_sheets service, in 4 steps:',
    helpSteps: Object.freeze([
      "Paste your order export, header row included, in cell A1 of the 'Raw Data' tab.",
      "Check the 'Settings' tab (analysis period; columns whose headers are not recognised).",
      "Click the 'Calculate' button (or the Customer knowledge > Calculate menu). It takes a " +
        'few seconds to a few minutes; keep the spreadsheet open.',
      "Read the result tabs, then the 'Data quality' tab: every Raw Data row is counted " +
        'there, used or set aside with its reason.',
    ]),
    helpButton: 'No button? Customer knowledge menu > Install the Calculate button.',
    close: 'Close',
  }),
});

// "Calculer" / "Calculate" buttons, 320 x 80 px PNG shown at 160 x 40 px (sharp on dense
// screens). How they were drawn: README.md.
const KC_BUTTON_PNG = Object.freeze({
  fr: 'iVBORw0KGgoAAAANSUhEUgAAAUAAAABQCAMAAABf71y3AAAAYFBMVEXgeh/+/v64XxIAAAD449HuuovihTL007TqqG3gfSTnmFLyyqftsHrxw5r33MX77eLkjUDpoF4AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAACvgXzSAAAAIHRSTlP///8A//////////////////8AAAAAAAAAAAAAAAAAACQ1t1oAAALoSURBVHja7d3pdqsgFAVgTOAwOLXv/7I3akRArFGw3CZ7/2qTgOZbzF3LsrsbhrwQnwx6aYYMfGmEDH5pggx8aYQMfmmCAMwACIkEQQa/NEEAJgNCIUkQgAAsDIggCIIgCIIgCPK/pQJBImAFwlRACKYCFiYUwx3wa0tcDXgZoRFdP3xZ2dCbA15CqPhSfSX1mwNmF6S68kLvDpiZUHfVxwFmJXy2P65I05eSHwKYT9BM9QnboeVnAGYjlGNldfDqt70Mr02UQ6uaj/O2ormWqZJm+ZhXgho5FhDk16fF42VZADAPoY6Pe9/udTitOZTz9kuAzVJAaOddGlcAZQBzEE49eHX/HmDV65CjrQ4CejO9dOrjVUnAdEHlj4DWlQtjSGtqlvcdjsbOO1/iJcDxp6olbXq/vpm0FGAy4fQt1M4HOp+D3J5N7T4gLQOtsUPGE7AzmlT7Z1vgJqBpO7+XOoBTszXhVLQNqJyBdqy2sZfudKlZOM8YuNGFqVtfaAFsVxffAWzD4VNaQMPKAeZbBoZDkObVT4Bytb7bAZThrXML+NfXgfFlzNQupdHzfHEAULwC2P/6MvuynUh0IT0uOviy2DjShdutLhzef1HAjCeBsa2c49FFANeTSL0MBHxrEuFFN3rXncbEDhNq+91MbAz0lzHCNjFtC0SXMVbcSCoJmLnm2HHWc24mUtFJxFlIk3DWKdIW2FhIP9bmZIa9b0nA7FWTXAHq3v5WxwBXW7mwwM9buZKAl1S+PtI382+qiQKGhwlLAbN/mFAQ8LLqV39UoqGj8ZbYBmBwnDXs6Ph0VrV1nKXVeJzV866divw+IEOSAIGQBAgCBEEQBEEQBEEQ5O1yA0EaHwABWBgQgil+N3YHYArg/QEIwYQGOAJC8LTfAIgmmNIAJ0AInm6A4wMYbyA8x3ebHwEKwdN+CyAIj/I5gE9BGB7Rm/zsg7hvyMGEj4KHyCk/958RAOU4nwcIw8N6j/wD6mof49IWSGYAAAAASUVORK5CYII=',
  en: 'iVBORw0KGgoAAAANSUhEUgAAAUAAAABQCAMAAABf71y3AAAAYFBMVEXgeh/+/v64XxIAAAD45NHuuovihTLnmFP00rTqqG3yyqfgfSTtsHrxw5v33MT77eLpoF7kjUAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAACeIiVqAAAAIHRSTlP///8A//////////////////8AAAAAAAAAAAAAAAAAACQ1t1oAAAMRSURBVHja7d3rdqowEAXgYMMkIVza93/ZU0HJbazCRGyPe/9TYdTPkFvXouojjkIeSEoGPZmhAp+MUMFPJqjAJyNU8JMJArACICQEggp+MkEAigGhIBIEIABfDIggCIIgCIIgCPLb0oBACNiAUAoIQSngSwjb8/vq555xHGBlQtOO0/nL2p7eBrAiodOhaGP9UYDz25kXAlYSpK5JQu8DWIXQj80bA1YgvLQ/7cjTl7NvBygVNEuVdr2g7bsBCgntXKLLnv1ci+vOsBzedXoetx1dqyxF+nBYOKOsl3S89vLj9Xau2dKxgBJCz/d7n3F1TSWgi17eBHitxwD24YnWHwu4n9DELeAGYDP5HHBoBIBzvRIwfcYfDLhX0KU94OqqW2PIe+rD6xFgv447X+1DgFy9rA+cD24G8mZiP9KzAXcSLh/b3TlgTDkovrJpeACQq5cCUuiLzY+zqV/WAm8CmmFMr9KIwxXj533Asl4K6CK1+cj+b/SBNy5hGsvygWMo3vIeIFcvBRzyHtb+jVGYH0S8bn4CtMWleQeQrZcC2vw76eMARQs5dhqztEtr/HW82ADYMoBsvTuA0x9ZibAT6XlGocPkZcslPDCAbD3mEq69zj9iLcwu5SKPkQEsB5EudASaAWTrMYPIIXuHtX8lbjOhCxM4rg9MpzHt2n78egLbArN6KpkAUPqjGHvENKZKPW476zI2Ezl2EIkm0tTGndx6AtsHZvWWtjqSTybS39NtMq0+ZB5YqSDZAtBP66OOAyyWcvkJ+SjM1YuKmGIpdwBgxZLllr65PnI9C5hvJoQTDL+UY+opmhLAeDPh+YCVixZ/VKLzVaQHUjcAs+2s84pOLxtR/EqEqXd5Mur6vJu3syY9Do6eOogoRAQIBBEgCBAEQRAEQRAEQZD/LicQyPgACMAXA0JQ4ndSHwCUAH58A0JQ0ABnQAju9jsDoglKGuACCMHdDXC+AeMJhPv4TtdbgEJwt18ABOFWvgjwIgjDLXqL33oj7hOyMfmt4CGyyy/+ZwRA2c6XAMJws953/gG6gCLkWRzdjgAAAABJRU5ErkJggg==',
});
const KC_BUTTON_SIZE = Object.freeze({ width: 160, height: 40 });


// ---------------------------------------------------------------------------------------------
// Entry points
// ---------------------------------------------------------------------------------------------

/**
 * Simple trigger: adds the « Connaissance client » menu. It runs without the user's
 * authorisation (AuthMode.LIMITED in a bound script, NONE in some cases), so it only reads
 * script properties and the spreadsheet's locale, and never calls UrlFetch or writes anything.
 */
function onOpen(e) {
  const mayReadProperties = !(e && e.authMode === ScriptApp.AuthMode.NONE);
  const t = TEXTS[pickLang_(readSettings_(mayReadProperties))];
  SpreadsheetApp.getUi()
    .createMenu(t.menu)
    .addItem(t.menuCalculate, 'calculate')
    .addItem(t.menuHelp, 'showHelp')
    .addSeparator()
    .addItem(t.menuInstall, 'installButton')
    .addToUi();
}

/** The « Calculer » menu item and button: asks the kc_sheets service to calculate this sheet. */
function calculate() {
  const startedAt = Date.now();
  const settings = readSettings_();
  const lang = pickLang_(settings);
  const t = TEXTS[lang];
  const ui = getUi_();
  if (!settings.url || !settings.key || !/^https?:\/\//i.test(settings.url)) {
    tell_(ui, t.appTitle, t.notConfigured);
    return;
  }
  const lock = LockService.getDocumentLock() || LockService.getScriptLock();
  if (!lock.tryLock(KC_TIMING.LOCK_WAIT_MS)) {
    tell_(ui, t.appTitle, t.alreadyRunning);
    return;
  }
  try {
    const run = {
      base: settings.url.replace(/\/+$/, ''),
      key: settings.key,
      token: ScriptApp.getOAuthToken(),
      lang: lang,
      t: t,
      elapsed: function () { return Date.now() - startedAt; },
    };
    const outcome = runCalculation_(run, settings.template);
    present_(ui, run, outcome);
  } catch (err) {
    console.error('kc_sheets calculate: ' + describeError_(err));
    toast_(t.errorTitle, t.appTitle, 5);
    const detail = describeError_(err).replace(/^Exception:\s*/, '');
    tell_(ui, t.errorTitle, fill_(t.unexpected, { detail: detail }));
  } finally {
    lock.releaseLock();
  }
}

/** The « Aide » menu item: the four steps, in a small dialog. */
function showHelp() {
  const t = TEXTS[pickLang_(readSettings_())];
  const steps = t.helpSteps.map(function (s) { return '<li>' + escapeHtml_(s) + '</li>'; });
  const html = '<!DOCTYPE html><html><head><base target="_top"><style>' +
    'body{font-family:Arial,sans-serif;font-size:14px;line-height:1.45;color:#1F3A5F;' +
    'margin:4px 8px}' +
    'ol{padding-left:20px}li{margin-bottom:8px}' +
    'p.note{color:#555;font-size:13px}' +
    'button{background:#E07A1F;color:#fff;border:0;border-radius:4px;padding:6px 18px;' +
    'font-size:14px;cursor:pointer;float:right}</style></head><body>' +
    '<p>' + escapeHtml_(t.helpIntro) + '</p><ol>' + steps.join('') + '</ol>' +
    '<p class="note">' + escapeHtml_(t.helpButton) + '</p>' +
    '<button onclick="google.script.host.close()">' + escapeHtml_(t.close) + '</button>' +
    '</body></html>';
  const output = HtmlService.createHtmlOutput(html).setWidth(480).setHeight(400);
  SpreadsheetApp.getUi().showModalDialog(output, t.helpTitle);
}

/** The « Installer le bouton Calculer » menu item: a button image that runs calculate(). */
function installButton() {
  const lang = pickLang_(readSettings_());
  const t = TEXTS[lang];
  const spreadsheet = SpreadsheetApp.getActive();
  const sheet = firstResultSheet_(spreadsheet);
  const already = sheet.getImages().some(function (image) {
    return image.getScript() === 'calculate';
  });
  if (already) {
    spreadsheet.setActiveSheet(sheet);
    tell_(getUi_(), t.appTitle, fill_(t.buttonExists, { tab: sheet.getName() }));
    return;
  }
  const blob = Utilities.newBlob(Utilities.base64Decode(KC_BUTTON_PNG[lang]), 'image/png',
    'kc-sheets-calculate.png');
  // Top right of the used area: row 2, right edge on the right edge of the last used column.
  const column = Math.max(sheet.getLastColumn(), 2);
  const offsetX = Math.max(sheet.getColumnWidth(column) - KC_BUTTON_SIZE.width, 0);
  const image = sheet.insertImage(blob, column, 2, offsetX, 0);
  image.setWidth(KC_BUTTON_SIZE.width).setHeight(KC_BUTTON_SIZE.height);
  image.setAltTextTitle(t.buttonText).setAltTextDescription(t.buttonAlt);
  image.assignScript('calculate');
  spreadsheet.setActiveSheet(sheet);
  toast_(fill_(t.buttonInstalled, { tab: sheet.getName() }), t.appTitle, 10);
}


// ---------------------------------------------------------------------------------------------
// The calculation: one POST, then polls of the job when the service answers 202
// ---------------------------------------------------------------------------------------------

/**
 * Runs (or resumes) a calculation and returns what to tell the user:
 * {kind: "done" | "failed" | "error" | "continues" | "network" | "lost", ...}.
 */
function runCalculation_(run, template) {
  const pending = loadPendingJob_();
  if (pending) {
    // The previous click gave up waiting while its job went on: follow that job rather than
    // start a second one that would write the same tabs at the same time.
    toast_(run.t.progressResume, run.t.progressTitle, KC_TIMING.TOAST_S);
    const resumed = pollJob_(run, pending.job, pending.pollAfter);
    if (!jobMayStillRun_(resumed)) clearPendingJob_();
    if (resumed.kind !== 'lost') {
      resumed.resumed = true;
      return resumed;
    }
  }

  toast_(run.t.progressStart, run.t.progressTitle, KC_TIMING.TOAST_S);
  const body = {
    spreadsheetId: SpreadsheetApp.getActive().getId(),
    template: template || '',
    lang: run.lang,
  };
  const answer = request_(run, 'post', run.base + '/v1/calculate', body);
  if (answer.network) return { kind: 'network' };
  if (answer.status === 202) {
    const job = answer.data && answer.data.job;
    if (!job) return { kind: 'error', status: 202, message: run.t.badAnswer };
    savePendingJob_(job, answer.data.poll_after);
    const polled = pollJob_(run, String(job), answer.data.poll_after);
    if (!jobMayStillRun_(polled)) clearPendingJob_();
    return polled;
  }
  return finalOutcome_(run, answer);
}

/**
 * Whether the service may still be working on a job after this outcome: it did not say "done",
 * "failed" or "unknown job", it was only unreachable, busy or in error for a while.
 */
function jobMayStillRun_(outcome) {
  if (outcome.kind === 'continues' || outcome.kind === 'network') return true;
  return outcome.kind === 'error' && (outcome.status === 429 || outcome.status >= 500);
}

/** Polls GET /v1/jobs/{job} until the job ends or the time budget of this execution is spent. */
function pollJob_(run, job, pollAfter) {
  const url = run.base + '/v1/jobs/' + encodeURIComponent(job);
  let waitMs = pollDelayMs_(pollAfter);
  for (let poll = 0; poll < KC_TIMING.MAX_POLLS; poll++) {
    if (run.elapsed() + waitMs > KC_TIMING.LAST_REQUEST_START_MS) break;
    Utilities.sleep(waitMs);
    const answer = request_(run, 'get', url, null);
    if (answer.network) return { kind: 'network' };
    if (answer.status === 404) return { kind: 'lost' };
    if (answer.status !== 200 || !answer.data || answer.data.status !== 'running') {
      return finalOutcome_(run, answer);
    }
    if (answer.data.poll_after) waitMs = pollDelayMs_(answer.data.poll_after);
    const seconds = Math.round(run.elapsed() / 1000);
    toast_(fill_(run.t.progressRunning, { seconds: seconds }), run.t.progressTitle,
      KC_TIMING.TOAST_S);
  }
  return { kind: 'continues' };
}

/** Turns a final answer (200 done/failed, or an error status) into an outcome. */
function finalOutcome_(run, answer) {
  const data = answer.data;
  if (answer.status === 200) {
    if (data && data.status === 'done') return { kind: 'done', data: data };
    if (data && data.status === 'failed') {
      const error = data.error || {};
      return { kind: 'failed', message: text_(error.message) || run.t.jobFailed,
        where: text_(error.where) };
    }
    return { kind: 'error', status: 200, message: run.t.badAnswer };
  }
  const error = (data && data.error) || {};
  const message = text_(error.message) || statusMessage_(run, answer.status);
  return { kind: 'error', status: answer.status, message: message, where: text_(error.where) };
}

/** The message for an error status when the service sent none. */
function statusMessage_(run, status) {
  const t = run.t;
  if (status === 401) return t.http401;
  if (status === 403) return t.http403;
  if (status === 404) return fill_(t.http404, { url: run.base });
  if (status === 413) return t.http413;
  if (status >= 300 && status < 400) {
    return fill_(t.httpRedirect, { status: status, url: run.base });
  }
  if (status === 429 || status === 503) return t.busy;
  if (status >= 500) return fill_(t.http5xx, { status: status });
  return fill_(t.httpOther, { status: status });
}

/** Shows an outcome: a toast that ends the progress one, then a dialog with the full text. */
function present_(ui, run, outcome) {
  const t = run.t;
  if (outcome.kind === 'done') {
    let summary = text_(outcome.data.message) || doneSummary_(run, outcome.data);
    if (outcome.resumed) summary = fill_(t.previousDone, { summary: summary });
    toast_(t.doneToast, t.doneTitle, 5);
    tell_(ui, t.doneTitle, summary);
    return;
  }
  if (outcome.kind === 'continues') {
    toast_(t.continuesTitle, t.appTitle, 5);
    tell_(ui, t.continuesTitle, t.continues);
    return;
  }
  let message;
  if (outcome.kind === 'network') {
    message = fill_(t.network, { host: hostOf_(run.base) });
  } else if (outcome.kind === 'lost') {
    message = t.jobLost;
  } else {
    message = outcome.message;
    if (outcome.where) message += '\n\n' + fill_(t.where, { where: outcome.where });
    if (outcome.resumed) message += '\n\n' + t.clickAgain;
  }
  toast_(t.errorTitle, t.appTitle, 5);
  tell_(ui, t.errorTitle, message);
}

/** The summary when the service's answer has figures but no message. */
function doneSummary_(run, data) {
  return fill_(run.t.doneSummary, {
    used: formatNumber_(data.rows_used, run.lang, 0),
    read: formatNumber_(data.rows_read, run.lang, 0),
    aside: formatNumber_(data.rows_set_aside, run.lang, 0),
    seconds: formatNumber_(data.seconds, run.lang, 1),
  });
}


// ---------------------------------------------------------------------------------------------
// HTTP: every request to the service is built here
// ---------------------------------------------------------------------------------------------

/**
 * One request with bounded retries. Returns {status, data} (data: the parsed JSON body or null)
 * or {network: true} when the service could not be reached. A POST is retried only on 429/503
 * (the service did not start anything); a job poll, being a read, also on 500/502/504 and on
 * network errors. Retries stop early rather than pass the execution's time budget.
 */
function request_(run, method, url, body) {
  const retryOn = method === 'get' ? [429, 500, 502, 503, 504] : [429, 503];
  const params = {
    method: method,
    headers: { 'X-KC-Key': run.key, 'Authorization': 'Bearer ' + run.token },
    muteHttpExceptions: true,
    followRedirects: false,   // the user's token goes to the service's host and nowhere else
  };
  if (body) {
    params.contentType = 'application/json';
    params.payload = JSON.stringify(body);
  }
  for (let attempt = 1; ; attempt++) {
    let answer;
    try {
      const response = UrlFetchApp.fetch(url, params);
      answer = {
        status: response.getResponseCode(),
        data: parseJson_(response.getContentText()),
        retryAfter: headerValue_(response.getHeaders(), 'Retry-After'),
      };
    } catch (err) {
      // DNS failure, refused connection, TLS error, or the ~60 s UrlFetch timeout.
      console.warn('kc_sheets: ' + method.toUpperCase() + ' ' + url + ' failed: ' +
        describeError_(err));
      answer = { network: true };
    }
    const retriable = answer.network ? method === 'get' : retryOn.indexOf(answer.status) >= 0;
    if (!retriable || attempt >= KC_TIMING.MAX_ATTEMPTS) return answer;
    const waitMs = backoffMs_(attempt, answer.retryAfter);
    if (run.elapsed() + waitMs > KC_TIMING.LAST_REQUEST_START_MS) return answer;
    toast_(fill_(run.t.progressBusy, { seconds: Math.round(waitMs / 1000) }),
      run.t.progressTitle, KC_TIMING.TOAST_S);
    Utilities.sleep(waitMs);
  }
}

/** 2 s, 4 s, 8 s… plus up to 0.5 s of jitter, or the service's Retry-After; at most 30 s. */
function backoffMs_(attempt, retryAfter) {
  const asked = Number(retryAfter);
  if (retryAfter !== null && retryAfter !== '' && isFinite(asked) && asked >= 0) {
    return Math.min(Math.max(asked * 1000, 1000), KC_TIMING.BACKOFF_MAX_MS);
  }
  const base = KC_TIMING.BACKOFF_BASE_MS * Math.pow(2, attempt - 1);
  return Math.min(base + Math.floor(Math.random() * 500), KC_TIMING.BACKOFF_MAX_MS);
}

function pollDelayMs_(pollAfter) {
  let seconds = Number(pollAfter);
  if (!isFinite(seconds) || seconds <= 0) seconds = KC_TIMING.POLL_DEFAULT_S;
  seconds = Math.min(Math.max(seconds, KC_TIMING.POLL_MIN_S), KC_TIMING.POLL_MAX_S);
  return Math.round(seconds * 1000);
}

function headerValue_(headers, name) {
  const wanted = name.toLowerCase();
  const keys = Object.keys(headers || {});
  for (let i = 0; i < keys.length; i++) {
    if (keys[i].toLowerCase() === wanted) return String(headers[keys[i]]);
  }
  return null;
}

function parseJson_(text) {
  if (!text) return null;
  try {
    const value = JSON.parse(text);
    return value && typeof value === 'object' ? value : null;
  } catch (err) {
    return null;
  }
}


// ---------------------------------------------------------------------------------------------
// Settings, language, pending job
// ---------------------------------------------------------------------------------------------

/**
 * The settings (trimmed, "" if unset): script properties first, then KC_CONFIG from Config.gs,
 * the file `kc-sheets gsheet install-script` uploads with this one.
 */
function readSettings_(withProperties) {
  let values = {};
  try {
    if (withProperties !== false) {
      values = PropertiesService.getScriptProperties().getProperties() || {};
    }
  } catch (err) {
    console.warn('kc_sheets: script properties unreadable: ' + describeError_(err));
  }
  const file = typeof KC_CONFIG === 'object' && KC_CONFIG !== null ? KC_CONFIG : {};
  const get = function (name) {
    const value = String(values[name] || '').trim();
    return value || String(file[name] || '').trim();
  };
  return {
    url: get(KC_PROPERTY.URL),
    key: get(KC_PROPERTY.KEY),
    template: get(KC_PROPERTY.TEMPLATE),
    lang: get(KC_PROPERTY.LANG),
  };
}

/** "fr" or "en": KC_LANG, else the spreadsheet's locale, else the user's; French by default. */
function pickLang_(settings) {
  const candidates = [settings.lang];
  try {
    candidates.push(SpreadsheetApp.getActive().getSpreadsheetLocale());
  } catch (err) { /* no spreadsheet in this context */ }
  try {
    candidates.push(Session.getActiveUserLocale());
  } catch (err) { /* not available in this context */ }
  for (let i = 0; i < candidates.length; i++) {
    const code = String(candidates[i] || '').toLowerCase();
    if (code.indexOf('fr') === 0) return 'fr';
    if (code.indexOf('en') === 0) return 'en';
  }
  return 'fr';
}

function pendingCache_() {
  try {
    return CacheService.getDocumentCache();
  } catch (err) {
    return null;
  }
}

function loadPendingJob_() {
  const cache = pendingCache_();
  const saved = cache ? parseJson_(cache.get(KC_PENDING_JOB_KEY)) : null;
  return saved && saved.job ? saved : null;
}

function savePendingJob_(job, pollAfter) {
  const cache = pendingCache_();
  if (cache) {
    cache.put(KC_PENDING_JOB_KEY, JSON.stringify({ job: String(job), pollAfter: pollAfter }),
      KC_TIMING.PENDING_JOB_TTL_S);
  }
}

function clearPendingJob_() {
  const cache = pendingCache_();
  if (cache) cache.remove(KC_PENDING_JOB_KEY);
}


// ---------------------------------------------------------------------------------------------
// Small helpers
// ---------------------------------------------------------------------------------------------

/** The first tab that is not Read me / Raw Data / Settings / Data quality / Glossary. */
function firstResultSheet_(spreadsheet) {
  const sheets = spreadsheet.getSheets();
  for (let i = 0; i < sheets.length; i++) {
    if (KC_NON_RESULT_TABS.indexOf(sheets[i].getName()) < 0) return sheets[i];
  }
  return spreadsheet.getActiveSheet();
}

/** The spreadsheet UI, or null when the script runs without one (editor, trigger). */
function getUi_() {
  try {
    return SpreadsheetApp.getUi();
  } catch (err) {
    return null;
  }
}

/** A dialog with an OK button; in the log when there is no UI to show it. */
function tell_(ui, title, message) {
  if (ui) {
    ui.alert(title, message, ui.ButtonSet.OK);
  } else {
    console.log(title + ': ' + message);
  }
}

function toast_(message, title, seconds) {
  try {
    SpreadsheetApp.getActive().toast(message, title, seconds);
  } catch (err) { /* no spreadsheet open in this context */ }
}

/** Replaces {name} in a text with values[name]. */
function fill_(text, values) {
  return text.replace(/\{(\w+)\}/g, function (whole, name) {
    return Object.prototype.hasOwnProperty.call(values, name) ? String(values[name]) : whole;
  });
}

function text_(value) {
  return typeof value === 'string' ? value.trim() : '';
}

/** 12345.6 -> "12 345,6" (fr) or "12,345.6" (en). */
function formatNumber_(value, lang, decimals) {
  const number = Number(value);
  if (!isFinite(number)) return '?';
  const parts = Math.abs(number).toFixed(decimals).split('.');
  const group = lang === 'fr' ? '\u202f' : ',';
  const integer = parts[0].replace(/\B(?=(\d{3})+(?!\d))/g, group);
  const sign = number < 0 ? '-' : '';
  if (parts.length === 1) return sign + integer;
  return sign + integer + (lang === 'fr' ? ',' : '.') + parts[1];
}

function hostOf_(url) {
  const match = /^[a-z]+:\/\/([^/?#]+)/i.exec(url);
  return match ? match[1] : url;
}

/** An error's own message, never its stack. */
function describeError_(err) {
  if (err && typeof err.message === 'string' && err.message) return err.message;
  return String(err);
}

function escapeHtml_(text) {
  return String(text).replace(/[&<>"']/g, function (c) {
    return { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' }[c];
  });
}
