import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RuntimeApiError } from '../../server/cloudflare/node/runtimeClient.js';
import { SECRET } from '../integration/support.js';
import { type CloudflareRunningEngine, cloudflareEngine, engines } from './engines.js';

describe.runIf(engines.includes(cloudflareEngine))('the Cloudflare gateway runtime API', () => {
  let engine: CloudflareRunningEngine;
  beforeAll(async () => {
    engine = await cloudflareEngine.start();
  });
  afterAll(() => engine.close());

  it('refuses calls without the runtime API key (the token-signing secret is not it) before waking an object', async () => {
    const anonymous = await fetch(`${engine.url}/sessions/guarded/log`);
    expect(anonymous.status).toBe(401);
    const wrong = await fetch(`${engine.url}/sessions/guarded/events`, {
      method: 'POST',
      headers: { authorization: 'Bearer not-the-secret' },
      body: JSON.stringify({ type: 'status_change', status: 'running' }),
    });
    expect(wrong.status).toBe(401);
    const signingSecret = await fetch(`${engine.url}/sessions/guarded/log`, {
      headers: { authorization: `Bearer ${SECRET}` },
    });
    expect(signingSecret.status).toBe(401);
    expect(await engine.untouched('guarded')).toBe(true);
  });

  it('stores valid session events with ids it issues, and refuses anything else', async () => {
    const session = engine.gateway.runtime.session('api');
    const refused = async (frame: unknown) =>
      session.append(frame as never).then(
        () => undefined,
        (error: unknown) => (error as RuntimeApiError).status,
      );
    expect(await refused({ type: 'auth_success' })).toBe(400);
    expect(await refused({ type: 'status_change', status: 'sleeping' })).toBe(400);
    expect(await refused([{ type: 'agent_event', event: { kind: 'text_delta', content: 1 } }])).toBe(400);
    const [first, second] = await session.append([
      { type: 'status_change', status: 'running' },
      { type: 'agent_event', id: 'mine', event: { kind: 'future_kind', payload: [1] } } as never,
    ]);
    expect(first?.id).toMatch(/^[0-9a-f]{8}\.1$/);
    expect(second).toEqual({
      type: 'agent_event',
      event: { kind: 'future_kind', payload: [1] },
      id: second?.id,
    });
    expect(second?.id).not.toBe('mine');
    await session.append({ type: 'session_complete', summary: 'done' });
    expect(await refused({ type: 'error', code: 'late', message: 'after the end' })).toBe(409);
    expect(await session.state()).toMatchObject({ status: 'running', ended: true, eventCount: 3 });
    expect(await session.commands(0, { waitMs: 5_000 })).toEqual({ commands: [], ended: true });
  });
});
