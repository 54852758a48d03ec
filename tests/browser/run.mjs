// End-to-end browser tests of rightsdesk's server-rendered pages.
//
// Run through scripts/browser-tests.sh, which starts the servers and sets the
// environment. To run against servers you started yourself:
//
//   RIGHTSDESK_BASE_URL=http://127.0.0.1:8080 \
//   RIGHTSDESK_DPO_EMAIL=dpo@satama.example RIGHTSDESK_DPO_PASSWORD=... \
//   [RIGHTSDESK_LIMITED_BASE_URL=http://127.0.0.1:8081]  # a server with RIGHTSDESK_SUBMIT_LIMIT=1
//   [RIGHTSDESK_STAFF_PASSWORD=... RIGHTSDESK_ADMIN_PASSWORD=...]  # the demo's other accounts
//   [RIGHTSDESK_OTHER_STAFF_EMAIL=... RIGHTSDESK_OTHER_STAFF_PASSWORD=...]  # staff of a second organisation
//   [SCREENSHOT_DIR=target/screenshots] [TEST_FILTER=substring] \
//   node tests/browser/run.mjs
//
// The main server must run `serve --demo` with RIGHTSDESK_SUBMIT_LIMIT and
// RIGHTSDESK_TOKEN_GUESS_LIMIT high enough (the script uses 1000).
// Expected texts and form fields are read from web/texts.toml and forms/*.toml,
// so the tests follow those files instead of repeating them.
// Prints one line per test ("ok" or "FAIL"), then "N passed, N failed"; exits 1
// on any failure.

import { chromium } from 'playwright-core';
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseToml } from './toml-lite.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const repo = path.resolve(here, '..', '..');
const require = createRequire(import.meta.url);

// ------------------------------------------------------------------ settings

const BASE = (process.env.RIGHTSDESK_BASE_URL ?? 'http://127.0.0.1:8080').replace(/\/$/, '');
const LIMITED = process.env.RIGHTSDESK_LIMITED_BASE_URL?.replace(/\/$/, '') || null;
const ORG = process.env.RIGHTSDESK_ORG ?? 'turvakoti-satama';
const DPO_EMAIL = process.env.RIGHTSDESK_DPO_EMAIL ?? 'dpo@satama.example';
const DPO_PASSWORD = process.env.RIGHTSDESK_DPO_PASSWORD ?? '';
const STAFF_EMAIL = process.env.RIGHTSDESK_STAFF_EMAIL ?? 'staff@satama.example';
const STAFF_PASSWORD = process.env.RIGHTSDESK_STAFF_PASSWORD ?? '';
const ADMIN_EMAIL = process.env.RIGHTSDESK_ADMIN_EMAIL || 'admin@satama.example';
const ADMIN_PASSWORD = process.env.RIGHTSDESK_ADMIN_PASSWORD ?? '';
const SHOTS = path.resolve(process.env.SCREENSHOT_DIR ?? path.join(repo, 'target', 'screenshots'));
const FILTER = process.env.TEST_FILTER ?? '';
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const TEST_TIMEOUT_MS = Number(process.env.TEST_TIMEOUT_MS ?? 120_000);

const LANGS = ['fi', 'sv', 'en'];
const VIEWPORTS = {
  phone: { width: 390, height: 844 },
  desktop: { width: 1280, height: 900 },
};
const PERSONAL_ID = '131052-308T';
const REFERENCE_RE = /^[A-Z]+-\d{4}-\d+$/;

// ------------------------------------------------------- the project's texts

const readToml = (rel) => parseToml(readFileSync(path.join(repo, rel), 'utf8'), rel);
const TEXTS = { ...readToml('web/texts.toml'), ...readToml('web/desk-texts.toml') };
const MESSAGES = readToml('forms/messages.toml');
const COMMON = readToml('forms/common.toml');
const FORMS = {};
for (const f of readdirSync(path.join(repo, 'forms'))) {
  if (!f.endsWith('.toml') || f === 'common.toml' || f === 'messages.toml') continue;
  const form = readToml(`forms/${f}`);
  FORMS[form.kind] = form;
}
const KINDS = COMMON.kind_order.order;

function t(key, lang) {
  const v = TEXTS[key]?.[lang];
  if (v === undefined) throw new Error(`web/texts.toml has no ${key}.${lang}`);
  return v;
}
function msg(key, lang) {
  const v = MESSAGES[key]?.[lang];
  if (v === undefined) throw new Error(`forms/messages.toml has no ${key}.${lang}`);
  return v;
}
const field = (list, name) => {
  const f = list.find((x) => x.name === name);
  if (!f) throw new Error(`no field ${name}`);
  return f;
};
const subjectField = (name) => field(COMMON.subject, name);
/** The page's message for a missing field: choices and dates say what to do. */
const requiredMessage = (f, lang) =>
  msg(f.type === 'choice' ? 'required_choice' : f.type === 'date' ? 'required_date' : 'required', lang);

/** The accessible name a field's label gives its control, "(required)" mark included. */
const accName = (f, lang) => f.label[lang] + (f.required ? ` (${t('required_mark', lang)})` : '');
const escapeRe = (s) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
const squash = (s) => (s ?? '').replace(/\s+/g, ' ').trim();

// -------------------------------------------------------------- the runner

const results = [];
let current = null; // the test being run, for subtests and page problems

function record(name, ok, error, ms) {
  results.push({ name, ok, error });
  const time = ms === undefined ? '' : ` (${(ms / 1000).toFixed(1)} s)`;
  console.log(`${ok ? 'ok  ' : 'FAIL'} ${name}${time}`);
  if (!ok) {
    const text = String(error?.stack && !(error instanceof assert.AssertionError) ? error.stack : error?.message ?? error);
    for (const line of text.split('\n').slice(0, 40)) console.log(`       ${line}`);
  }
}

const tests = [];
/** A test; `timeout` (ms) for the long ones, else TEST_TIMEOUT_MS. */
const test = (name, fn, { timeout } = {}) => tests.push({ name, fn, timeout });

/** A separately reported check inside a test: its failure does not stop the test. */
async function subtest(name, fn) {
  const t0 = Date.now();
  try {
    await fn();
    record(name, true, null, Date.now() - t0);
  } catch (e) {
    record(name, false, e, Date.now() - t0);
  }
}

function withTimeout(promise, ms, name) {
  let timer;
  return Promise.race([
    promise,
    new Promise((_, reject) => {
      timer = setTimeout(() => reject(new Error(`${name}: timed out after ${ms / 1000} s`)), ms);
    }),
  ]).finally(() => clearTimeout(timer));
}

// ------------------------------------------------------------ browser helpers

let browser;
const openContexts = new Set();
/** HTML documents seen during the run, for the header checks at the end. */
const documents = [];

async function newPage({ viewport = VIEWPORTS.desktop, base = BASE } = {}) {
  const context = await browser.newContext({ viewport, deviceScaleFactor: 1, baseURL: base, locale: 'fi-FI' });
  context.setDefaultTimeout(10_000);
  context.setDefaultNavigationTimeout(20_000);
  openContexts.add(context);
  const page = await context.newPage();
  page.problems = [];
  page.on('console', (m) => {
    // "Failed to load resource" repeats the status of a response: the document's own
    // (a 404 or 422 page is meant) or a subresource's, which the response handler
    // below reports with its address.
    if (m.text().startsWith('Failed to load resource')) return;
    if (m.type() === 'error' || m.type() === 'warning') page.problems.push(`console ${m.type()}: ${m.text()}`);
  });
  page.on('pageerror', (e) => page.problems.push(`page error: ${e.message}`));
  page.on('requestfailed', (r) => page.problems.push(`request failed: ${r.url()} ${r.failure()?.errorText}`));
  page.on('response', (r) => {
    const req = r.request();
    if (req.resourceType() === 'document' && req.frame() === page.mainFrame()) {
      documents.push({ url: r.url(), method: req.method(), status: r.status(), headers: r.headers() });
    } else if (r.status() >= 400) {
      page.problems.push(`subresource ${r.url()} answered ${r.status()}`);
    }
  });
  return page;
}

async function closeAll() {
  for (const c of openContexts) await c.close().catch(() => {});
  openContexts.clear();
}

async function goto(page, url, expectStatus = 200) {
  const resp = await page.goto(url);
  assert.ok(resp, `no response for ${url}`);
  assert.equal(resp.status(), expectStatus, `GET ${url}: expected ${expectStatus}, got ${resp.status()}`);
  return resp;
}

/** Click something that submits a form or follows a link; returns the new document's response. */
async function clickAndWait(page, locator) {
  const [resp] = await Promise.all([page.waitForNavigation({ waitUntil: 'load' }), locator.click()]);
  assert.ok(resp, 'the click did not load a new page');
  return resp;
}

const h1 = async (page) => squash(await page.locator('main h1').first().textContent());

async function assertLang(page, lang) {
  assert.equal(await page.locator('html').getAttribute('lang'), lang, 'html lang attribute');
}

// ------------------------------------------------------ axe and screenshots

const axeSource = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');
const axeVersion = require('axe-core/package.json').version;
const checkedPages = new Set();

/**
 * axe-core on the page as it is now (WCAG 2.0/2.1 A and AA), plus the page's own
 * problems (console errors such as CSP refusals, failed subresources), reported
 * as a test of their own. axe is put in with page.evaluate, which the page's CSP
 * does not apply to; nothing in the page is changed.
 */
async function checkPage(page, name) {
  checkedPages.add(name);
  await subtest(`axe: ${name}`, async () => {
    const has = await page.evaluate(() => typeof window.axe !== 'undefined');
    if (!has) await page.evaluate(axeSource);
    const lines = [];
    // At the width the page was opened with and at the phone width: some rules
    // (scrollable regions, reflow, contrast of wrapped text) depend on the layout.
    const original = page.viewportSize();
    const widths = [['', original], ...(original.width === VIEWPORTS.phone.width ? [] : [['[phone] ', VIEWPORTS.phone]])];
    for (const [tag, size] of widths) {
      await page.setViewportSize(size);
      const res = await page.evaluate(async () =>
        // eslint-disable-next-line no-undef
        window.axe.run(document, {
          runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] },
          resultTypes: ['violations'],
        }),
      );
      for (const v of res.violations) {
        lines.push(`${tag}${v.id} [${v.impact}] ${v.help} (${v.helpUrl.replace(/\?.*$/, '')})`);
        for (const n of v.nodes.slice(0, 8)) {
          lines.push(`    ${n.target.join(' ')}`);
          const why = squash(n.failureSummary).replace(/^Fix (any|all) of the following: ?/, '');
          if (why) lines.push(`      ${why.slice(0, 300)}`);
        }
        if (v.nodes.length > 8) lines.push(`    ... and ${v.nodes.length - 8} more`);
      }
    }
    await page.setViewportSize(original);
    const problems = [...new Set(page.problems)];
    if (problems.length) lines.push(...problems.map((p) => `page problem: ${p}`));
    assert.ok(lines.length === 0, `${page.url()}\n${lines.join('\n')}`);
  });
}

/** Full-page screenshots at the phone and the desktop width: phone-NAME.png, desktop-NAME.png. */
async function shoot(page, name) {
  const original = page.viewportSize();
  for (const [vp, size] of Object.entries(VIEWPORTS)) {
    await page.setViewportSize(size);
    await page.screenshot({ path: path.join(SHOTS, `${vp}-${name}.png`), fullPage: true });
  }
  await page.setViewportSize(original);
}

// ------------------------------------------------------------- form filling

function today() {
  const d = new Date();
  return new Date(Date.UTC(d.getFullYear(), d.getMonth(), d.getDate()));
}
const isoDaysAgo = (n) => new Date(today().getTime() - n * 86_400_000).toISOString().slice(0, 10);

function sampleText(f, kind, lang) {
  const words = { fi: 'Testiteksti', sv: 'Testtext', en: 'Test text' }[lang];
  return `${words}: ${f.name} (${kind})`;
}

function isRequired(f, chosen) {
  if (f.required) return true;
  const r = f.required_if;
  return Boolean(r && chosen[r.field] === r.equals);
}

/** Fill one field of the request part, as a person would: by its label. */
async function fillField(page, f, lang, kind, chosen, choices) {
  const name = accName(f, lang);
  switch (f.type) {
    case 'choice': {
      const opt = choices[f.name] ?? f.options[0];
      const group = page.getByRole('group', { name, exact: true });
      await group.getByLabel(f.option_labels[opt][lang], { exact: true }).check();
      chosen[f.name] = opt;
      break;
    }
    case 'bool':
      await page.getByLabel(name, { exact: true }).check();
      chosen[f.name] = true;
      break;
    case 'date': {
      // A period inside the last two years, ending a few days ago (the server's
      // day may be ahead of this machine's).
      const value = /(^|_)to$/.test(f.name) ? isoDaysAgo(3) : isoDaysAgo(200);
      await page.getByLabel(name, { exact: true }).fill(value);
      chosen[f.name] = value;
      break;
    }
    case 'list': {
      const row = page
        .getByRole('group', { name, exact: true })
        .getByRole('group', { name: `${t('list_row', lang)} 1`, exact: true });
      for (const g of f.item_fields) {
        if (!g.required) continue;
        await row.getByLabel(accName(g, lang), { exact: true }).fill(sampleText(g, kind, lang));
      }
      chosen[f.name] = 'row 1';
      break;
    }
    default: {
      const value = sampleText(f, kind, lang);
      await page.getByLabel(name, { exact: true }).fill(value);
      chosen[f.name] = value;
    }
  }
}

const CHANNELS = ['email', 'phone', 'pick_up', 'post'];
const CONTACT_FOR = {
  email: ['email', 'testi.henkilo@example.fi'],
  phone: ['phone', '040 123 4567'],
  post: ['postal_address', 'Testikatu 1 A 2\n00100 Helsinki'],
  pick_up: null,
};

