'use strict';
/**
 * A stand-in for the kc_sheets HTTP service, for forward.test.js: it speaks the contract of
 * sheet_templates/apps_script/README.md on 127.0.0.1 and checks what Code.gs sends.
 * Usage: node stub_kc_service.js KEY TOKEN; prints the port once listening. The job it starts
 * answers "running" to its first poll and "done" to the second.
 */

const http = require('node:http');

const [key, token] = process.argv.slice(2);
const jobs = new Map();

function send(response, status, body, headers = {}) {
  response.writeHead(status, Object.assign({ 'Content-Type': 'application/json' }, headers));
  response.end(JSON.stringify(body));
}

function refuse(response, status, code, message) {
  send(response, status, { error: { code, message, where: '' } });
}

const server = http.createServer((request, response) => {
  let raw = '';
  request.on('data', (chunk) => { raw += chunk; });
  request.on('end', () => {
    if (request.headers['x-kc-key'] !== key) return refuse(response, 401, 'bad_key', 'Clé refusée.');
    if (request.headers.authorization !== `Bearer ${token}`) {
      return refuse(response, 401, 'bad_token', 'Jeton Google refusé.');
    }
    if (request.method === 'POST' && request.url === '/v1/calculate') {
      if (request.headers['content-type'] !== 'application/json') {
        return refuse(response, 415, 'bad_type', 'JSON attendu.');
      }
      let body;
      try { body = JSON.parse(raw); } catch (err) { return refuse(response, 400, 'bad_json', 'JSON illisible.'); }
      const keys = Object.keys(body).sort().join(',');
      if (keys !== 'lang,spreadsheetId,template' || !['fr', 'en'].includes(body.lang)) {
        return refuse(response, 400, 'bad_body', `Corps inattendu : ${keys}`);
      }
      const id = `job-${jobs.size + 1}`;
      jobs.set(id, { polls: 0, lang: body.lang });
      return send(response, 202, { status: 'running', job: id, poll_after: 1 });
    }
    const match = /^\/v1\/jobs\/([\w-]+)$/.exec(request.url);
    if (request.method === 'GET' && match && jobs.has(match[1])) {
      const job = jobs.get(match[1]);
      job.polls += 1;
      if (job.polls < 2) return send(response, 200, { status: 'running', job: match[1] });
      return send(response, 200, { status: 'done', rows_read: 10, rows_used: 9,
        rows_set_aside: 1, seconds: 0.4,
        message: job.lang === 'fr' ? '9 lignes utilisées sur 10, 1 mise de côté.'
          : '9 rows used out of 10, 1 set aside.' });
    }
    return refuse(response, 404, 'not_found', `Pas de ${request.method} ${request.url}.`);
  });
});

server.listen(0, '127.0.0.1', () => {
  process.stdout.write(`${server.address().port}\n`);
});
