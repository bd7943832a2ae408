import { existsSync, mkdirSync } from 'node:fs';
import { type Browser, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll } from 'vitest';
import { type DemoOptions, type RunningDemo, startDemo } from '../../demo/server.js';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/** Where the e2e tests write their screenshots. */
export const RESULTS = 'test-results/e2e';

let demo: RunningDemo;
let browser: Browser;

/** Starts the demo (in-memory gateway, 25 tokens/s, `options` on top) and a headless Chromium for this test file. */
export function useDemoInChromium(options: DemoOptions = {}): void {
  beforeAll(async () => {
    // Never skipped: a missing browser is a broken test machine, and CI installs it.
    if (!existsSync(CHROMIUM))
      throw new Error(`Chromium not found at ${CHROMIUM} (apt-get install -y chromium)`);
    mkdirSync(RESULTS, { recursive: true });
    demo = await startDemo({ port: 0, tokensPerSecond: 25, ...options });
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
    });
  });

  afterAll(async () => {
    await browser?.close();
    await demo?.close();
  });
}

/** A new page on the demo, with the errors it throws and the errors its console logs collected. */
export async function openDemo(): Promise<{ page: Page; errors: string[] }> {
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  const errors: string[] = [];
  page.on('pageerror', (error) => errors.push(error.message));
  page.on('console', (message) => {
    if (message.type() === 'error') errors.push(`console: ${message.text()}`);
  });
  await page.goto(demo.url);
  return { page, errors };
}

/** The assistant's answer as shown on screen: every text part, in order. */
export const answerOnScreen = async (page: Page) =>
  (await page.getByTestId('text-part').allTextContents()).join('');

/** Resolves once the machine diagram shows `stateId` active. */
export const isActive = (page: Page, stateId: string) =>
  page.waitForFunction(
    (id) => document.querySelector(`[data-testid="state-${id}"]`)?.getAttribute('data-active') === 'true',
    stateId,
    { timeout: 20_000, polling: 'raf' },
  );

/** Approves the tool, answers the input with `day`, and waits for the session's end. */
export async function approveAndAnswer(page: Page, day: string) {
  await page.getByTestId('approve-tool').click({ timeout: 20_000 });
  await page.getByTestId('input-answer').fill(day, { timeout: 20_000 });
  await page.getByTestId('input-submit').click();
  await page.getByTestId('session-complete').waitFor({ timeout: 20_000 });
}