/**
 * Fill everything a kind's form requires (read from forms/<kind>.toml and
 * forms/common.toml) plus a personal identity code and the contact detail the
 * chosen channel needs. Returns the values chosen.
 */
async function fillRequest(page, kind, lang, { channel = 'email', choices = {} } = {}) {
  const chosen = {};
  for (const f of FORMS[kind].fields) {
    if (isRequired(f, chosen) || choices[f.name] !== undefined) await fillField(page, f, lang, kind, chosen, choices);
  }
  const nameLabel = accName(subjectField('name'), lang);
  await page.getByLabel(nameLabel, { exact: true }).fill({ fi: 'Testi Henkilö', sv: 'Test Persson', en: 'Test Person' }[lang]);
  await page.getByLabel(accName(subjectField('personal_id'), lang), { exact: true }).fill(PERSONAL_ID);
  const cc = subjectField('contact_channel');
  await page
    .getByRole('group', { name: accName(cc, lang), exact: true })
    .getByLabel(cc.option_labels[channel][lang], { exact: true })
    .check();
  const contact = CONTACT_FOR[channel];
  if (contact) {
    await page.getByLabel(accName(subjectField(contact[0]), lang), { exact: true }).fill(contact[1]);
  }
  return chosen;
}

const formUrl = (kind, lang, org = ORG) => `/${org}/request/${kind}?lang=${lang}`;
const submitButton = (page, lang) => page.getByRole('button', { name: t('form_submit', lang), exact: true });

/** Open a form, fill it, send it; assert the "received" page. Returns { reference, token }. */
async function submitRequest(page, kind, lang, opts = {}) {
  await goto(page, formUrl(kind, lang));
  assert.equal(await h1(page), FORMS[kind].title[lang], 'form heading');
  await fillRequest(page, kind, lang, opts);
  const resp = await clickAndWait(page, submitButton(page, lang));
  if (resp.status() !== 201) {
    const summary = squash(await page.locator('.error-summary').textContent().catch(() => ''));
    assert.fail(`${kind}/${lang}: expected 201, got ${resp.status()}${summary ? `: ${summary}` : ''}`);
  }
  await assertLang(page, lang);
  assert.equal(await h1(page), t('received_title', lang), 'received page heading');
  const reference = squash(await page.locator('#reference').textContent());
  const token = squash(await page.locator('#status-token').textContent());
  assert.match(reference, REFERENCE_RE, 'reference');
  assert.ok(token.length >= 16, `status code too short: "${token}"`);
  return { reference, token };
}

/** What the main server's submissions left behind, for the tests that need one. */
const submitted = [];
async function aSubmission() {
  if (submitted.length) return submitted[0];
  const page = await newPage();
  const r = await submitRequest(page, 'erasure', 'fi');
  submitted.push({ kind: 'erasure', lang: 'fi', ...r });
  await page.context().close();
  return submitted[0];
}

// ====================================================================== tests

// ---------------------------------------------------------- the org page

// "Fill in the form: <title>" (the title is visually hidden; Chromium puts a space
// before the colon because the hidden part is positioned out of flow).
const openFormName = (lang, kind) => new RegExp(`^${escapeRe(t('open_form', lang))}\\s*:\\s*${escapeRe(FORMS[kind].title[lang])}$`);

for (const lang of LANGS) {
  test(`org page (${lang}): heading, a link to each of the ${KINDS.length} forms, language switch`, async () => {
    const page = await newPage();
    const resp = await goto(page, `/${ORG}/?lang=${lang}`);
    assert.match(resp.headers()['content-type'], /^text\/html/);
    await assertLang(page, lang);
    assert.equal(await h1(page), t('org_page_title', lang));
    for (const kind of KINDS) {
      const link = page.getByRole('link', { name: openFormName(lang, kind) });
      assert.equal(await link.count(), 1, `one link to the ${kind} form`);
      const href = await link.getAttribute('href');
      assert.ok(href.includes(`/request/${kind}`) && href.includes(`lang=${lang}`), `${kind} link href: ${href}`);
    }
    // Follow one link as a person would.
    const first = KINDS[0];
    await clickAndWait(page, page.getByRole('link', { name: openFormName(lang, first) }));
    assert.equal(await h1(page), FORMS[first].title[lang]);
    await page.goBack();
    await checkPage(page, `org-${lang}`);
    await shoot(page, `org-${lang}`);
    // The language switch: the other languages' links, each in its own language.
    const other = LANGS.find((l) => l !== lang);
    const nav = page.getByRole('navigation', { name: t('lang_switch_label', lang), exact: true });
    const current = nav.locator('a[aria-current="page"]');
    assert.equal(await current.getAttribute('lang'), lang, 'the current language is marked aria-current');
    await clickAndWait(page, nav.getByRole('link', { name: COMMON.language_labels[other], exact: true }));
    await assertLang(page, other);
    assert.equal(await h1(page), t('org_page_title', other));
  });
}

test('keyboard: the first Tab reaches the skip link, which moves focus to the main content', async () => {
  const page = await newPage();
  await goto(page, formUrl('access', 'fi'));
  await page.keyboard.press('Tab');
  const focused = await page.evaluate(() => ({ text: document.activeElement?.textContent, href: document.activeElement?.getAttribute('href') }));
  assert.equal(squash(focused.text), t('site_skip_link', 'fi'));
  assert.equal(focused.href, '#main');
  assert.ok(await page.evaluate(() => getComputedStyle(document.activeElement).position !== 'static' || document.activeElement.getBoundingClientRect().height > 0), 'the skip link is visible when focused');
  await page.keyboard.press('Enter');
  assert.equal(await page.evaluate(() => document.activeElement?.id), 'main');
  // The next Tab goes into the main content, not back to the header.
  await page.keyboard.press('Tab');
  assert.ok(await page.evaluate(() => document.getElementById('main').contains(document.activeElement)), 'Tab after the skip link stays in <main>');
});

// ------------------------------------------------------ submitting each form

{
  let i = 0;
  for (const lang of LANGS) {
    for (const kind of KINDS) {
      const channel = CHANNELS[i % CHANNELS.length];
      // Exercise required_if once: access with a period (its dates become required).
      const choices = kind === 'access' && lang === 'sv' ? { scope: 'period' } : {};
      const follow = (kind === 'access' && lang === 'fi') || (kind === 'rectification' && lang === 'sv') || (kind === 'log_inspection' && lang === 'en');
      const n = i++;
      test(`submit ${kind} (${lang}, contact by ${channel}${choices.scope ? ', period' : ''}): 201, reference${follow ? ', status link' : ''}`, async () => {
        const page = await newPage();
        const r = await submitRequest(page, kind, lang, { channel, choices });
        submitted.push({ kind, lang, ...r });
        if (n === 0) {
          await checkPage(page, `received-${lang}`);
          await shoot(page, `received-${lang}`);
        }
        if (!follow) return;
        const link = page.getByRole('link', { name: t('received_status_link', lang), exact: true });
        const resp = await clickAndWait(page, link);
        assert.equal(resp.status(), 200, 'status page');
        await assertLang(page, lang);
        assert.equal(await h1(page), t('status_title', lang));
        const facts = squash(await page.locator('main dl.facts').textContent());
        assert.ok(facts.includes(r.reference), `status page shows ${r.reference}: ${facts}`);
        assert.ok(facts.includes(FORMS[kind].title[lang]), `status page names the request kind: ${facts}`);
        assert.equal(squash(await page.locator('#state').textContent()), t('state_received', lang));
        if (kind === 'access' && lang === 'fi') {
          await checkPage(page, `status-${lang}`);
          await shoot(page, `status-${lang}`);
        }
      });
    }
  }
}

// ------------------------------------------------------ each form, empty, axe

{
  const langFor = ['en', 'fi', 'sv'];
  KINDS.forEach((kind, idx) => {
    const lang = langFor[idx % 3];
    test(`form ${kind} (${lang}): every control has a label, radios are grouped`, async () => {
      const page = await newPage();
      await goto(page, formUrl(kind, lang));
      await assertLang(page, lang);
      // Every visible control has an accessible name, and every radio is in a named group.
      const unnamed = await page.evaluate(() => {
        const out = [];
        for (const el of document.querySelectorAll('main input:not([type=hidden]), main textarea, main select')) {
          const labels = el.labels ? [...el.labels].map((l) => l.textContent.trim()).filter(Boolean) : [];
          if (!labels.length && !el.getAttribute('aria-label') && !el.getAttribute('aria-labelledby')) out.push(`${el.tagName.toLowerCase()}#${el.id} name=${el.name}`);
          if (el.type === 'radio') {
            const fs = el.closest('fieldset');
            if (!fs || !fs.querySelector(':scope > legend')?.textContent.trim()) out.push(`radio #${el.id} not in a fieldset with a legend`);
          }
          const described = (el.getAttribute('aria-describedby') || '').split(/\s+/).filter(Boolean);
          for (const id of described) if (!document.getElementById(id)) out.push(`#${el.id} aria-describedby points to missing #${id}`);
        }
        return out;
      });
      assert.deepEqual(unnamed, [], 'controls without a label');
      // The required details fields are reachable by their labels.
      const chosen = {};
      for (const f of FORMS[kind].fields) {
        if (!isRequired(f, chosen)) continue;
        const loc = f.type === 'choice' || f.type === 'list'
          ? page.getByRole('group', { name: accName(f, lang), exact: true })
          : page.getByLabel(accName(f, lang), { exact: true });
        assert.equal(await loc.count(), 1, `field "${accName(f, lang)}" found once by its label`);
      }
      await checkPage(page, `form-${kind}-${lang}`);
      if (kind === 'access' || kind === 'rectification' || kind === 'log_inspection') await shoot(page, `form-${kind}-${lang}`);
    });
  });
}

// ---------------------------------------------------------------- validation

const VALIDATION_KIND = { fi: 'access', sv: 'rectification', en: 'log_inspection' };

/**
 * Check every link of the error summary: it points at an element that is the
 * field (a control, or the fieldset of a group of radios or rows), the link
 * text is "<label>: <message>", the message sits next to the field with
 * id="<id>-error" and class error-message, the field refers to it with
 * aria-describedby and (for controls and radios) has aria-invalid="true".
 * Returns [{ id, label, message, kind }].
 */
