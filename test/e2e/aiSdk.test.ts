import { demoAnswerText, demoThinking } from 'agent-gateway-client/server';
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { approveAndAnswer as finishInHookTab, openDemo, RESULTS, useDemoInChromium } from './support.js';

const WAIT = { timeout: 20_000 };

useDemoInChromium();

async function openAiSdkTab(): Promise<{ page: Page; errors: string[] }> {
  const { page, errors } = await openDemo();
  await page.getByTestId('tab-ai-sdk').click(WAIT);
  return { page, errors };
}

/** The assistant's answer as useChat shows it: the last assistant message's text parts. */
const answerOf = async (page: Page) =>
  (await page.getByTestId('ai-assistant').last().getByTestId('ai-text-part').allTextContents()).join('');

/** Answers the latest run's approval and input request in the useChat view, and waits for its end. */
async function approveAndAnswer(page: Page, day: string) {
  const answer = page.getByTestId('ai-assistant').last();
  await answer.getByTestId('ai-approve-tool').click(WAIT);
  await answer.getByTestId('ai-input-answer').fill(day, WAIT);
  await answer.getByTestId('ai-input-submit').click();
  await page.getByTestId('ai-complete').waitFor(WAIT);
}

describe('the demo page: the AI SDK tab (useChat through the gateway transport) in Chromium', () => {
  it("shows the page's session a second way: replayed by useChat, approved and answered there, the same answer in both views", async () => {
    const { page, errors } = await openAiSdkTab();
    await approveAndAnswer(page, 'Saturday');
    const expected = demoAnswerText(true, 'Saturday');
    expect(await answerOf(page)).toBe(expected);
    expect(await page.getByTestId('ai-tool-part').getAttribute('data-state')).toBe('output-available');
    expect(await page.getByTestId('ai-input-answered').textContent()).toContain('Saturday');
    expect(await page.getByTestId('ai-assistant').count()).toBe(1);
    await page.screenshot({ path: `${RESULTS}/ai-sdk-session.png`, fullPage: true });
    await page.getByTestId('tab-hook').click();
    expect((await page.getByTestId('text-part').allTextContents()).join('')).toBe(expected);
    expect(await page.getByTestId('session-status').textContent()).toBe('session: completed');
    expect(errors).toEqual([]);
    await page.close();
  });

  it('a prompt starts a new run (POST /runs): the reasoning quotes it, the page follows the new session, a drop loses no word', async () => {
    const { page, errors } = await openAiSdkTab();
    const before = await page.locator('.chat-key').textContent();
    const prompt = 'What should I pack for Paris?';
    await page.getByTestId('ai-prompt').fill(prompt, WAIT);
    await page.getByTestId('ai-send').click();
    await page.getByTestId('ai-user').last().waitFor(WAIT);
    expect(await page.getByTestId('ai-user').last().textContent()).toBe(prompt);
    // Mid-stream: the new run's answer is growing when the gateway drops its links.
    await page
      .getByTestId('ai-assistant')
      .last()
      .locator('[data-testid="ai-text-part"].streaming')
      .waitFor(WAIT);
    expect(await page.locator('.chat-key').textContent()).not.toBe(before);
    await page.getByTestId('drop-connection').click();
    await page.getByTestId('ai-connection-status').filter({ hasText: 'reconnecting' }).waitFor(WAIT);
    await page.getByTestId('ai-connection-status').filter({ hasText: 'connected' }).waitFor(WAIT);
    await approveAndAnswer(page, 'Sunday');
    const reasoning = await page
      .getByTestId('ai-assistant')
      .last()
      .getByTestId('ai-reasoning-part')
      .first()
      .textContent();
    expect(reasoning).toBe(demoThinking(prompt));
    // The page's first session, shown before the prompt, stays as it was: only the latest run is answered.
    expect(await page.getByTestId('ai-assistant').count()).toBe(2);
    expect(await page.getByTestId('ai-approve-tool').count()).toBe(0);
    const expected = demoAnswerText(true, 'Sunday');
    const shown = await answerOf(page);
    expect(shown).toBe(expected);
    expect(shown.split(' ').length).toBe(expected.split(' ').length);
    await page.screenshot({ path: `${RESULTS}/ai-sdk-new-run.png`, fullPage: true });
    expect(errors).toEqual([]);
    await page.close();
  });
  it('a session finished in the useAgentGateway tab: the AI SDK tab offers no answered approval again and shows every part once', async () => {
    const { page, errors } = await openDemo();
    await finishInHookTab(page, 'Saturday');
    await page.getByTestId('tab-ai-sdk').click(WAIT);
    await page.getByTestId('ai-complete').waitFor(WAIT);
    const answer = page.getByTestId('ai-assistant').last();
    // The replay settles the approval: the tool's part ends answered, no button left to click.
    const states = () =>
      answer
        .getByTestId('ai-tool-part')
        .evaluateAll((parts) => parts.map((part) => part.getAttribute('data-state')));
    await expect.poll(states, WAIT).toEqual(['output-available']);
    await expect.poll(() => answerOf(page), WAIT).toBe(demoAnswerText(true, 'Saturday'));
    expect(await answer.getByTestId('ai-approve-tool').count()).toBe(0);
    expect(errors).toEqual([]);
    await page.close();
  });
});
