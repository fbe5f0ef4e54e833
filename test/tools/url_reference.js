// url_reference.js -- the independent reference for url_normalize() and
// url_host(): Node.js's WHATWG URL parser, followed by the extra steps the
// README documents, written here without any of the extension's code.
//
//   node test/tools/url_reference.js urls < urls.txt > expected.tsv
//   node test/tools/url_reference.js psl < test_psl.txt > psl.tsv
//
// "urls": one URL a line in, "line<TAB>normal form<TAB>host" out (NULL for
// what is not an absolute http, https, ws, wss or ftp URL), as
// test/tools/url_cli prints them.  "psl": the checkPublicSuffix(input,
// expected) cases of the Public Suffix List's test file, with both domains
// converted to ASCII (punycode) by Node's url.domainToASCII, as
// "input<TAB>expected" (NULL for null).
'use strict';
const url = require('url');
const fs = require('fs');

const SCHEMES = new Set(['http:', 'https:', 'ws:', 'wss:', 'ftp:']);
const TRACKING = new Set(['fbclid', 'gclid', 'dclid', 'gbraid', 'wbraid', 'msclkid', 'mc_cid',
  'mc_eid', 'yclid', 'igshid', 'twclid', 'ttclid', '_ga', '_gl']);

// decode %XX of unreserved characters, upper-case the hex of the others,
// and write a "%" that starts no %XX as "%25"
function percentTidy(s) {
  return s.replace(/%(?![0-9a-fA-F]{2})/g, '%25').replace(/%([0-9a-fA-F]{2})/g, (m, hex) => {
    const c = String.fromCharCode(parseInt(hex, 16));
    return /[A-Za-z0-9\-._~]/.test(c) ? c : '%' + hex.toUpperCase();
  });
}

function isTracking(name) {
  const lower = name.toLowerCase();
  return (lower.startsWith('utm_') && lower.length > 4) || TRACKING.has(lower);
}

function normalize(input) {
  let u;
  try {
    u = new URL(input);
  } catch (e) {
    return null;
  }
  if (!SCHEMES.has(u.protocol))
    return null;
  let host = u.hostname;
  // trailing dots of a domain (not an IP address) are removed, unless only
  // dots would be left or what is left would end in a number (the URL
  // standard would then read it as an IPv4 address)
  let stripped = host;
  while (stripped.endsWith('.') && stripped.length > 1 && !stripped.startsWith('['))
    stripped = stripped.slice(0, -1);
  if (!/^([0-9]+|0[xX][0-9a-fA-F]*)$/.test(stripped.split('.').pop()))
    host = stripped;
  let creds = '';
  if (u.username !== '' || u.password !== '') {
    creds = percentTidy(u.username);
    if (u.password !== '')
      creds += ':' + percentTidy(u.password);
    creds += '@';
  }
  const port = u.port === '' ? '' : ':' + u.port;
  const path = percentTidy(u.pathname);
  let query = '';
  if (u.search !== '' || u.href.includes('?')) {
    const raw = u.search.startsWith('?') ? u.search.slice(1) : u.search;
    const kept = raw.split('&').map(percentTidy).filter((p) => !isTracking(p.split('=')[0]));
    const joined = kept.join('&');
    if (joined !== '')
      query = '?' + joined;
  }
  return { normal: u.protocol + '//' + creds + host + port + path + query, host };
}

const mode = process.argv[2];
const lines = fs.readFileSync(0, 'utf8').split('\n');
if (lines.length > 0 && lines[lines.length - 1] === '')
  lines.pop();
const out = [];
if (mode === 'urls') {
  lines.forEach((line, i) => {
    const r = normalize(line);
    out.push((i + 1) + '\t' + (r ? r.normal : 'NULL') + '\t' + (r ? r.host : 'NULL'));
  });
} else if (mode === 'psl') {
  const ascii = (s) => (s === null ? 'NULL' : url.domainToASCII(s) || 'INVALID');
  for (const line of lines) {
    const m = /^checkPublicSuffix\((null|'[^']*'), (null|'[^']*')\);/.exec(line);
    if (!m || m[1] === 'null')
      continue;
    const input = m[1].slice(1, -1);
    const expected = m[2] === 'null' ? null : m[2].slice(1, -1);
    out.push(ascii(input) + '\t' + ascii(expected));
  }
} else {
  console.error('usage: url_reference.js urls|psl < input');
  process.exit(2);
}
process.stdout.write(out.join('\n') + (out.length ? '\n' : ''));