async function inspectErrorSummary(page, lang) {
  const links = await page.locator('.error-summary a').evaluateAll((as) => as.map((a) => ({ href: a.getAttribute('href'), text: a.textContent })));
  const mark = ` (${t('required_mark', lang)})`;
  const out = [];
  for (const l of links) {
    assert.match(l.href, /^#[A-Za-z][\w-]*$/, `summary link href ${l.href}`);
    const id = l.href.slice(1);
    const info = await page.evaluate(({ id, mark }) => {
      const el = document.getElementById(id);
      if (!el) return null;
      const tag = el.tagName.toLowerCase();
      let label = null;
      if (tag === 'fieldset') label = el.querySelector(':scope > legend')?.textContent;
      else if (el.labels?.length) label = el.labels[0].textContent;
      label = (label ?? '').replace(/\s+/g, ' ').trim();
      if (label.endsWith(mark)) label = label.slice(0, -mark.length);
      const err = document.getElementById(`${id}-error`);
      const radios = tag === 'fieldset' ? [...el.querySelectorAll(':scope > .choice > input[type=radio]')] : [];
      return {
        tag,
        type: el.getAttribute('type'),
        label,
        describedby: (el.getAttribute('aria-describedby') || '').split(/\s+/).filter(Boolean),
        invalid: el.getAttribute('aria-invalid'),
        radiosInvalid: radios.map((r) => r.getAttribute('aria-invalid')),
        error: err ? { cls: err.className, text: err.textContent.replace(/\s+/g, ' ').trim(), inside: (el.closest('.field') ?? el).contains(err), visible: err.getClientRects().length > 0 } : null,
      };
    }, { id, mark });
    assert.ok(info, `summary link ${l.href}: no element with id "${id}"`);
    assert.ok(['input', 'textarea', 'select', 'fieldset'].includes(info.tag), `#${id} is a <${info.tag}>, not a field`);
    assert.ok(info.error, `#${id}: no error message element #${id}-error`);
    assert.ok(/\berror-message\b/.test(info.error.cls), `#${id}-error has class error-message`);
    assert.ok(info.error.visible && info.error.inside, `#${id}-error is shown with its field`);
    assert.equal(squash(l.text), `${info.label}: ${info.error.text}`, `summary link text for #${id} is "<label>: <message>"`);
    assert.ok(info.describedby.includes(`${id}-error`), `#${id} aria-describedby (${info.describedby.join(' ')}) includes ${id}-error`);
    if (info.tag !== 'fieldset') assert.equal(info.invalid, 'true', `#${id} aria-invalid`);
    if (info.radiosInvalid.length) assert.ok(info.radiosInvalid.every((v) => v === 'true'), `radios of #${id} have aria-invalid="true"`);
    out.push({ id, label: info.label, message: info.error.text, tag: info.tag });
  }
  return out;
}

for (const lang of LANGS) {
  const kind = VALIDATION_KIND[lang];
  test(`validation (${lang}, ${kind}): empty form → 422, error summary in ${lang}, linked errors, values kept`, async () => {
    const page = await newPage();
    await goto(page, formUrl(kind, lang));
    // Type into optional fields only, so that every required field is missing.
    const typed = [];
    const phone = page.getByLabel(accName(subjectField('phone'), lang), { exact: true });
    await phone.fill('040 765 4321');
    typed.push([phone, '040 765 4321']);
    const post = page.getByLabel(accName(subjectField('postal_address'), lang), { exact: true });
    await post.fill('Testikatu 2\n00200 Helsinki');
    typed.push([post, 'Testikatu 2\n00200 Helsinki']);
    const optional = FORMS[kind].fields.find((f) => !f.required && !f.required_if && (f.type === 'text' || f.type === 'textarea'));
    if (optional) {
      const loc = page.getByLabel(accName(optional, lang), { exact: true });
      await loc.fill(`Ei pakollinen – ${optional.name} ✓`);
      typed.push([loc, `Ei pakollinen – ${optional.name} ✓`]);
    }
    const protectedBox = page.getByLabel(accName(subjectField('address_protected'), lang), { exact: true });
    await protectedBox.check();

    const resp = await clickAndWait(page, submitButton(page, lang));
    assert.equal(resp.status(), 422, 'status of a form with missing fields');
    await assertLang(page, lang);
    const summary = page.locator('.error-summary');
    assert.equal(await summary.count(), 1, 'one error summary');
    assert.equal(await summary.getAttribute('role'), 'alert');
    assert.equal(squash(await summary.locator('h2').textContent()), t('form_errors_heading', lang), 'error summary heading (form_errors_heading)');
    const errors = await inspectErrorSummary(page, lang);
    assert.ok(errors.length > 0, 'the summary lists errors');
    assert.ok(squash(await summary.textContent()).includes(t('form_errors_count', lang).replace('{count}', String(errors.length))), 'the count line');
    // Every required field is listed, with the language's message for a missing field.
    const expectRequired = [
      ...FORMS[kind].fields.filter((f) => f.required && f.type !== 'list'),
      ...COMMON.subject.filter((f) => f.required),
    ];
    for (const f of expectRequired) {
      const e = errors.find((x) => x.label === f.label[lang]);
      assert.ok(e, `the summary lists "${f.label[lang]}" (has: ${errors.map((x) => x.label).join(' | ')})`);
      assert.equal(e.message, requiredMessage(f, lang), `message for ${f.label[lang]}`);
    }
    for (const f of FORMS[kind].fields.filter((x) => x.type === 'list' && x.required)) {
      const e = errors.find((x) => x.label === f.label[lang]);
      assert.ok(e, `the summary lists the list "${f.label[lang]}"`);
      assert.equal(e.message, msg('too_few_items', lang).replace('{min}', String(f.min_items ?? 1)));
    }
    // What was typed is still there.
    for (const [loc, value] of typed) assert.equal(await loc.inputValue(), value, 'typed value kept');
    assert.ok(await protectedBox.isChecked(), 'ticked checkbox kept');
    // Following a summary link moves to the field (and focuses it when it is a control).
    for (const e of errors) {
      await page.locator(`.error-summary a[href="#${e.id}"]`).click();
      assert.equal(new URL(page.url()).hash, `#${e.id}`);
      const where = await page.evaluate((id) => {
        const r = document.getElementById(id).getBoundingClientRect();
        return { top: r.top, bottom: r.bottom, h: innerHeight, active: document.activeElement?.id };
      }, e.id);
      assert.ok(where.top < where.h && where.bottom > 0, `#${e.id} scrolled into view`);
      if (e.tag !== 'fieldset') assert.equal(where.active, e.id, `#${e.id} focused after following its summary link`);
    }
    await page.evaluate(() => window.scrollTo(0, 0));
    if (lang === 'fi') {
      await checkPage(page, `form-errors-${lang}`);
      await shoot(page, `form-errors-${lang}`);
    }
  });
}

// Expectations the pages did not meet when these tests were written (see README.md here).

test('validation (fi): the error summary lists the fields in the order they appear on the page', async () => {
  const page = await newPage();
  await goto(page, formUrl('access', 'fi'));
  await clickAndWait(page, submitButton(page, 'fi'));
  const order = await page.evaluate(() => {
    const ids = [...document.querySelectorAll('.error-summary a')].map((a) => a.getAttribute('href').slice(1));
    const els = ids.map((id) => document.getElementById(id));
    const sorted = [...els].sort((a, b) => (a.compareDocumentPosition(b) & Node.DOCUMENT_POSITION_FOLLOWING ? -1 : 1));
    return { summary: ids, page: sorted.map((e) => e.id) };
  });
  assert.deepEqual(order.summary, order.page, 'summary order vs page order');
});

test('validation (en): an empty form reports the identity rule (code or date of birth) together with the other missing fields', async () => {
  const page = await newPage();
  await goto(page, formUrl('access', 'en'));
  await clickAndWait(page, submitButton(page, 'en'));
  const text = squash(await page.locator('.error-summary').textContent());
  assert.ok(
    text.includes(msg('personal_id_or_birth_date_required', 'en')),
    `a person who fixes every listed error gets a second error page with a new error ("${msg('personal_id_or_birth_date_required', 'en')}"); the first summary was: ${text}`,
  );
});

test('form (en): representative fields are not marked required when nobody acts for someone else', async () => {
  const page = await newPage();
  await goto(page, formUrl('access', 'en'));
  // The section is optional (a request about oneself leaves it empty and is accepted),
  // so its fields must not be announced as required.
  const marked = await page.evaluate(() =>
    [...document.querySelectorAll('[name^="representative."]')]
      .filter((el) => el.required || /\(required\)/.test((el.labels?.[0]?.textContent ?? '') + (el.closest('fieldset')?.querySelector('legend')?.textContent ?? '')))
      .map((el) => `${el.name} (${el.id})`),
  );
  assert.deepEqual([...new Set(marked)], [], 'representative fields marked "(required)" / required');
});

// -------------------------------------------------------------- status lookup

test('status lookup (sv): by the form with reference and status code; wrong code → not found', async () => {
  const s = await aSubmission();
  const page = await newPage();
  const lang = 'sv';
  await goto(page, `/${ORG}/status?lang=${lang}`);
  assert.equal(await h1(page), t('status_title', lang));
  await checkPage(page, `status-form-${lang}`);
  await shoot(page, `status-form-${lang}`);
  const mark = ` (${t('required_mark', lang)})`;
  await page.getByLabel(t('status_reference', lang) + mark, { exact: true }).fill(s.reference);
  await page.getByLabel(t('status_token', lang) + mark, { exact: true }).fill(s.token);
  let resp = await clickAndWait(page, page.getByRole('button', { name: t('status_open', lang), exact: true }));
  assert.equal(resp.status(), 200);
  assert.equal(await h1(page), t('status_title', lang));
  assert.ok(squash(await page.locator('main dl.facts').textContent()).includes(s.reference), 'status shows the reference');
  assert.equal(squash(await page.locator('#state').textContent()), t('state_received', lang));
  assert.ok(!page.url().includes(s.token), 'the status code is not put in the address after a POST lookup');

  await goto(page, `/${ORG}/status?lang=${lang}`);
  await page.getByLabel(t('status_reference', lang) + mark, { exact: true }).fill(s.reference);
  await page.getByLabel(t('status_token', lang) + mark, { exact: true }).fill('wrong-code-wrong-code');
  resp = await clickAndWait(page, page.getByRole('button', { name: t('status_open', lang), exact: true }));
  assert.equal(resp.status(), 404);
  const problem = page.locator('main [role=alert]');
  assert.equal(squash(await problem.textContent()), t('status_not_found', lang));
  assert.equal(await page.getByLabel(t('status_reference', lang) + mark, { exact: true }).inputValue(), s.reference, 'reference kept');
  assert.equal(await page.getByLabel(t('status_token', lang) + mark, { exact: true }).inputValue(), '', 'status code not echoed back');
  await checkPage(page, `status-form-error-${lang}`);
  await shoot(page, `status-form-error-${lang}`);
});

test('status link with a wrong code (en): not found, no data shown', async () => {
  const s = await aSubmission();
  const page = await newPage();
  await goto(page, `/${ORG}/status?reference=${encodeURIComponent(s.reference)}&token=nope&lang=en`, 404);
  assert.equal(squash(await page.locator('main [role=alert]').textContent()), t('status_not_found', 'en'));
  assert.equal(await page.locator('#state').count(), 0);
});

// ------------------------------------------------------------- other pages

for (const lang of ['en', 'fi']) {
  test(`accessibility statement (${lang})`, async () => {
    const page = await newPage();
    await goto(page, `/${ORG}/accessibility?lang=${lang}`);
    await assertLang(page, lang);
    assert.equal(await h1(page), t('a11y_title', lang));
    // Reachable from the footer of the org page too.
    const footerLink = page.locator('footer').getByRole('link', { name: t('footer_accessibility', lang), exact: true });
    assert.equal(await footerLink.count(), 1);
    if (lang === 'en') {
      await checkPage(page, `accessibility-${lang}`);
      await shoot(page, `accessibility-${lang}`);
    }
  });
}

test('404 page (fi): unknown form kind and unknown organisation', async () => {
  const page = await newPage();
  await goto(page, `/${ORG}/request/no-such-kind?lang=fi`, 404);
  await assertLang(page, 'fi');
  assert.equal(await h1(page), t('not_found_title', 'fi'));
  await checkPage(page, 'not-found-fi');
  await shoot(page, 'not-found-fi');
  await goto(page, `/no-such-organisation/?lang=sv`, 404);
  assert.equal(await h1(page), t('not_found_title', 'sv'));
});

// -------------------------------------------------------------------- reflow

/**
 * WCAG 1.4.10 (reflow at 320 CSS px) and the phone width: the page must not
 * scroll sideways, and no text may be squeezed into a column a few letters
 * wide. Data tables are exempt (they may scroll in their own box).
 */
async function layoutProblems(page) {
  return page.evaluate(() => {
    const out = [];
    const vw = document.documentElement.clientWidth;
    const sw = document.documentElement.scrollWidth;
    if (sw > vw) {
      const wide = [...document.querySelectorAll('body *')]
        .filter((e) => !e.closest('.table-scroll, .visually-hidden') && e.clientWidth > 1 && e.scrollWidth > e.clientWidth + 1 && getComputedStyle(e).overflowX === 'visible')
        .filter((e, _, all) => !all.some((o) => o !== e && e.contains(o)))
        .slice(0, 4)
        .map((e) => `${e.tagName.toLowerCase()}${e.className ? `.${String(e.className).split(' ').join('.')}` : ''} "${e.textContent.trim().replace(/\s+/g, ' ').slice(0, 40)}" needs ${e.scrollWidth}px, has ${e.clientWidth}px`);
      out.push(`scrolls sideways: ${sw}px wide in a ${vw}px window; ${wide.join('; ') || '(no single element found)'}`);
    }
    for (const e of document.querySelectorAll('main :is(p, dd, dt, li, label, legend, h1, h2, h3)')) {
      if (e.closest('table, .visually-hidden')) continue;
      const text = e.textContent.trim().replace(/\s+/g, ' ');
      const w = e.getBoundingClientRect().width;
      if (text.length > 20 && w > 0 && w < 100) {
        out.push(`squeezed: <${e.tagName.toLowerCase()}> "${text.slice(0, 40)}" is ${Math.round(w)}px wide and ${Math.round(e.getBoundingClientRect().height)}px tall`);
      }
    }
    return out;
  });
}

for (const lang of LANGS) {
  test(`reflow (${lang}): no page scrolls sideways or squeezes text at 320 and 390 px`, async () => {
    const urls = [
      `/${ORG}/?lang=${lang}`,
      `/${ORG}/status?lang=${lang}`,
      `/${ORG}/accessibility?lang=${lang}`,
      `/desk?lang=${lang}`,
      `/${ORG}/request/no-such-kind?lang=${lang}`,
      ...KINDS.map((k) => formUrl(k, lang)),
    ];
    const problems = [];
    for (const width of [320, VIEWPORTS.phone.width]) {
      const page = await newPage({ viewport: { width, height: 800 } });
      for (const url of urls) {
        await page.goto(url);
        for (const p of await layoutProblems(page)) problems.push(`${width}px ${url}: ${p}`);
      }
      await page.context().close();
    }
    assert.deepEqual(problems, [], 'layout problems');
  });
}

// ------------------------------------------------------------------- the desk

/** Signs in on the desk's sign-in page (the page must show it) and follows where it leads. */
async function signIn(page, email, password, lang) {
  assert.equal(await h1(page), t('desk_login_title', lang));
  await page.getByLabel(t('dpo_email', lang), { exact: true }).fill(email);
  await page.getByLabel(t('dpo_password', lang), { exact: true }).fill(password);
  return clickAndWait(page, page.getByRole('button', { name: t('dpo_sign_in', lang), exact: true }));
}

test('desk, DPO (fi): /dpo leads to the board; sign in, overdue request, its case page, sign out', async () => {
  assert.ok(DPO_PASSWORD, 'RIGHTSDESK_DPO_PASSWORD is not set');
  const lang = 'fi';
  const page = await newPage();
  await goto(page, `/dpo?lang=${lang}`);
  assert.ok(page.url().includes('/desk/board'), `the old address leads to the desk: ${page.url()}`);
  await checkPage(page, `desk-login-${lang}`);
  await shoot(page, `desk-login-${lang}`);
  let resp = await signIn(page, DPO_EMAIL, DPO_PASSWORD, lang);
  assert.equal(resp.status(), 200, 'board after sign-in (following the redirect)');
  assert.equal(await h1(page), t('dpo_board_title', lang));
  const session = (await page.context().cookies()).find((c) => c.name === 'rd_session');
  assert.ok(session, 'a session cookie');
  assert.ok(session.httpOnly, 'session cookie HttpOnly');
  assert.equal(session.sameSite, 'Strict', 'session cookie SameSite');
  assert.equal(session.path, '/desk', 'session cookie only for the desk');

  for (const key of ['dpo_overdue', 'dpo_due_week', 'dpo_paused', 'dpo_extended', 'dpo_chart_title']) {
    const region = page.getByRole('region', { name: new RegExp(`^${escapeRe(t(key, lang))}`) });
    assert.ok((await region.count()) >= 1, `region "${t(key, lang)}"`);
  }
  const overdue = page.getByRole('region', { name: new RegExp(`^${escapeRe(t('dpo_overdue', lang))}`) }).first();
  const rows = overdue.locator('tbody tr');
  assert.ok((await rows.count()) >= 1, 'at least one overdue request');
  const days = squash(await rows.first().locator('td').nth(3).textContent());
  const late = t('desk_days_late', lang).split('{days}')[0].trim();
  assert.ok(days.startsWith(late), `days left in words: "${days}"`);
  const tile = page.locator('.summary-tiles a[href="#overdue"]');
  assert.ok(Number(squash(await tile.locator('.count').textContent())) >= 1, 'overdue tile count');
  assert.ok((await page.locator('table.chart tbody tr').count()) >= 10, 'the weekly chart has rows');
  await checkPage(page, `desk-board-${lang}`);
  await shoot(page, `desk-board-${lang}`);

  const link = rows.first().getByRole('link');
  const reference = squash(await link.textContent());
  assert.match(reference, REFERENCE_RE);
  resp = await clickAndWait(page, link);
  assert.equal(resp.status(), 200);
  assert.ok((await h1(page)).includes(reference), `case heading names ${reference}`);
  assert.ok((await page.locator('main table tbody tr').count()) >= 1, 'history has events');
  assert.equal(await page.locator('nav.actions, ul.actions').count(), 0, 'the DPO is offered no casework');
  const caseUrl = page.url();
  await checkPage(page, `desk-case-dpo-${lang}`);

  resp = await clickAndWait(page, page.getByRole('button', { name: t('dpo_sign_out', lang), exact: true }));
  assert.equal(await h1(page), t('desk_login_title', lang), 'sign-in page after signing out');
  assert.ok(!(await page.context().cookies()).some((c) => c.name === 'rd_session' && c.value), 'session cookie removed');
  await goto(page, caseUrl);
  assert.equal(await h1(page), t('desk_login_title', lang));
  // Signing in again comes back to the case.
  await signIn(page, DPO_EMAIL, DPO_PASSWORD, lang);
  assert.ok((await h1(page)).includes(reference), 'back on the case after signing in');
});

test('desk (en): wrong password → error shown, no session', async () => {
  const lang = 'en';
  const page = await newPage();
  await goto(page, `/desk?lang=${lang}`);
  await page.getByLabel(t('dpo_email', lang), { exact: true }).fill(DPO_EMAIL);
  await page.getByLabel(t('dpo_password', lang), { exact: true }).fill('certainly-not-the-password');
  const resp = await clickAndWait(page, page.getByRole('button', { name: t('dpo_sign_in', lang), exact: true }));
  assert.ok(resp.status() >= 400 && resp.status() < 500, `status ${resp.status()}`);
  assert.equal(await h1(page), t('desk_login_title', lang));
  const alert = page.locator('main [role=alert]');
  assert.equal(squash(await alert.textContent()), t('desk_login_failed', lang));
  assert.ok(!(await page.context().cookies()).some((c) => c.name === 'rd_session'), 'no session cookie');
  await checkPage(page, `desk-login-error-${lang}`);
  await shoot(page, `desk-login-error-${lang}`);
});

test('desk history (fi): events, states and dates are written in the page language', async () => {
  assert.ok(DPO_PASSWORD, 'RIGHTSDESK_DPO_PASSWORD is not set');
  const lang = 'fi';
  const page = await newPage();
  await goto(page, `/desk/board?lang=${lang}`);
  await signIn(page, DPO_EMAIL, DPO_PASSWORD, lang);
  const link = page.getByRole('region', { name: new RegExp(`^${escapeRe(t('dpo_paused', lang))}`) }).first().getByRole('link').first();
  await clickAndWait(page, link);
  const facts = await page.locator('main dl.facts dd').allTextContents();
  const cells = await page.locator('main table tbody td:nth-child(2)').allTextContents();
  const problems = [];
  for (const d of facts) {
    if (/\b\d{4}-\d{2}-\d{2}\b/.test(d)) problems.push(`date "${squash(d)}" in ISO form`);
    if (/\b[a-z]+_[a-z_]+\b/.test(d)) problems.push(`fact "${squash(d)}" shows an internal code`);
  }
  const stateCodes = Object.keys(TEXTS).filter((k) => k.startsWith('state_short_')).map((k) => k.slice('state_short_'.length));
  for (const c of cells.map(squash)) {
    if (/\b[a-z]+_[a-z_]+\b/.test(c) || stateCodes.some((s) => new RegExp(`(→|\\()\\s*${s}\\b`).test(c))) problems.push(`event "${c}" shows internal codes`);
    else if (/^(submitted|document created|request identity|assigned|extended|closed)\b/.test(c)) problems.push(`event "${c}" is in English on a Finnish page`);
  }
  assert.deepEqual(problems, [], 'case page texts');
});

for (const lang of LANGS) {
  test(`desk, staff (${lang}): queues, search, case page, every action page and settings pass axe`, async () => {
    assert.ok(STAFF_PASSWORD, 'RIGHTSDESK_STAFF_PASSWORD is not set');
    const page = await newPage();
    await goto(page, `/desk?lang=${lang}`);
    await signIn(page, STAFF_EMAIL, STAFF_PASSWORD, lang);
    assert.equal(await h1(page), t('desk_queue_mine', lang), 'staff start at their own queue');
    await checkPage(page, `desk-queue-mine-${lang}`);
    await shoot(page, `desk-queue-mine-${lang}`);
    await goto(page, `/desk/queue/open?lang=${lang}`);
    const rows = page.locator('table.queue tbody tr');
    assert.ok((await rows.count()) >= 3, 'the demo requests are open');
    await checkPage(page, `desk-queue-open-${lang}`);
    await shoot(page, `desk-queue-open-${lang}`);

    await goto(page, `/desk/search?lang=${lang}`);
    await page.getByLabel(t('desk_search_label', lang), { exact: true }).fill('esimerkki');
    await clickAndWait(page, page.getByRole('button', { name: t('desk_search_button', lang), exact: true }));
    const hit = page.locator('table.queue tbody tr').first().getByRole('link');
    assert.match(squash(await hit.textContent()), REFERENCE_RE, 'the name is found');
    await checkPage(page, `desk-search-${lang}`);
    await shoot(page, `desk-search-${lang}`);

    await clickAndWait(page, hit);
    await checkPage(page, `desk-case-${lang}`);
    await shoot(page, `desk-case-${lang}`);
    const caseUrl = page.url();
    const actions = await page.locator('ul.actions a').evaluateAll((as) => as.map((a) => a.getAttribute('href')));
    assert.ok(actions.length >= 5, `actions offered: ${actions.length}`);
    for (const href of actions) {
      await goto(page, href);
      const name = href.split('/').pop().split('?')[0];
      await checkPage(page, `desk-action-${name}-${lang}`);
      if (lang === 'fi') await shoot(page, `desk-action-${name}-${lang}`);
    }
    // Gathering: the upload form, then the log-data page of a log-inspection request.
    await goto(page, caseUrl);
    await clickAndWait(page, page.getByRole('link', { name: t('desk_file_add', lang), exact: true }));
    assert.equal(await h1(page), t('desk_file_add', lang));
    await checkPage(page, `desk-file-add-${lang}`);
    if (lang === 'fi') await shoot(page, `desk-file-add-${lang}`);
    await goto(page, `/desk/queue/open?kind=log_inspection&lang=${lang}`);
    await clickAndWait(page, page.locator('table.queue tbody tr').first().getByRole('link'));
    await clickAndWait(page, page.getByRole('link', { name: t('desk_logs_open', lang), exact: true }));
    assert.equal(await h1(page), t('desk_logs_title', lang));
    await checkPage(page, `desk-logs-${lang}`);
    if (lang === 'fi') await shoot(page, `desk-logs-${lang}`);
    await goto(page, `/desk/settings?lang=${lang}`);
    await checkPage(page, `desk-settings-${lang}`);
    await goto(page, `/desk/intake?lang=${lang}`);
    await checkPage(page, `desk-intake-${lang}`);
    await goto(page, `/desk/intake/rectification?lang=${lang}`);
    await checkPage(page, `desk-intake-rectification-${lang}`);
    if (lang === 'fi') await shoot(page, `desk-intake-rectification-${lang}`);
    // A rectification's items: the page to add one, then (once added) the page to decide it.
    await goto(page, `/desk/queue/open?kind=rectification&lang=${lang}`);
    await clickAndWait(page, page.locator('table.queue tbody tr').first().getByRole('link'));
    await clickAndWait(page, page.getByRole('link', { name: t('desk_item_add', lang), exact: true }));
    await checkPage(page, `desk-item-add-${lang}`);
    await page.getByLabel(t('desk_item_field_description', lang), { exact: true }).fill(`Browser test item (${lang})`);
    await clickAndWait(page, page.getByRole('button', { name: t('desk_item_add', lang), exact: true }));
    await clickAndWait(page, page.getByRole('link', { name: new RegExp(`^${escapeRe(t('desk_item_decide_link', lang))}`) }).last());
    await checkPage(page, `desk-item-decide-${lang}`);
    if (lang === 'fi') await shoot(page, `desk-item-decide-${lang}`);
  });
}

test('desk, staff (fi): an access request from the queue to its answer, by clicks and typing', async () => {
  assert.ok(STAFF_PASSWORD, 'RIGHTSDESK_STAFF_PASSWORD is not set');
  const lang = 'fi';
  const page = await newPage();
  await goto(page, `/desk/queue/unassigned?kind=access&lang=${lang}`);
  await signIn(page, STAFF_EMAIL, STAFF_PASSWORD, lang);
  const row = page.locator('table.queue tbody tr', { hasText: 'Maija Esimerkki' }).first();
  await clickAndWait(page, row.getByRole('link'));
  const action = (key) => page.locator('ul.actions').getByRole('link', { name: t(key, lang), exact: true });
  const confirm = () => clickAndWait(page, page.getByRole('button', { name: t('desk_confirm', lang), exact: true }));

  await clickAndWait(page, action('desk_action_assign'));
  await clickAndWait(page, page.getByRole('button', { name: t('desk_assign_to_me', lang), exact: true }));
  assert.equal(squash(await page.locator('main .panel').first().textContent()), t('desk_done_assign', lang));

  await clickAndWait(page, action('desk_action_verify_identity'));
  await confirm();
  assert.ok((await page.locator('.error-summary').count()) === 1, 'no method chosen: the error summary');
  await checkPage(page, `desk-action-error-${lang}`);
  await shoot(page, `desk-action-error-${lang}`);
  await page.getByLabel(t('desk_method_in_person', lang), { exact: true }).check();
  await confirm();
  assert.equal(squash(await page.locator('main .panel').first().textContent()), t('desk_done_verify_identity', lang));

  await clickAndWait(page, action('desk_action_complete'));
  const outcome = t('desk_will_outcome', lang).split('{outcome}')[0];
  assert.ok(squash(await page.locator('main .panel').textContent()).includes(outcome), 'the derived outcome is said before confirming');
  await confirm();
  assert.equal(squash(await page.locator('main .panel').first().textContent()), t('desk_done_complete', lang));
  assert.equal(await page.locator('ul.actions').count(), 0, 'a closed request offers no actions');
  await checkPage(page, `desk-case-closed-${lang}`);
  await shoot(page, `desk-case-closed-${lang}`);
});

// ------------------------------------------- the seven kinds, through the desk alone
//
// One request of each kind, from the desk's intake page to its answer, by clicks and typing
// only (no API call, no database write; the log-inspection test feeds the access log first,
// see below). Every page on the way is checked with axe at 1280 px and 390 px and shot.

const GROUNDS = Object.fromEntries(readToml('letters/legal-grounds.toml').ground.map((g) => [g.code, g]));
const RETENTION = Object.fromEntries(readToml('config/retention.toml').category.map((c) => [c.code, c]));
/** A legal ground as the desk's selects name it: title and statute. */
const groundLabel = (code, lang) => `${GROUNDS[code].title[lang]} (${GROUNDS[code].statute[lang]})`;
// The demo's shelter register, named in the page's language (the register keeps its
// Swedish and English names beside the Finnish one).
const SHELTER_REGISTER = { fi: 'Turvakodin asiakasrekisteri', sv: 'Skyddshemmets klientregister', en: 'Shelter client register' };
/** The subject of the log-inspection test: nobody else's events are fed under this code. */
const LOG_SUBJECT_ID = '150377-246W';

/** A staff member signed in at the intake page; `see(name)` checks and shoots the page as it is. */
async function deskFlow(kind, lang) {
  assert.ok(STAFF_PASSWORD, 'RIGHTSDESK_STAFF_PASSWORD is not set');
  const page = await newPage();
  await goto(page, `/desk/intake?lang=${lang}`);
  await signIn(page, STAFF_EMAIL, STAFF_PASSWORD, lang);
  assert.equal(await h1(page), t('desk_intake_title', lang), 'back at the intake page after signing in');
  // Numbered in the order visited, so the screenshots read as the flow.
  let n = 0;
  const see = async (step, on = page) => {
    n += 1;
    const name = `desk-seven-${kind}-${String(n).padStart(2, '0')}-${step}-${lang}`;
    await checkPage(on, name);
    await shoot(on, name);
  };
  return { page, see };
}

/**
 * Intake of a paper request: the kind chosen on the intake page, the form filled (channel
 * letter, received today), the registers ticked; then the case opened from the receipt page.
 * Returns { reference, code } (the status code the client is handed).
 */
async function intakeByDesk(page, see, kind, lang, { registers = [], fill } = {}) {
  const title = FORMS[kind].title[lang];
  await see('intake-choose');
  await clickAndWait(page, page.getByRole('link', { name: title, exact: true }));
  assert.equal(await h1(page), `${t('desk_intake_title', lang)}: ${title}`);
  await page
    .getByRole('group', { name: t('desk_intake_channel', lang), exact: true })
    .getByLabel(t('desk_channel_letter', lang), { exact: true })
    .check();
  await fillRequest(page, kind, lang, { channel: 'pick_up' });
  if (fill) await fill(page);
  const regs = page.getByRole('group', { name: t('form_registers_heading', lang), exact: true });
  for (const r of registers) await regs.getByLabel(r, { exact: true }).check();
  await see('intake');
  const resp = await clickAndWait(page, page.getByRole('button', { name: t('desk_intake_submit', lang), exact: true }));
  if (resp.status() !== 201) {
    const summary = squash(await page.locator('.error-summary').textContent().catch(() => ''));
    assert.fail(`intake ${kind}: expected 201, got ${resp.status()}${summary ? `: ${summary}` : ''}`);
  }
  assert.equal(await h1(page), t('desk_intake_done_title', lang));
  const codes = await page.locator('main dl.facts dd.code').allTextContents();
  const [reference, code] = codes.map(squash);
  assert.match(reference, REFERENCE_RE, 'the reference on the receipt page');
  assert.ok(code && code.length >= 16, `the status code on the receipt page: "${code}"`);
  await see('intake-done');
  await clickAndWait(page, page.getByRole('link', { name: t('desk_intake_open_case', lang), exact: true }));
  assert.equal(await h1(page), `${reference}: ${t(`kind_${kind}`, lang)}`, 'the case page');
  await see('case-new');
  return { reference, code };
}

/** The done notice at the top of the case page after an action or a change. */
async function assertDone(page, key, lang) {
  assert.equal(squash(await page.locator('main .panel').first().textContent()), t(key, lang));
}

/**
 * One action from the case page's buttons: its page (checked), `fill` on it, confirm, and the
 * case page's done notice. Returns the consequence said before confirming.
 */
async function deskAction(page, see, lang, action, { fill, done = action } = {}) {
  await clickAndWait(page, page.locator('ul.actions').getByRole('link', { name: t(`desk_action_${action}`, lang), exact: true }));
  assert.equal(await h1(page), t(`desk_action_${action}`, lang));
  if (fill) await fill(page);
  await see(`action-${action.replace(/_/g, '-')}`);
  const said = squash(await page.locator('main .panel[role=note]').textContent().catch(() => ''));
  const resp = await clickAndWait(page, page.getByRole('button', { name: t('desk_confirm', lang), exact: true }));
  if (resp.status() !== 200) {
    const problem = squash(await page.locator('.error-summary').textContent().catch(() => ''));
    assert.fail(`${action}: answered ${resp.status()}${problem ? `: ${problem}` : ''}`);
  }
  await assertDone(page, `desk_done_${done}`, lang);
  // The answered case page is checked by assertAnswered.
  if (!['complete', 'refuse'].includes(action)) await see(`case-after-${action.replace(/_/g, '-')}`);
  return said;
}

/** Start (which makes the starter the handler) and verify the identity in person. */
async function startAndVerify(page, see, lang) {
  await deskAction(page, see, lang, 'start');
  const handler = squash(await page.locator('section[aria-labelledby="summary-h"] dl.facts dd').nth(1).textContent());
  assert.ok(handler.length > 0 && handler !== t('dpo_unassigned', lang), `the starter handles the request: ${handler}`);
  await deskAction(page, see, lang, 'verify_identity', {
    fill: (p) => p.getByLabel(t('desk_method_in_person', lang), { exact: true }).check(),
  });
}

/** A structured entry from the case page: title, rows, and optionally withheld on a ground. */
async function addEntry(page, see, lang, { title, rows, withheld, step = 'entry-add' }) {
  await clickAndWait(page, page.getByRole('link', { name: t('desk_entry_add', lang), exact: true }));
  assert.equal(await h1(page), t('desk_entry_add', lang));
  await page.getByLabel(t('desk_entry_field_title', lang), { exact: true }).fill(title);
  await page.getByLabel(t('desk_col_registers', lang), { exact: true }).selectOption({ label: SHELTER_REGISTER[lang] });
  const group = page.getByRole('group', { name: t('desk_entry_rows', lang), exact: true });
  for (const [i, [label, value]] of rows.entries()) {
    const row = group.getByRole('group', { name: `${t('list_row', lang)} ${i + 1}`, exact: true });
    await row.getByLabel(t('desk_entry_label', lang), { exact: true }).fill(label);
    await row.getByLabel(t('desk_entry_value', lang), { exact: true }).fill(value);
  }
  if (withheld) {
    await page.getByLabel(t('desk_entry_withheld', lang), { exact: true }).check();
    await page.getByLabel(t('desk_entry_field_withheld_ground', lang), { exact: true }).selectOption({ label: groundLabel(withheld.ground, lang) });
    await page.getByLabel(t('desk_entry_field_withheld_reason', lang), { exact: true }).fill(withheld.reason);
  }
  await see(step);
  await clickAndWait(page, page.getByRole('button', { name: t('desk_entry_add', lang), exact: true }));
  await assertDone(page, 'desk_done_entry_added', lang);
  await see('case-after-entry');
}

/** An item from the case page (rectification, erasure, restriction); its number. */
async function addItem(page, see, lang, { description, category, startedDaysAgo, step = 'item-add' }) {
  await clickAndWait(page, page.getByRole('link', { name: t('desk_item_add', lang), exact: true }));
  assert.equal(await h1(page), t('desk_item_add', lang));
  await page.getByLabel(t('desk_item_field_description', lang), { exact: true }).fill(description);
  if (category) {
    await page.getByLabel(t('desk_item_field_record_category', lang), { exact: true }).selectOption({ label: RETENTION[category].name[lang] });
    await page.getByLabel(t('desk_item_field_retention_start_on', lang), { exact: true }).fill(isoDaysAgo(startedDaysAgo));
  }
  await see(step);
  await clickAndWait(page, page.getByRole('button', { name: t('desk_item_add', lang), exact: true }));
  await assertDone(page, 'desk_done_item_added', lang);
  await see('case-after-item-add');
  const items = page.locator('section[aria-labelledby="items-h"] ol.items > li');
  return items.count();
}

/** Decide item `number` from its link on the case page: done (before/after, reason) or refused (ground, explanation). */
async function decideItem(page, see, lang, number, d, { step = `item-${d.decision}`, beforeSave } = {}) {
  const link = page.getByRole('link', { name: new RegExp(`^${escapeRe(t('desk_item_decide_link', lang))}\\s*${number}$`) });
  await clickAndWait(page, link);
  assert.equal(await h1(page), t('desk_item_decide', lang).replace('{number}', String(number)));
  if (beforeSave) await beforeSave(page);
  await page.getByLabel(t(`desk_item_decide_${d.decision}`, lang), { exact: true }).check();
  const fill = (key, v) => (v === undefined ? null : page.getByLabel(t(key, lang), { exact: true }).fill(v));
  await fill('desk_item_field_before', d.before);
  await fill('desk_item_field_after', d.after);
  await fill('desk_item_field_reason', d.reason);
  if (d.ground) await page.getByLabel(t('desk_item_field_ground', lang), { exact: true }).selectOption({ label: groundLabel(d.ground, lang) });
  await fill('desk_field_explanation', d.explanation);
  await see(step);
  const resp = await clickAndWait(page, page.getByRole('button', { name: t('desk_item_save', lang), exact: true }));
  if (resp.status() !== 200) {
    const problem = squash(await page.locator('.error-summary').textContent().catch(() => ''));
    assert.fail(`item ${number}: answered ${resp.status()}${problem ? `: ${problem}` : ''}`);
  }
  await assertDone(page, 'desk_done_item_decided', lang);
  await see('case-after-decision');
}

/** Complete from its page: the derived outcome is said first; returns what was said. */
async function complete(page, see, lang, { outcome, certificate }) {
  const said = await deskAction(page, see, lang, 'complete');
  const outcomeSaid = t('desk_will_outcome', lang).replace('{outcome}', t(`desk_outcome_${outcome}`, lang));
  assert.ok(said.includes(outcomeSaid), `the complete page says "${outcomeSaid}" before confirming: ${said}`);
  assert.equal(said.includes(t('desk_will_certificate', lang)), certificate, `the complete page ${certificate ? 'says' : 'does not say'} a refusal certificate goes out: ${said}`);
  return said;
}

/**
 * What the staff member sees on the case page at the end: the state and outcome in words,
 * the documents by what they are (in the request's language), and no actions.
 */
async function assertAnswered(page, see, lang, { state, outcome, documents, docLang = lang }) {
  const stateText = squash(await page.locator('section[aria-labelledby="summary-h"] dl.facts dd').first().textContent());
  const expected = `${t(`state_short_${state}`, lang)}: ${t(`desk_outcome_${outcome}`, lang)}`;
  assert.ok(stateText.startsWith(expected), `the state in words: expected "${expected} (date)", got "${stateText}"`);
  const listed = (await page.locator('section[aria-labelledby="documents-h"] > ul > li > a:first-child').allTextContents()).map(squash);
  const missing = documents
    .map((d) => `${t(`desk_doc_${d}`, lang)} (${t(`desk_lang_${docLang}`, lang)})`)
    .filter((w) => !listed.includes(w));
  assert.deepEqual(missing, [], `documents listed on the case page: ${listed.join('; ')}`);
  // Each opens as what it is: the browser fetches the link as a click would (same session).
  const links = await page.locator('section[aria-labelledby="documents-h"] > ul > li > a:first-child').evaluateAll((as) => as.map((a) => [a.textContent.trim(), a.getAttribute('href')]));
  for (const [what, href] of links) {
    const r = await page.request.get(href);
    assert.equal(r.status(), 200, `${what}: ${href}`);
    assert.match(r.headers()['content-type'] ?? '', /^application\/(pdf|zip)|^text\/csv/, `${what}: content type`);
  }
  assert.equal(await page.locator('ul.actions').count(), 0, 'an answered request offers no actions');
  await see('case-answered');
}

/** The client's status page, opened with the reference and code from the receipt (checked and shot with `see`). */
async function clientStatus(see, reference, code, lang) {
  const page = await newPage();
  await goto(page, `/${ORG}/status?lang=${lang}`);
  const mark = ` (${t('required_mark', lang)})`;
  await page.getByLabel(t('status_reference', lang) + mark, { exact: true }).fill(reference);
  await page.getByLabel(t('status_token', lang) + mark, { exact: true }).fill(code);
  const resp = await clickAndWait(page, page.getByRole('button', { name: t('status_open', lang), exact: true }));
  assert.equal(resp.status(), 200, 'the status page opens with the code from the receipt');
  await see('client-status', page);
  return {
    page,
    state: squash(await page.locator('#state').textContent()),
    facts: squash(await page.locator('main dl.facts').textContent()),
  };
}

test('desk, seven kinds (fi): access, one structured entry given and one withheld → partly fulfilled with a refusal certificate', async () => {
  const lang = 'fi';
  const { page, see } = await deskFlow('access', lang);
  const { reference, code } = await intakeByDesk(page, see, 'access', lang, { registers: [SHELTER_REGISTER[lang]] });
  await startAndVerify(page, see, lang);
  await addEntry(page, see, lang, {
    title: 'Asiakassuunnitelma 3/2026',
    rows: [['Tavoite', 'Oma asunto syksyyn mennessä'], ['Laatija', 'Sanna Sosiaalityöntekijä']],
    step: 'entry-given',
  });
  await addEntry(page, see, lang, {
    title: 'Lastensuojeluilmoitus 5/2026',
    rows: [['Ilmoittaja', 'Naapuri'], ['Sisältö', 'Huoli lapsen turvallisuudesta']],
    withheld: { ground: 'gdpr_15_4', reason: 'Ilmoittajan henkilöllisyys suojataan.' },
    step: 'entry-withheld',
  });
  const material = squash(await page.locator('section[aria-labelledby="material-h"]').textContent());
  assert.ok(material.includes(t('desk_withheld', lang)) && material.includes(groundLabel('gdpr_15_4', lang)), `the withheld entry and its ground are shown: ${material}`);
  await complete(page, see, lang, { outcome: 'partially_fulfilled', certificate: true });
  await assertAnswered(page, see, lang, { state: 'completed', outcome: 'partially_fulfilled', documents: ['refusal_certificate', 'answer_cover'] });

  const client = await clientStatus(see, reference, code, lang);
  assert.equal(client.state, t('state_completed', lang), 'the client reads that the request is answered');
  assert.ok(client.facts.includes(t('outcome_partially_fulfilled', lang)), `the client reads the outcome: ${client.facts}`);
}, { timeout: 300_000 });

test('desk, seven kinds (fi): rectification with two items, one done with before/after and one refused → partly fulfilled', async () => {
  const lang = 'fi';
  const { page, see } = await deskFlow('rectification', lang);
  const { reference, code } = await intakeByDesk(page, see, 'rectification', lang, {
    // The client's letter names two corrections: the form's second row too.
    fill: async (p) => {
      const list = p.getByRole('group', { name: accName(field(FORMS.rectification.fields, 'items'), lang), exact: true });
      const row2 = list.getByRole('group', { name: `${t('list_row', lang)} 2`, exact: true });
      // Rows beyond the first are optional as a whole, so their labels carry no "(required)".
      for (const g of field(FORMS.rectification.fields, 'items').item_fields) {
        if (g.required) await row2.getByLabel(g.label[lang], { exact: true }).fill(`${sampleText(g, 'rectification', lang)} 2`);
      }
    },
  });
  await startAndVerify(page, see, lang);
  const n1 = await addItem(page, see, lang, { description: 'Puhelinnumero asiakastiedoissa', step: 'item-add' });
  const n2 = await addItem(page, see, lang, { description: 'Arvio päihteiden käytöstä kirjauksessa 12.3.2026' });
  assert.deepEqual([n1, n2], [1, 2], 'two items');
  await decideItem(page, see, lang, 1, { decision: 'done', before: '040 000 0000', after: '040 123 4567', reason: 'Asiakkaan ilmoittama uusi numero.' }, { step: 'item-done' });
  await decideItem(page, see, lang, 2, {
    decision: 'refused',
    ground: 'gdpr_16',
    explanation: 'Kirjaus on työntekijän ammatillinen arvio tilanteesta, ei virheellinen tieto. Lisäämme asiakirjaan oman näkemyksesi.',
  }, { step: 'item-refused' });
  const items = (await page.locator('section[aria-labelledby="items-h"] ol.items > li').allTextContents()).map(squash);
  assert.ok(items[0].includes(t('desk_item_done', lang)) && items[0].includes('040 000 0000') && items[0].includes('040 123 4567'), `item 1 done with before and after: ${items[0]}`);
  assert.ok(items[1].includes(t('desk_item_refused', lang)) && items[1].includes(groundLabel('gdpr_16', lang)), `item 2 refused on its ground: ${items[1]}`);
  await complete(page, see, lang, { outcome: 'partially_fulfilled', certificate: true });
  await assertAnswered(page, see, lang, { state: 'completed', outcome: 'partially_fulfilled', documents: ['refusal_certificate', 'rectification_done'] });
  const client = await clientStatus(see, reference, code, lang);
  assert.equal(client.state, t('state_completed', lang));
}, { timeout: 300_000 });

test('desk, seven kinds (fi): erasure within retention → the service proposes a refusal on statutory retention; one item erased, one refused', async () => {
  const lang = 'fi';
  const { page, see } = await deskFlow('erasure', lang);
  await intakeByDesk(page, see, 'erasure', lang, { registers: [SHELTER_REGISTER[lang]] });
  await startAndVerify(page, see, lang);
  // A family-law record whose case closed a year ago: kept for ten years from the closing.
  await addItem(page, see, lang, { description: 'Perheoikeudellisen asian asiakirjat 2025', category: 'family_law_other', startedDaysAgo: 365, step: 'item-add' });
  await addItem(page, see, lang, { description: 'Vanha varauskalenterin muistiinpano' });
  const item1 = squash(await page.locator('section[aria-labelledby="items-h"] ol.items > li').first().textContent());
  const until = t('desk_retention_until', lang).split('{date}')[0];
  assert.ok(item1.includes(until), `the case page says until when the record is kept: ${item1}`);
  await decideItem(page, see, lang, 1, {
    decision: 'refused',
    ground: 'gdpr_17_3_b',
    explanation: 'Laki velvoittaa säilyttämään perheoikeudellisen asian asiakirjat kymmenen vuotta asian päättymisestä.',
  }, {
    step: 'item-refused',
    beforeSave: async (p) => {
      const proposal = p.getByRole('note').filter({ has: p.getByRole('heading', { name: t('desk_item_proposal', lang), exact: true }) });
      assert.equal(await proposal.count(), 1, 'the decide page shows the retention proposal');
      const text = squash(await proposal.textContent());
      assert.ok(text.includes(groundLabel('gdpr_17_3_b', lang)), `the proposal cites statutory retention: ${text}`);
    },
  });
  await decideItem(page, see, lang, 2, { decision: 'done', reason: 'Muistiinpanoa ei tarvita eikä sitä ole säädetty säilytettäväksi.' });
  await complete(page, see, lang, { outcome: 'partially_fulfilled', certificate: true });
  await assertAnswered(page, see, lang, { state: 'completed', outcome: 'partially_fulfilled', documents: ['refusal_certificate', 'erasure_done'] });
}, { timeout: 300_000 });

test('desk, seven kinds (sv): restriction, one item restricted → fulfilled, no certificate', async () => {
  const lang = 'sv';
  const { page, see } = await deskFlow('restriction', lang);
  const { reference, code } = await intakeByDesk(page, see, 'restriction', lang, { registers: [SHELTER_REGISTER[lang]] });
  await startAndVerify(page, see, lang);
  await addItem(page, see, lang, { description: 'Anteckningar om boendet hösten 2025', step: 'item-add' });
  await decideItem(page, see, lang, 1, { decision: 'done', reason: 'Behandlingen begränsas medan riktigheten utreds.' }, { step: 'item-done' });
  await complete(page, see, lang, { outcome: 'fulfilled', certificate: false });
  await assertAnswered(page, see, lang, { state: 'completed', outcome: 'fulfilled', documents: ['restriction_done'] });
  const client = await clientStatus(see, reference, code, lang);
  assert.equal(client.state, t('state_completed', lang));
}, { timeout: 300_000 });

test('desk, seven kinds (en): portability, an entry given, the signed bundle built and released → fulfilled', async () => {
  const lang = 'en';
  const { page, see } = await deskFlow('portability', lang);
  await intakeByDesk(page, see, 'portability', lang, { registers: [SHELTER_REGISTER[lang]] });
  await startAndVerify(page, see, lang);
  await addEntry(page, see, lang, {
    title: 'Contact details',
    rows: [['Phone', '040 123 4567'], ['Language', 'English']],
    step: 'entry-given',
  });
  await page.getByLabel(t('desk_bundle_release', lang), { exact: true }).check();
  await clickAndWait(page, page.getByRole('button', { name: t('desk_bundle_build', lang), exact: true }));
  await assertDone(page, 'desk_done_bundle_made', lang);
  await see('bundle-made');
  await complete(page, see, lang, { outcome: 'fulfilled', certificate: false });
  await assertAnswered(page, see, lang, { state: 'completed', outcome: 'fulfilled', documents: ['bundle', 'answer_cover'] });
}, { timeout: 300_000 });

test('desk, seven kinds (fi): objection refused as a whole on its ground → refused, with a refusal certificate', async () => {
  const lang = 'fi';
  const { page, see } = await deskFlow('objection', lang);
  const { reference, code } = await intakeByDesk(page, see, 'objection', lang);
  await startAndVerify(page, see, lang);
  const said = await deskAction(page, see, lang, 'refuse', {
    fill: async (p) => {
      await p.getByRole('group', { name: t('desk_field_grounds', lang) }).getByLabel(groundLabel('gdpr_21_1', lang), { exact: true }).check();
      await p.getByLabel(t('desk_field_explanation', lang), { exact: true }).fill('Kirjaukset ovat lakisääteisiä: sosiaalihuollon asiakasasiakirjat on laadittava ja säilytettävä, eikä vastustaminen koske tätä käsittelyä.');
    },
  });
  assert.ok(said.includes(t('desk_will_certificate', lang)), `the refuse page says a certificate goes out: ${said}`);
  await assertAnswered(page, see, lang, { state: 'refused', outcome: 'refused', documents: ['refusal_certificate'] });
  const client = await clientStatus(see, reference, code, lang);
  assert.equal(client.state, t('state_refused', lang), 'the client reads the refusal');
}, { timeout: 300_000 });

/**
 * Fixture setup, not staff work: the organisation's client system feeds its access log to
 * the service with an ingest token (what a patient record or case-management system does
 * all day). The token is made by the admin on the desk's admin page; the events go to the
 * ingestion endpoint from Node, as the logging system would send them.
 */
async function feedAccessLog(subjectId, events) {
  assert.ok(ADMIN_PASSWORD, 'RIGHTSDESK_ADMIN_PASSWORD is not set');
  const lang = 'fi';
  const page = await newPage();
  await goto(page, `/desk/admin/tokens/new?lang=${lang}`);
  await signIn(page, ADMIN_EMAIL, ADMIN_PASSWORD, lang);
  await page.getByLabel(t('desk_admin_field_source', lang), { exact: true }).fill(`Browser test feed ${Date.now()}`);
  await clickAndWait(page, page.getByRole('button', { name: t('desk_admin_token_create', lang), exact: true }));
  const token = squash(await page.locator('main code').filter({ hasText: /^rdi_/ }).first().textContent());
  assert.match(token, /^rdi_/, 'the new ingest token is shown once');
  await page.context().close();
  const stamp = Date.now();
  const body = events
    .map((e, i) => JSON.stringify({
      event_id: `browser-${stamp}-${i}`,
      occurred_at: `${isoDaysAgo(e.daysAgo)}T${e.time}+02:00`,
      subject_id: subjectId,
      user_name: e.user,
      user_title: e.title,
      unit: e.unit,
      action: e.action ?? 'view',
      basis: 'asiakkuus',
    }))
    .join('\n');
  const r = await fetch(`${BASE}/api/v1/access-log/events?register=turvakoti`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/x-ndjson' },
    body,
  });
  const summary = await r.json();
  assert.equal(r.status, 200, `ingestion: ${JSON.stringify(summary)}`);
  assert.equal(summary.stored, events.length, `events stored: ${JSON.stringify(summary)}`);
}

