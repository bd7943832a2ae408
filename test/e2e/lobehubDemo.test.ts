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

// The page on the gateway playing LobeHub's v1 (`npm start -- --dialect lobehub`): the hook and the
// store follow it with lobehubDialect and render LobeHub's events as the same session.
useDemoInChromium({ dialect: 'lobehub' });

describe("the demo page on LobeHub's v1 gateway, in Chromium", () => {
  it('a full session across a dropped link: each word once, the tool approved, the input answered', async () => {
    const { page, errors } = await openDemo();
    await page.locator('[data-testid="text-part"].streaming').waitFor({ timeout: 20_000 });
    const reconnecting = isActive(page, 'reconnecting');
    await page.getByTestId('drop-connection').click();
    await reconnecting;
    await isActive(page, 'link.connected');
    await approveAndAnswer(page, 'Sunday');
    const expected = demoAnswerText(true, 'Sunday');
    expect(await answerOnScreen(page)).toBe(expected);
    expect(await page.getByTestId('tool-part').getAttribute('data-state')).toBe('output-available');
    expect(await page.getByTestId('session-status').textContent()).toBe('session: completed');
    await page.screenshot({ path: `${RESULTS}/lobehub-session.png`, fullPage: true });
    expect(errors).toEqual([]);
    await page.close();
  });
});
