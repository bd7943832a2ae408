import { createSessionToken, createTokenVerifier } from 'agent-gateway-client/server';
import { describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { connectClient, startGateway, tokenFor, until } from './support.js';

/** Opens a raw socket to the gateway and records what it receives and how it closes. */
async function rawSocket(url: string, chatKey = 'raw') {
  const ws = new WebSocket(`${url.replace(/^http/, 'ws')}/ws?chatKey=${chatKey}`);
  const received: Array<Record<string, unknown>> = [];
  ws.on('message', (data) => received.push(JSON.parse(String(data)) as Record<string, unknown>));
  const closed = new Promise<{ code: number; reason: string }>((resolve) =>
    ws.on('close', (code, reason) => resolve({ code, reason: String(reason) })),
  );
  ws.on('error', () => undefined);
  await new Promise((resolve, reject) => {
    ws.once('open', resolve);
    ws.once('error', reject);
  });
  return { ws, received, closed };
}

/** Proves the gateway still serves: a full demo session completes on another chatKey. */
async function stillServes(gateway: Awaited<ReturnType<typeof startGateway>>, chatKey: string) {
  const { client, completed } = connectClient(gateway, chatKey);
  client.connect(chatKey);
  await completed;
  expect(client.getSnapshot().disconnectReason).toBe('sessionComplete');
}

describe('the gateway refuses bad input with a clear close code and keeps serving', () => {
  it('closes 4400 when a frame other than auth comes first', async () => {
    const gateway = await startGateway();
    const socket = await rawSocket(gateway.url);
    socket.ws.send('{"type":"heartbeat"}');
    expect(await socket.closed).toEqual({ code: 4400, reason: 'Expected auth' });
    await stillServes(gateway, 'after-preauth');
  });

  it('closes 4008 when no auth arrives in time', async () => {
    const gateway = await startGateway({ authTimeoutMs: 100 });
    const socket = await rawSocket(gateway.url);
    const started = Date.now();
    expect(await socket.closed).toEqual({ code: 4008, reason: 'Auth timeout' });
    expect(Date.now() - started).toBeGreaterThanOrEqual(90);
    await stillServes(gateway, 'after-timeout');
  });

  it('closes 1009 on an oversized frame', async () => {
    const gateway = await startGateway({ maxFrameBytes: 1_024 });
    const socket = await rawSocket(gateway.url);
    socket.ws.send(JSON.stringify({ type: 'auth', token: 'x'.repeat(2_000) }));
    expect((await socket.closed).code).toBe(1009);
    await stillServes(gateway, 'after-oversize');
  });

  it('closes 4400 on garbage, and 1003 on binary frames', async () => {
    const gateway = await startGateway();
    const garbage = await rawSocket(gateway.url);
    garbage.ws.send('this is not json');
    expect(await garbage.closed).toEqual({ code: 4400, reason: 'Malformed frame: notJson' });
    const binary = await rawSocket(gateway.url);
    binary.ws.send(Buffer.from([1, 2, 3]));
    expect((await binary.closed).code).toBe(1003);
    const unknown = await rawSocket(gateway.url);
    unknown.ws.send(JSON.stringify({ type: 'auth', token: tokenFor('raw') }));
    unknown.ws.send('{"type":"__proto__"}');
    expect(await unknown.closed).toEqual({ code: 4400, reason: 'Malformed frame: unknownType' });
    await stillServes(gateway, 'after-garbage');
  });

  it('closes 4429 on a flood, and other sessions are unaffected', async () => {
    const gateway = await startGateway({ rateLimit: { burst: 20, perSecond: 10 } });
    const socket = await rawSocket(gateway.url);
    socket.ws.send(JSON.stringify({ type: 'auth', token: tokenFor('raw') }));
    await until(() => socket.received.length > 0, 2_000, 'auth_success');
    for (let i = 0; i < 200; i++) socket.ws.send('{"type":"heartbeat"}');
    expect(await socket.closed).toEqual({ code: 4429, reason: 'Rate limit exceeded' });
    await stillServes(gateway, 'after-flood');
  });

  it('answers a bad token with auth_failed and closes 4001', async () => {
    const gateway = await startGateway();
    const wrongKey = await rawSocket(gateway.url, 'mine');
    wrongKey.ws.send(JSON.stringify({ type: 'auth', token: tokenFor('someone-else') }));
    expect(await wrongKey.closed).toEqual({ code: 4001, reason: 'Unauthorized' });
    expect(wrongKey.received).toEqual([
      { type: 'auth_failed', reason: 'Token is not valid for this session' },
    ]);
    const expired = await rawSocket(gateway.url, 'mine');
    const old = createSessionToken({
      secret: 'integration-secret',
      chatKey: 'mine',
      now: () => Date.now() - 3_600_000,
    });
    expired.ws.send(JSON.stringify({ type: 'auth', token: old }));
    await expired.closed;
    expect(expired.received).toEqual([{ type: 'auth_failed', reason: 'Token expired' }]);
  });

  it('serves /health and refuses other paths and a missing chatKey', async () => {
    const gateway = await startGateway();
    expect((await fetch(`${gateway.url}/health`)).status).toBe(200);
    expect((await fetch(`${gateway.url}/elsewhere`)).status).toBe(404);
    const missing = new WebSocket(`${gateway.url.replace(/^http/, 'ws')}/ws`);
    const status = await new Promise<number | undefined>((resolve) =>
      missing
        .on('unexpected-response', (_, response) => resolve(response.statusCode))
        .on('error', () => resolve(undefined)),
    );
    expect(status ?? 400).toBe(400);
  });
});

describe('the gateway protocol', () => {
  it('replays events after lastEventId, then resume_complete, then live events, never interleaved', async () => {
    const gateway = await startGateway({ agent: undefined });
    const session = gateway.openSession('log');
    const first = session.publish({ type: 'status_change', status: 'running' });
    session.publish({ type: 'agent_event', event: { type: 'text_delta', content: 'a' } });
    const socket = await rawSocket(gateway.url, 'log');
    socket.ws.send(JSON.stringify({ type: 'auth', token: tokenFor('log') }));
    socket.ws.send(JSON.stringify({ type: 'resume', lastEventId: first.id, wantStatus: true }));
    await new Promise((resolve) => setTimeout(resolve, 50));
    session.publish({ type: 'agent_event', event: { type: 'text_delta', content: 'b' } });
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(socket.received.map((frame) => frame.type)).toEqual([
      'auth_success',
      'agent_event',
      'resume_complete',
      'agent_event',
    ]);
    expect(socket.received[2]).toEqual({ type: 'resume_complete', status: 'running' });
    const ids = socket.received.filter((frame) => 'id' in frame).map((frame) => String(frame.id));
    expect(ids.every((id, index) => index === 0 || id > (ids[index - 1] ?? ''))).toBe(true);
  });

  it('sends nothing live to an authenticated socket before its resume, and no resume_complete without wantStatus', async () => {
    const gateway = await startGateway({ agent: undefined });
    const session = gateway.openSession('quiet');
    const socket = await rawSocket(gateway.url, 'quiet');
    socket.ws.send(JSON.stringify({ type: 'auth', token: tokenFor('quiet') }));
    await new Promise((resolve) => setTimeout(resolve, 30));
    session.publish({ type: 'agent_event', event: { type: 'thinking', content: 'x' } });
    await new Promise((resolve) => setTimeout(resolve, 30));
    expect(socket.received).toEqual([{ type: 'auth_success' }]);
    socket.ws.send(JSON.stringify({ type: 'resume', lastEventId: '' }));
    await new Promise((resolve) => setTimeout(resolve, 30));
    expect(socket.received.map((frame) => frame.type)).toEqual(['auth_success', 'agent_event']);
  });

  it('an unknown lastEventId replays every retained event (documented behaviour)', async () => {
    const gateway = await startGateway({ agent: undefined });
    const session = gateway.openSession('unknown');
    session.publish({ type: 'status_change', status: 'running' });
    session.publish({ type: 'agent_event', event: { type: 'text_delta', content: 'a' } });
    const socket = await rawSocket(gateway.url, 'unknown');
    socket.ws.send(JSON.stringify({ type: 'auth', token: tokenFor('unknown') }));
    socket.ws.send(JSON.stringify({ type: 'resume', lastEventId: 'from-another-server', wantStatus: true }));
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(socket.received.map((frame) => frame.type)).toEqual([
      'auth_success',
      'status_change',
      'agent_event',
      'resume_complete',
    ]);
  });

  it('applies commands idempotently: unknown or answered tool calls and repeated commandIds change nothing', async () => {
    const gateway = await startGateway();
    const session = gateway.openSession('idem');
    expect(session.apply({ type: 'tool_confirmation', toolCallId: 'nope', approved: true })).toBe('ignored');
    expect(session.apply({ type: 'user_input', requestId: 'nope', content: 'x' })).toBe('ignored');
    await until(() => session.status === 'waiting_confirmation', 2_000, 'the tool approval request');
    const approve = {
      type: 'tool_confirmation',
      toolCallId: 'call_weather_1',
      approved: true,
      commandId: 'c-1',
    } as const;
    expect(session.apply(approve)).toBe('applied');
    expect(session.apply(approve)).toBe('duplicate');
    expect(session.apply({ ...approve, commandId: 'c-2' })).toBe('ignored');
    expect(session.applied).toHaveLength(1);
  });

  it('verifies tokens: signature, chatKey and expiry', () => {
    const verify = createTokenVerifier('k');
    const token = createSessionToken({ secret: 'k', chatKey: 'a', ttlMs: 1_000 });
    expect(verify(token, 'a')).toMatchObject({ ok: true });
    expect(verify(token, 'b')).toEqual({ ok: false, reason: 'Token is not valid for this session' });
    expect(verify(`${token.slice(0, -2)}xx`, 'a')).toEqual({ ok: false, reason: 'Invalid token signature' });
    expect(verify(createSessionToken({ secret: 'other', chatKey: 'a' }), 'a')).toMatchObject({ ok: false });
    expect(verify('garbage', 'a')).toEqual({ ok: false, reason: 'Malformed token' });
    expect(createTokenVerifier('k', () => Date.now() + 2_000)(token, 'a')).toEqual({
      ok: false,
      reason: 'Token expired',
    });
    expect(verify(createSessionToken({ secret: 'k' }), 'anything')).toMatchObject({ ok: true });
  });
});