test('desk, seven kinds (fi): log inspection, the events read, one user withheld, report made, finding recorded → partly fulfilled', async () => {
  const lang = 'fi';
  const suspected = 'Liisa Virtanen';
  const withheldUser = { user: 'Matti Esimerkki', title: 'ohjaaja', unit: 'Turvakoti' };
  await feedAccessLog(LOG_SUBJECT_ID, [
    { daysAgo: 100, time: '09:15:00', user: suspected, title: 'sosiaaliohjaaja', unit: 'Perhepalvelut' },
    { daysAgo: 100, time: '09:40:00', user: suspected, title: 'sosiaaliohjaaja', unit: 'Perhepalvelut', action: 'print' },
    { daysAgo: 60, time: '13:05:00', ...withheldUser },
  ]);
  const { page, see } = await deskFlow('log_inspection', lang);
  const { reference, code } = await intakeByDesk(page, see, 'log_inspection', lang, {
    registers: [SHELTER_REGISTER[lang]],
    fill: async (p) => {
      await p.getByLabel(accName(subjectField('personal_id'), lang), { exact: true }).fill(LOG_SUBJECT_ID);
      const fields = FORMS.log_inspection.fields;
      await p.getByLabel(accName(field(fields, 'misuse_suspected'), lang), { exact: true }).check();
      await p.getByLabel(accName(field(fields, 'misuse_suspected_user'), lang), { exact: true }).fill(suspected);
    },
  });
  await startAndVerify(page, see, lang);

  await clickAndWait(page, page.getByRole('link', { name: t('desk_logs_open', lang), exact: true }));
  assert.equal(await h1(page), t('desk_logs_title', lang));
  const facts = squash(await page.locator('main dl.facts').textContent());
  assert.ok(facts.includes(suspected), `the suspected user is named: ${facts}`);
  const users = page.getByRole('group', { name: t('desk_logs_withhold_users', lang), exact: true });
  const label = (u, n) => `${u.user}, ${u.title}, ${u.unit}: ${t('desk_logs_events_n', lang).replace('{n}', n)}`;
  const suspectedBox = users.getByLabel(new RegExp(`^${escapeRe(label({ user: suspected, title: 'sosiaaliohjaaja', unit: 'Perhepalvelut' }, 2))}`));
  assert.equal(await suspectedBox.count(), 1, 'the suspected user is listed with two events');
  const suspectedLabel = squash(await users.locator('label', { hasText: suspected }).textContent());
  assert.ok(suspectedLabel.includes(t('desk_logs_suspected_tag', lang)), `the suspected user is marked in words: ${suspectedLabel}`);
  assert.ok((await page.locator('main table tbody tr.highlight').count()) >= 1, 'the suspected user\'s day is highlighted');
  await see('logs');
  await users.getByLabel(label(withheldUser, 1), { exact: true }).check();
  await clickAndWait(page, page.getByRole('button', { name: t('desk_logs_report', lang), exact: true }));
  await assertDone(page, 'desk_done_log_report_made', lang);
  await see('case-report-made');

  await clickAndWait(page, page.getByRole('link', { name: t('desk_logs_open', lang), exact: true }));
  await page.getByLabel(t('desk_logs_misuse_no', lang), { exact: true }).check();
  await page.getByLabel(t('desk_logs_field_finding', lang), { exact: true }).fill('Kaikki käynnit liittyivät asiakkuuteesi perhepalveluissa.');
  await see('logs-after-report');
  await clickAndWait(page, page.getByRole('button', { name: t('desk_logs_finding_save', lang), exact: true }));
  await assertDone(page, 'desk_done_finding', lang);
  await see('logs-finding');
  await clickAndWait(page, page.getByRole('link', { name: t('desk_back_to_case', lang).replace('{reference}', reference), exact: true }));
  await see('case-before-complete');

  await complete(page, see, lang, { outcome: 'partially_fulfilled', certificate: true });
  await assertAnswered(page, see, lang, {
    state: 'completed',
    outcome: 'partially_fulfilled',
    documents: ['refusal_certificate', 'log_report', 'log_report_csv', 'answer_cover'],
  });
  const client = await clientStatus(see, reference, code, lang);
  assert.equal(client.state, t('state_completed', lang));
}, { timeout: 300_000 });

