import { demoAnswerText } from 'agent-gateway-client/server';
import { describe, expect, it } from 'vitest';
import {
  answerOnScreen,
  approveAndAnswer,
  isActive,
  openDemo,
  RESULTS,
  useDemoInChromium,
} from './support.js';

useDemoInChromium();

describe('the demo page in Chromium', () => {
  it('a full session: approve the tool, answer the input, the expected answer is on screen', async () => {
    const { page, errors } = await openDemo();
    await isActive(page, 'link.connected');
    await approveAndAnswer(page, 'Saturday');
    expect(await answerOnScreen(page)).toBe(demoAnswerText(true, 'Saturday'));
    expect(await page.getByTestId('tool-part').getAttribute('data-state')).toBe('output-available');
    expect(await page.getByTestId('session-status').textContent()).toBe('session: completed');
    await isActive(page, 'disconnected.sessionComplete');
    await page.screenshot({ path: `${RESULTS}/full-session.png`, fullPage: true });
    expect(errors).toEqual([]);
    await page.close();
  });

  it('dropping the connection mid-stream: reconnecting then connected, same text, no duplicated words', async () => {
    const { page, errors } = await openDemo();
    // Mid-stream: the answer's first text part is still growing when the link drops.
    await page.locator('[data-testid="text-part"].streaming').waitFor({ timeout: 20_000 });
    const reconnecting = isActive(page, 'reconnecting');
    await page.getByTestId('drop-connection').click();
    await reconnecting;
    const textAtDrop = await answerOnScreen(page);
    expect(textAtDrop.length).toBeGreaterThan(0);
    expect(textAtDrop.length).toBeLessThan(demoAnswerText(true, 'Sunday').length / 3);
    await page.screenshot({ path: `${RESULTS}/reconnecting.png`, fullPage: true });
    await isActive(page, 'link.connected');
    await approveAndAnswer(page, 'Sunday');
    const log = await page.getByTestId('transition-log').locator('li').allTextContents();
    const dropAt = log.indexOf('reconnecting');
    expect(dropAt).toBeGreaterThan(0);
    expect(log.slice(dropAt)).toContain('connected');
    const expected = demoAnswerText(true, 'Sunday');
    const shown = await answerOnScreen(page);
    expect(shown).toBe(expected);
    expect(shown.split(' ').length).toBe(expected.split(' ').length);
    await page.screenshot({ path: `${RESULTS}/after-drop.png`, fullPage: true });
    expect(errors).toEqual([]);
    await page.close();
  });

  it('rejecting the tool takes the other branch on screen', async () => {
    const { page } = await openDemo();
    await page.getByTestId('reject-tool').click({ timeout: 20_000 });
    await page.getByTestId('input-answer').fill('Friday', { timeout: 20_000 });
    await page.getByTestId('input-submit').click();
    await page.getByTestId('session-complete').waitFor({ timeout: 20_000 });
    expect(await answerOnScreen(page)).toBe(demoAnswerText(false, 'Friday'));
    expect(await page.getByTestId('tool-part').getAttribute('data-state')).toBe('output-denied');
    await page.close();
  });
});
