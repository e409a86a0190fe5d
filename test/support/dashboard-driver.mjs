// Drives the local dashboard in a real headless Chromium (the one @sparticuz/chromium ships inside
// its npm package, so `npm install && npm test` needs nothing else). ESM, so it runs in its own
// process: Jest's CommonJS runtime cannot load puppeteer-core. Protocol on stdin/stdout, one line
// each: it prints `ready` once the page has rendered data; `read <epoch ms>` answers with one JSON
// line of what the page shows, once the page has data newer than that time.
import { createInterface } from 'node:readline';
import chromium from '@sparticuz/chromium';
import puppeteer from 'puppeteer-core';

const [url] = process.argv.slice(2);
const browser = await puppeteer.launch({
  executablePath: await chromium.executablePath(),
  args: chromium.args,
  headless: true,
});
try {
  const page = await browser.newPage();
  const errors = [];
  page.on('pageerror', (error) => errors.push(String(error)));
  await page.goto(url);
  await page.waitForFunction(() => document.body.dataset.updated, { timeout: 20_000 });
  process.stdout.write('ready\n');
  for await (const line of createInterface({ input: process.stdin })) {
    const [command, after] = line.split(' ');
    if (command !== 'read') continue;
    await page.waitForFunction(
      (t) => Number(document.body.dataset.updated) > t,
      { timeout: 20_000 },
      Number(after),
    );
    const view = await page.evaluate(() => ({
      title: document.title,
      updated: Number(document.body.dataset.updated),
      problem: document.getElementById('problem')?.textContent ?? '',
      figures: Object.fromEntries(
        [...document.querySelectorAll('[data-figure]')].map((e) => [e.dataset.figure, e.textContent]),
      ),
      charts: [...document.querySelectorAll('section[id^="env-"]')].map((card) => ({
        env: card.id.slice(4),
        accepted: card.querySelector('[data-series="accepted"]')?.getAttribute('points') ?? '',
        throttled: card.querySelector('[data-series="throttled"]')?.getAttribute('points') ?? '',
      })),
      queues: [...document.querySelectorAll('#queues tr[data-row]')].map((r) =>
        [...r.children].map((c) => c.textContent),
      ),
      runs: document.querySelectorAll('#runs tr[data-row]').length,
      last: document.querySelectorAll('#last li').length,
    }));
    process.stdout.write(`${JSON.stringify({ ...view, errors })}\n`);
  }
} finally {
  await browser.close();
}