for (const lang of LANGS) {
  test(`desk, admin (${lang}): every admin page passes axe; an empty form is summarised`, async () => {
    assert.ok(ADMIN_PASSWORD, 'RIGHTSDESK_ADMIN_PASSWORD is not set');
    const page = await newPage();
    await goto(page, `/desk/admin?lang=${lang}`);
    await signIn(page, ADMIN_EMAIL, ADMIN_PASSWORD, lang);
    assert.equal(await h1(page), t('desk_admin_title', lang));
    await checkPage(page, `desk-admin-${lang}`);
    const links = await page.locator('ul.admin-sections a').evaluateAll((as) => as.map((a) => a.getAttribute('href')));
    assert.equal(links.length, 5, 'five parts');
    for (const href of links) {
      await goto(page, href);
      const name = href.split('/').pop().split('?')[0];
      await checkPage(page, `desk-admin-${name}-${lang}`);
      if (lang === 'fi') await shoot(page, `desk-admin-${name}-${lang}`);
    }
    for (const name of ['users', 'registers', 'tokens']) {
      await goto(page, `/desk/admin/${name}/new?lang=${lang}`);
      await checkPage(page, `desk-admin-${name}-new-${lang}`);
      // Sent empty: the error summary links to the fields, and the page still passes axe.
      await clickAndWait(page, page.locator('#admin-form button[type=submit]'));
      assert.equal(await page.locator('.error-summary').count(), 1, `${name}: error summary`);
      await checkPage(page, `desk-admin-${name}-new-error-${lang}`);
      if (lang === 'fi' && name === 'users') await shoot(page, `desk-admin-${name}-new-error-${lang}`);
    }
  });
}

