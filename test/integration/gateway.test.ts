import { createSessionToken, createTokenVerifier } from 'agent-gateway-client/server';
import { describe, expect, it } from 'vitest';
import { connectClient, rawSocket, startGateway, tokenFor, until } from './support.js';

// The protocol itself (close codes, replay, resume_complete, idempotent commands on the wire) is in
// test/conformance/, run against both engines. These tests reach into the Node gateway's own API.

/** Proves the gateway still serves: a full demo session completes on another chatKey. */
async function stillServes(gateway: Awaited<ReturnType<typeof startGateway>>, chatKey: string) {
  const { client, completed } = connectClient(gateway, chatKey);
  client.connect(chatKey);
  await completed;
  expect(client.getSnapshot().disconnectReason).toBe('sessionComplete');
}

describe('the Node gateway', () => {
  it('closes 4429 on a flood of heartbeats (they count on this engine), and other sessions are unaffected', async () => {
    const gateway = await startGateway({ rateLimit: { burst: 20, perSecond: 10 }, closeGraceMs: 250 });
    const socket = await rawSocket(gateway.url);
    socket.ws.send(JSON.stringify({ type: 'auth', token: tokenFor('raw') }));
    await until(() => socket.received.length > 0, 2_000, 'auth_success');
    for (let i = 0; i < 200; i++) socket.ws.send('{"type":"heartbeat"}');
    expect(await socket.closed).toEqual({ code: 4429, reason: 'Rate limit exceeded' });
    await stillServes(gateway, 'after-flood');
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
    const secret = 'k'.repeat(32);
    const verify = createTokenVerifier(secret);
    const token = createSessionToken({ secret, chatKey: 'a', ttlMs: 1_000 });
    expect(verify(token, 'a')).toMatchObject({ ok: true });
    expect(verify(token, 'b')).toEqual({ ok: false, reason: 'Token is not valid for this session' });
    expect(verify(`${token.slice(0, -2)}xx`, 'a')).toEqual({ ok: false, reason: 'Invalid token signature' });
    expect(verify(createSessionToken({ secret: 'o'.repeat(32), chatKey: 'a' }), 'a')).toMatchObject({
      ok: false,
    });
    expect(verify('garbage', 'a')).toEqual({ ok: false, reason: 'Malformed token' });
    expect(createTokenVerifier(secret, () => Date.now() + 2_000)(token, 'a')).toEqual({
      ok: false,
      reason: 'Token expired',
    });
    expect(verify(createSessionToken({ secret, anyChatKey: true }), 'anything')).toMatchObject({ ok: true });
  });
});
