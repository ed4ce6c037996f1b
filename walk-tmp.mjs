import { chromium } from '@playwright/test';
const base = 'http://127.0.0.1:3111';
const browser = await chromium.launch({ executablePath: '/usr/bin/chromium-headless-shell', args: ['--no-sandbox', '--disable-gpu'] });
const sizes = { laptop: { width: 1366, height: 768 }, projector: { width: 1920, height: 1080 }, phone: { width: 360, height: 740 } };
async function signedIn(email, size) {
  const context = await browser.newContext({ viewport: sizes[size], locale: 'fi-FI' });
  const page = await context.newPage();
  await page.goto(base + '/sign-in');
  await page.locator('input[name="email"]').fill(email);
  await page.locator('input[name="password"]').fill('verstas-demo');
  await page.locator('main form button[type="submit"]').click();
  await page.locator('form[action="/sign-out"] button').first().waitFor({ state: 'attached' });
  return page;
}
const shots = process.argv.slice(2);
const [who, size, path, name] = shots;
const page = await signedIn(who, size);
const errors = [];
page.on('pageerror', (e) => errors.push(String(e)));
page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
await page.goto(base + path);
await page.waitForTimeout(1500);
await page.screenshot({ path: `/tmp/walk/${name}.png`, fullPage: !!process.env.FULL });
const focus = await page.evaluate(() => ({ scrollW: document.documentElement.scrollWidth, h: document.documentElement.scrollHeight }));
console.log(name, JSON.stringify(focus), errors.join(' | '));
await browser.close();