test('desk, staff (fi): the admin pages are not offered and answer "no access"', async () => {
  assert.ok(STAFF_PASSWORD, 'RIGHTSDESK_STAFF_PASSWORD is not set');
  const lang = 'fi';
  const page = await newPage();
  await goto(page, `/desk?lang=${lang}`);
  await signIn(page, STAFF_EMAIL, STAFF_PASSWORD, lang);
  assert.equal(await page.locator('a[href^="/desk/admin"]').count(), 0, 'no admin link for staff');
  await goto(page, `/desk/admin/users?lang=${lang}`, 403);
  assert.equal(await h1(page), t('forbidden_title', lang));
});

// ------------------------------------------------------------------ security

test('security: a page carries CSP, referrer-policy no-referrer, nosniff; no inline script or style', async () => {
  const page = await newPage();
  const resp = await goto(page, formUrl('access', 'en'));
  const h = resp.headers();
  const csp = h['content-security-policy'] ?? '';
  assert.match(csp, /(^|;)\s*default-src 'none'/, `CSP: ${csp}`);
  assert.doesNotMatch(csp, /unsafe-inline|unsafe-eval/, `CSP: ${csp}`);
  assert.match(csp, /frame-ancestors 'none'/, `CSP: ${csp}`);
  assert.match(csp, /form-action 'self'/, `CSP: ${csp}`);
  assert.equal(h['referrer-policy'], 'no-referrer');
  assert.equal(h['x-content-type-options'], 'nosniff');
  const inline = await page.evaluate(() => ({
    scripts: document.scripts.length,
    styleAttrs: document.querySelectorAll('[style]').length,
    styleTags: document.querySelectorAll('style').length,
  }));
  assert.deepEqual(inline, { scripts: 0, styleAttrs: 0, styleTags: 0 });
  const cookie = (await page.context().cookies()).find((c) => c.name === 'rd_csrf');
  assert.ok(cookie?.httpOnly && cookie.sameSite === 'Strict', 'CSRF cookie HttpOnly, SameSite=Strict');
});

test('security: posting a form without the CSRF cookie or field → 403 (Node fetch, no browser)', async () => {
  const url = `${BASE}${formUrl('objection', 'en')}`;
  const body = (extra = {}) =>
    new URLSearchParams({
      'subject.name': 'Fetch Person',
      'subject.personal_id': PERSONAL_ID,
      'subject.contact_channel': 'pick_up',
      'details.grounds': 'Posted by fetch',
      ...extra,
    }).toString();
  const post = (b, headers = {}) =>
    fetch(url, { method: 'POST', body: b, redirect: 'manual', headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers } });
  // A fresh form: the cookie and the hidden field it sets.
  const get = await fetch(url);
  const setCookie = get.headers.get('set-cookie') ?? '';
  const cookie = /rd_csrf=([^;]+)/.exec(setCookie)?.[1];
  const html = await get.text();
  const field = /name="csrf" value="([^"]+)"/.exec(html)?.[1];
  assert.ok(cookie && field, 'the form sets a CSRF cookie and field');

  let r = await post(body());
  assert.equal(r.status, 403, 'no cookie, no field');
  r = await post(body({ csrf: field }));
  assert.equal(r.status, 403, 'field but no cookie');
  r = await post(body(), { cookie: `rd_csrf=${cookie}` });
  assert.equal(r.status, 403, 'cookie but no field');
  r = await post(body({ csrf: `${field}x` }), { cookie: `rd_csrf=${cookie}` });
  assert.equal(r.status, 403, 'cookie and a wrong field');
  const text = await r.text();
  assert.ok(text.includes(t('csrf_title', 'en')), '403 page explains the expired form');
  // The control: the same post with both is accepted, so the 403s were about CSRF.
  r = await post(body({ csrf: field }), { cookie: `rd_csrf=${cookie}` });
  assert.equal(r.status, 201, 'with cookie and field');
  // The DPO sign-in form is protected the same way.
  r = await fetch(`${BASE}/desk/login?lang=en`, {
    method: 'POST',
    redirect: 'manual',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ email: DPO_EMAIL, password: DPO_PASSWORD }).toString(),
  });
  assert.equal(r.status, 403, 'desk sign-in without CSRF');
});

// ------------------------------------------- the desk's forms, organisations and roles

/** A tiny cookie jar for Node fetch: the desk's cookies by name. */
class Jar {
  constructor() {
    this.cookies = new Map();
  }
  take(resp) {
    for (const c of resp.headers.getSetCookie?.() ?? []) {
      const [pair] = c.split(';');
      const at = pair.indexOf('=');
      const name = pair.slice(0, at).trim();
      const value = pair.slice(at + 1).trim();
      if (value) this.cookies.set(name, value);
      else this.cookies.delete(name);
    }
  }
  header(without = []) {
    return [...this.cookies].filter(([n]) => !without.includes(n)).map(([n, v]) => `${n}=${v}`).join('; ');
  }
  async get(url) {
    const r = await fetch(new URL(url, BASE), { redirect: 'manual', headers: { cookie: this.header() } });
    this.take(r);
    return { status: r.status, html: await r.text(), location: r.headers.get('location') };
  }
}

const decodeEntities = (s) => s.replace(/&amp;/g, '&').replace(/&quot;/g, '"').replace(/&#x27;|&#39;/g, "'").replace(/&lt;/g, '<').replace(/&gt;/g, '>');
const attr = (tag, name) => {
  const m = new RegExp(`\\s${name}="([^"]*)"`).exec(tag);
  return m ? decodeEntities(m[1]) : null;
};

/** The post forms of a page, each with its action, encoding and the values it would send. */
function postForms(html) {
  const forms = [];
  for (const m of html.matchAll(/<form\b([^>]*)>([\s\S]*?)<\/form>/g)) {
    const [, tag, inner] = m;
    if ((attr(tag, 'method') ?? 'get').toLowerCase() !== 'post') continue;
    const fields = [];
    for (const i of inner.matchAll(/<input\b[^>]*>/g)) {
      const name = attr(i[0], 'name');
      const type = (attr(i[0], 'type') ?? 'text').toLowerCase();
      if (!name || type === 'file') continue;
      if ((type === 'checkbox' || type === 'radio') && !/\schecked\b/.test(i[0])) continue;
      fields.push([name, attr(i[0], 'value') ?? '']);
    }
    for (const ta of inner.matchAll(/<textarea\b([^>]*)>([\s\S]*?)<\/textarea>/g)) {
      const name = attr(ta[1], 'name');
      if (name) fields.push([name, decodeEntities(ta[2])]);
    }
    for (const s of inner.matchAll(/<select\b([^>]*)>([\s\S]*?)<\/select>/g)) {
      const name = attr(s[1], 'name');
      const opts = [...s[2].matchAll(/<option\b([^>]*)>/g)].map((o) => o[1]);
      const chosen = opts.find((o) => /\sselected\b/.test(o)) ?? opts[0];
      if (name && chosen !== undefined) fields.push([name, attr(chosen, 'value') ?? '']);
    }
    forms.push({ action: attr(tag, 'action'), multipart: /multipart\/form-data/i.test(attr(tag, 'enctype') ?? ''), fields });
  }
  return forms;
}

/** The desk links of a page (paths with their query), for the crawl. */
const deskLinks = (html) =>
  [...html.matchAll(/<a\b[^>]*\shref="([^"]+)"/g)].map((m) => decodeEntities(m[1])).filter((h) => h.startsWith('/desk') && !h.includes('download=1'));

/** Signs in with Node fetch as a browser would: the form's CSRF value and cookie. */
async function fetchSignIn(email, password, lang = 'en') {
  const jar = new Jar();
  const login = await jar.get(`/desk?lang=${lang}`);
  const csrf = /name="csrf" value="([^"]+)"/.exec(login.html)?.[1];
  assert.ok(csrf, 'the sign-in form carries a CSRF value');
  const r = await fetch(`${BASE}/desk/login?lang=${lang}`, {
    method: 'POST',
    redirect: 'manual',
    headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: jar.header() },
    body: new URLSearchParams({ csrf, email, password }).toString(),
  });
  jar.take(r);
  assert.equal(r.status, 303, `signing in as ${email}`);
  assert.ok(jar.cookies.has('rd_session'), 'a session cookie');
  return jar;
}

/** Every POST route of the desk, read from its route tables in the source, in the order actix tries them. */
function deskPostRoutes() {
  const routes = [];
  for (const rel of ['src/web/desk/admin/mod.rs', 'src/web/desk/mod.rs']) {
    const src = readFileSync(path.join(repo, rel), 'utf8');
    for (const m of src.matchAll(/\.route\(\s*"([^"]+)",\s*web::post\(\)/g)) routes.push(m[1]);
  }
  return routes;
}
const routeRe = (route) => new RegExp(`^${route.split(/\{[^}]+\}/).map(escapeRe).join('[^/]+')}$`);

/**
 * Posts a form as it is on the page but without its CSRF field (the cookie and the session
 * are sent): the answer must be 403 and say that the form expired.
 */
async function postWithoutCsrf(jar, form, lang) {
  const fields = form.fields.filter(([n]) => n !== 'csrf');
  let body;
  const headers = { cookie: jar.header() };
  if (form.multipart) {
    body = new FormData();
    for (const [n, v] of fields) body.append(n, v);
    body.append('file', new Blob(['%PDF-1.4\n'], { type: 'application/pdf' }), 'x.pdf');
  } else {
    body = new URLSearchParams(fields).toString();
    headers['content-type'] = 'application/x-www-form-urlencoded';
  }
  const r = await fetch(new URL(form.action, BASE), { method: 'POST', redirect: 'manual', headers, body });
  const text = await r.text();
  const said = text.includes(t('csrf_title', lang)) || text.includes(t('csrf_text', lang));
  return { status: r.status, said };
}

test('security: every desk form posted without its CSRF field → 403 "form expired" (Node fetch, staff and admin)', async () => {
  assert.ok(STAFF_PASSWORD && ADMIN_PASSWORD, 'staff and admin passwords are needed');
  const lang = 'en';
  const routes = deskPostRoutes();
  assert.ok(routes.length >= 30, `POST routes read from the source: ${routes.length}`);
  const seen = new Map(); // action path -> { form, role }
  const crawl = async (jar, role, start, limit) => {
    const queue = [...start];
    const visited = new Set();
    while (queue.length && visited.size < limit) {
      const url = queue.shift();
      const key = url.replace(/[?#].*$/, '');
      if (visited.has(key)) continue;
      visited.add(key);
      const page = await jar.get(url);
      if (page.status !== 200) continue;
      for (const f of postForms(page.html)) {
        const p = f.action.replace(/[?#].*$/, '');
        if (!seen.has(p)) seen.set(p, { form: f, role });
      }
      for (const href of deskLinks(page.html)) {
        const k = href.replace(/[?#].*$/, '');
        // Skip documents (PDFs) and the other queues' duplicates of the same case pages.
        if (/\/documents\//.test(k) || visited.has(k)) continue;
        if (role === 'admin' && !k.startsWith('/desk/admin')) continue;
        queue.push(href);
      }
    }
    return visited.size;
  };
  const staff = await fetchSignIn(STAFF_EMAIL, STAFF_PASSWORD, lang);
  const pagesStaff = await crawl(staff, 'staff', [`/desk/queue/open?lang=${lang}`, `/desk/queue/closed?lang=${lang}`, `/desk/intake?lang=${lang}`, `/desk/settings?lang=${lang}`, `/desk/search?lang=${lang}`], 250);
  const admin = await fetchSignIn(ADMIN_EMAIL, ADMIN_PASSWORD, lang);
  const pagesAdmin = await crawl(admin, 'admin', [`/desk/admin?lang=${lang}`], 200);

  const failures = [];
  const covered = new Set();
  for (const [p, { form, role }] of seen) {
    const jar = role === 'admin' ? admin : staff;
    const r = await postWithoutCsrf(jar, form, lang);
    if (r.status !== 403 || !r.said) failures.push(`${p} (${role}): ${r.status}${r.said ? '' : ', no "form expired" text'}`);
    // The route that answers it: the first that matches, in the order they are registered.
    const route = routes.find((r) => routeRe(r).test(p));
    if (route) covered.add(route);
    else failures.push(`${p}: no desk POST route matches (the route table was not read right)`);
  }
  // Routes no page of the demo offers a form for now (e.g. an item's decision before any item
  // exists): posted at their address all the same, with ids of this organisation.
  const anyCase = [...seen.keys()].map((p) => /^\/desk\/requests\/([^/]+)\//.exec(p)?.[1]).find(Boolean);
  const anyUser = [...seen.keys()].map((p) => /^\/desk\/admin\/users\/([^/]+)$/.exec(p)?.[1]).find((x) => x && x !== 'new');
  const synthesized = [];
  for (const route of routes.filter((r) => !covered.has(r))) {
    const admin_ = route.startsWith('/desk/admin');
    const url = route
      .replace('{id}', admin_ ? anyUser ?? 'x' : anyCase)
      .replace('{action}', 'complete')
      .replace(/\{[^}]+\}/g, '1');
    const r = await postWithoutCsrf(admin_ ? admin : staff, { action: `${url}?lang=${lang}`, multipart: false, fields: [] }, lang);
    synthesized.push(url);
    if (r.status !== 403 || !r.said) failures.push(`${url} (no form found; posted at its address): ${r.status}${r.said ? '' : ', no "form expired" text'}`);
  }
  console.log(`       # ${seen.size} forms found on ${pagesStaff + pagesAdmin} pages; ${synthesized.length} routes posted at their address: ${synthesized.join(', ')}`);
  assert.ok(seen.size >= 20, `forms found: ${seen.size}`);
  assert.deepEqual(failures, [], 'posts without the CSRF field that were not refused as expired forms');
  // The control: the search form with its CSRF field is answered, so the 403s were about CSRF.
  const search = seen.get('/desk/search');
  assert.ok(search, 'the search form was found');
  const r = await fetch(new URL(search.form.action, BASE), {
    method: 'POST',
    redirect: 'manual',
    headers: { cookie: staff.header(), 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams([...search.form.fields.filter(([n]) => n !== 'q'), ['q', 'Esimerkki']]).toString(),
  });
  assert.equal(r.status, 200, 'the search form with its CSRF field');
}, { timeout: 300_000 });

const PROTECTED_ADDRESS = 'Turvaosoite 1';
const PROTECTED_CLIENT = 'Anna Exempel';

test('desk: no page shows a protected address to staff or the DPO; an admin (allowed by default) sees it', async () => {
  assert.ok(STAFF_PASSWORD && DPO_PASSWORD && ADMIN_PASSWORD, 'staff, DPO and admin passwords are needed');
  const lang = 'fi';
  // The demo's log-inspection client has a protected address; the organisation shows it to admins only.
  const leaks = [];
  let caseUrl = null;
  for (const [role, email, password] of [['staff', STAFF_EMAIL, STAFF_PASSWORD], ['dpo', DPO_EMAIL, DPO_PASSWORD]]) {
    const page = await newPage();
    await goto(page, `/desk/queue/open?lang=${lang}`);
    await signIn(page, email, password, lang);
    const look = async (what) => {
      const text = await page.locator('body').innerText();
      const html = await page.content();
      if (text.includes(PROTECTED_ADDRESS) || html.includes(PROTECTED_ADDRESS)) leaks.push(`${role}: ${what} (${page.url()})`);
    };
    await look('open queue');
    const row = page.locator('table.queue tbody tr', { hasText: PROTECTED_CLIENT });
    assert.equal(await row.count(), 1, `${role}: the protected client is in the open queue`);
    assert.ok(squash(await row.textContent()).includes(t('desk_protected', lang)), `${role}: the queue marks the protected address in words`);
    for (const q of ['mine', 'unassigned', 'due-soon', 'overdue', 'paused', 'needs-review', 'closed']) {
      const resp = await page.goto(`/desk/queue/${q}?lang=${lang}`);
      if (resp.status() === 200) await look(`queue ${q}`);
    }
    if (role === 'dpo') {
      await goto(page, `/desk/board?lang=${lang}`);
      await look('board');
    }
    await goto(page, `/desk/search?lang=${lang}`);
    await page.getByLabel(t('desk_search_label', lang), { exact: true }).fill('Exempel');
    await clickAndWait(page, page.getByRole('button', { name: t('desk_search_button', lang), exact: true }));
    await look('search');
    await clickAndWait(page, page.locator('table.queue tbody tr', { hasText: PROTECTED_CLIENT }).getByRole('link'));
    caseUrl = page.url();
    await look('case page');
    const who = squash(await page.locator('section[aria-labelledby="who-h"]').textContent());
    assert.ok(who.includes(t('desk_protected_text', lang)), `${role}: the case page says the address is protected: ${who}`);
    if (role === 'staff') await checkPage(page, `desk-case-protected-${lang}`);
    // Every page the case links to: actions, log data, gathering.
    const links = await page.locator('main a[href^="/desk/requests/"]').evaluateAll((as) => [...new Set(as.map((a) => a.getAttribute('href')))]);
    for (const href of links.filter((h) => !h.includes('/documents/'))) {
      const resp = await page.goto(href);
      if (resp.status() === 200) await look(href.split('?')[0].split('/').slice(4).join('/') || 'case');
    }
    await page.context().close();
  }
  assert.deepEqual(leaks, [], 'pages that showed the protected address');

  // The control: the admin, whom the organisation allows, sees it on the same case page.
  const page = await newPage();
  await goto(page, caseUrl);
  await signIn(page, ADMIN_EMAIL, ADMIN_PASSWORD, lang);
  const who = squash(await page.locator('section[aria-labelledby="who-h"]').textContent());
  assert.ok(who.includes(PROTECTED_ADDRESS), `the admin sees the protected address (so the checks above look for the right text): ${who}`);
}, { timeout: 300_000 });

const OTHER_EMAIL = process.env.RIGHTSDESK_OTHER_STAFF_EMAIL ?? '';
const OTHER_PASSWORD = process.env.RIGHTSDESK_OTHER_STAFF_PASSWORD ?? '';

test('desk: a staff member of another organisation sees nothing of this one (queues, search, case pages by id → 404)', async () => {
  assert.ok(OTHER_EMAIL && OTHER_PASSWORD, 'RIGHTSDESK_OTHER_STAFF_EMAIL/PASSWORD are not set (scripts/browser-tests.sh makes a second organisation)');
  assert.ok(STAFF_PASSWORD, 'RIGHTSDESK_STAFF_PASSWORD is not set');
  const lang = 'fi';
  // This organisation's requests as its own staff see them: references, names and case addresses.
  const own = await newPage();
  await goto(own, `/desk/queue/open?lang=${lang}`);
  await signIn(own, STAFF_EMAIL, STAFF_PASSWORD, lang);
  const rows = await own.locator('table.queue tbody tr').evaluateAll((trs) =>
    trs.map((tr) => ({ href: tr.querySelector('a').getAttribute('href'), reference: tr.querySelector('a').textContent.trim(), name: tr.querySelector('td').firstChild.textContent.trim() })),
  );
  assert.ok(rows.length >= 3, `this organisation has open requests: ${rows.length}`);
  const caseHref = rows[0].href;
  await goto(own, caseHref);
  const docHref = await own.locator('section[aria-labelledby="documents-h"] li a').first().getAttribute('href');
  const actionHref = await own.locator('ul.actions a').first().getAttribute('href');
  await own.context().close();

  const page = await newPage();
  await goto(page, `/desk/queue/open?lang=${lang}`);
  await signIn(page, OTHER_EMAIL, OTHER_PASSWORD, lang);
  const shown = [];
  for (const q of ['mine', 'unassigned', 'due-soon', 'overdue', 'paused', 'needs-review', 'open', 'closed']) {
    const resp = await page.goto(`/desk/queue/${q}?lang=${lang}`);
    if (resp.status() !== 200) continue;
    const n = await page.locator('table.queue tbody tr').count();
    if (n) shown.push(`queue ${q}: ${n} rows`);
    if (q === 'open') {
      await checkPage(page, `desk-queue-open-other-org-${lang}`);
      await shoot(page, `desk-queue-open-other-org-${lang}`);
    }
  }
  for (const q of [rows[0].reference, rows[0].name, 'Esimerkki', PERSONAL_ID]) {
    await goto(page, `/desk/search?lang=${lang}`);
    await page.getByLabel(t('desk_search_label', lang), { exact: true }).fill(q);
    await clickAndWait(page, page.getByRole('button', { name: t('desk_search_button', lang), exact: true }));
    const n = await page.locator('table.queue tbody tr').count();
    if (n) shown.push(`search "${q}": ${n} rows`);
  }
  for (const href of [caseHref, actionHref, docHref, `${caseHref.split('?')[0]}/logs?lang=${lang}`, `${caseHref.split('?')[0]}/items/new?lang=${lang}`]) {
    const resp = await page.goto(href);
    if (resp.status() !== 404) shown.push(`${href}: ${resp.status()}`);
  }
  await goto(page, caseHref, 404);
  assert.equal(await h1(page), t('not_found_title', lang), 'the case page by id: not found');
  const text = await page.locator('body').innerText();
  for (const r of rows) if (text.includes(r.reference) || text.includes(r.name)) shown.push(`404 page names ${r.reference}`);
  assert.deepEqual(shown, [], 'what the other organisation\'s staff saw');
}, { timeout: 180_000 });

test('security (en): a form whose CSRF cookie is gone shows the "form expired" page (403)', async () => {
  const page = await newPage();
  await goto(page, formUrl('restriction', 'en'));
  await fillRequest(page, 'restriction', 'en', { channel: 'pick_up' });
  await page.context().clearCookies();
  const resp = await clickAndWait(page, submitButton(page, 'en'));
  assert.equal(resp.status(), 403);
  assert.equal(await h1(page), t('csrf_title', 'en'));
  await checkPage(page, 'form-expired-en');
  await shoot(page, 'form-expired-en');
});

// ---------------------------------------------------------------- rate limit

test('rate limit (en): the second submission on a server with RIGHTSDESK_SUBMIT_LIMIT=1 → 429 page with Retry-After', async () => {
  assert.ok(LIMITED, 'RIGHTSDESK_LIMITED_BASE_URL is not set (a server with RIGHTSDESK_SUBMIT_LIMIT=1)');
  const page = await newPage({ base: LIMITED });
  await submitRequest(page, 'objection', 'en', { channel: 'pick_up' });
  await goto(page, formUrl('objection', 'en'));
  await fillRequest(page, 'objection', 'en', { channel: 'pick_up' });
  const resp = await clickAndWait(page, submitButton(page, 'en'));
  assert.equal(resp.status(), 429);
  const retry = resp.headers()['retry-after'];
  assert.match(retry ?? '', /^\d+$/, `Retry-After: ${retry}`);
  assert.ok(Number(retry) > 0, 'Retry-After is positive');
  await assertLang(page, 'en');
  assert.equal(await h1(page), t('too_many_title', 'en'));
  const minutes = Math.max(1, Math.ceil(Number(retry) / 60));
  const text = squash(await page.locator('main').textContent());
  assert.ok(text.includes(t('too_many_text', 'en').replace('{minutes}', String(minutes))), `the page says how long to wait (${minutes} min): ${text}`);
  await checkPage(page, 'too-many-en');
  await shoot(page, 'too-many-en');
});

test('rate limit (en): the 429 page, which says "call us", shows the organisation\'s phone number and a way back', async () => {
  assert.ok(LIMITED, 'RIGHTSDESK_LIMITED_BASE_URL is not set');
  const page = await newPage({ base: LIMITED });
  await goto(page, `/${ORG}/?lang=en`);
  const footer = squash(await page.locator('footer').textContent());
  const phone = /(\+?\d[\d ]{5,}\d)/.exec(footer)?.[1];
  assert.ok(phone, `the org page footer shows a phone number: ${footer}`);
  // The limit is used up by the previous test (or is now).
  await goto(page, formUrl('objection', 'en'));
  await fillRequest(page, 'objection', 'en', { channel: 'pick_up' });
  let resp = await clickAndWait(page, submitButton(page, 'en'));
  if (resp.status() === 201) {
    await goto(page, formUrl('objection', 'en'));
    await fillRequest(page, 'objection', 'en', { channel: 'pick_up' });
    resp = await clickAndWait(page, submitButton(page, 'en'));
  }
  assert.equal(resp.status(), 429);
  const text = squash(await page.locator('body').textContent());
  const missing = [];
  if (!text.includes(phone)) missing.push(`the phone number ${phone}`);
  const back = await page.locator('a[href]').evaluateAll((as, org) => as.filter((a) => new URL(a.href).pathname === `/${org}/`).length, ORG);
  if (!back) missing.push(`a link back to the organisation's page /${ORG}/`);
  assert.deepEqual(missing, [], 'the 429 page tells the person to call but gives no number or way back');
});

// ------------------------------------------------------ every page's headers

test('security: every HTML page seen in this run carried the security headers', async () => {
  assert.ok(documents.length > (FILTER ? 0 : 20), `pages seen: ${documents.length}`);
  const bad = [];
  for (const d of documents) {
    const h = d.headers;
    if (!/^text\/html/.test(h['content-type'] ?? '')) continue;
    const miss = [];
    if (!/default-src 'none'/.test(h['content-security-policy'] ?? '')) miss.push('CSP');
    if (h['referrer-policy'] !== 'no-referrer') miss.push('referrer-policy');
    if (h['x-content-type-options'] !== 'nosniff') miss.push('nosniff');
    if (miss.length) bad.push(`${d.method} ${d.url} (${d.status}): ${miss.join(', ')}`);
  }
  assert.deepEqual(bad, []);
});

// ======================================================================= main

async function main() {
  mkdirSync(SHOTS, { recursive: true });
  console.log(`# rightsdesk browser tests against ${BASE}${LIMITED ? ` (rate-limited: ${LIMITED})` : ''}`);
  try {
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
  } catch (e) {
    console.log(`FAIL launching ${CHROMIUM}: ${e.message}`);
    console.log('0 passed, 1 failed');
    process.exit(1);
  }
  console.log(`# chromium ${browser.version()}, axe-core ${axeVersion}, screenshots in ${SHOTS}`);
  const t0 = Date.now();
  for (const { name, fn, timeout } of tests) {
    if (FILTER && !name.includes(FILTER)) continue;
    current = name;
    const start = Date.now();
    try {
      await withTimeout(fn(), Math.max(timeout ?? 0, TEST_TIMEOUT_MS), name);
      record(name, true, null, Date.now() - start);
    } catch (e) {
      record(name, false, e, Date.now() - start);
    } finally {
      await closeAll();
    }
  }
  await browser.close();
  const passed = results.filter((r) => r.ok).length;
  const failed = results.length - passed;
  console.log('');
  if (failed) {
    console.log(`# failed (${failed}):`);
    for (const r of results.filter((x) => !x.ok)) console.log(`#   ${r.name}`);
  }
  console.log(`# ${results.length} tests, ${checkedPages.size} pages checked with axe, ${((Date.now() - t0) / 1000).toFixed(0)} s`);
  console.log(`${passed} passed, ${failed} failed`);
  process.exit(failed ? 1 : 0);
}

main().catch((e) => {
  console.log(`FAIL runner: ${e.stack ?? e}`);
  console.log('0 passed, 1 failed');
  process.exit(1);
});
