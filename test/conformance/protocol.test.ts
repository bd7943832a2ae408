import { createSessionToken } from 'agent-gateway-client/server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { rawSocket, SECRET, until } from '../integration/support.js';
import { engines, type RunningEngine } from './engines.js';

type Raw = Awaited<ReturnType<typeof rawSocket>>;
/**
 * Waits until the gateway has read everything sent on `socket` so far and what it sent before has
 * arrived: it handles a socket's frames in order and answers a heartbeat with an ack, in order too.
 * What would prove a "nothing else" check wrong has arrived by then; the acks are left out of `frames`.
 */
async function barrier(socket: Raw): Promise<void> {
  const acks = () => socket.received.filter((frame) => frame.type === 'heartbeat_ack').length;
  const before = acks();
  socket.ws.send(JSON.stringify({ type: 'heartbeat' }));
  await until(() => acks() > before, 2_000, 'the heartbeat ack');
}
const frames = (socket: Raw) => socket.received.filter((frame) => frame.type !== 'heartbeat_ack');
/** Our gateway's `auth_success`: every extension it has, announced (docs/protocol.md). */
const AUTH_SUCCESS = {
  capabilities: ['command_id', 'resume_complete', 'auth_expired'],
  type: 'auth_success',
};
const auth = (engine: RunningEngine, chatKey: string) =>
  JSON.stringify({ type: 'auth', token: engine.tokenFor(chatKey) });

describe.each(engines)('the $name gateway protocol (raw sockets)', (engineUnderTest) => {
  let engine: RunningEngine;
  beforeAll(async () => {
    engine = await engineUnderTest.start();
  });
  afterAll(() => engine.close());

  it('replays events after lastEventId, then resume_complete, then live events, never interleaved', async () => {
    const first = await engine.publish('log', { type: 'status_change', status: 'running' });
    await engine.publish('log', { type: 'agent_event', event: { kind: 'text_delta', content: 'a' } });
    const socket = await rawSocket(engine.url, 'log');
    socket.ws.send(auth(engine, 'log'));
    socket.ws.send(JSON.stringify({ type: 'resume', lastEventId: first.id, wantStatus: true }));
    await until(() => socket.received.length >= 3, 2_000, 'the replay');
    await engine.publish('log', { type: 'agent_event', event: { kind: 'text_delta', content: 'b' } });
    await until(() => socket.received.length >= 4, 2_000, 'the live event');
    await barrier(socket);
    expect(frames(socket).map((frame) => frame.type)).toEqual([
      'auth_success',
      'agent_event',
      'resume_complete',
      'agent_event',
    ]);
    expect(socket.received[2]).toEqual({ type: 'resume_complete', status: 'running' });
    const ids = socket.received.filter((frame) => 'id' in frame).map((frame) => String(frame.id));
    expect(ids.every((id, index) => index === 0 || id > (ids[index - 1] ?? ''))).toBe(true);
    expect(ids).toEqual((await engine.replayIds('log')).slice(1));
  });

  it('announces its extensions in auth_success: command_id, resume_complete, auth_expired', async () => {
    const socket = await rawSocket(engine.url, 'caps');
    const texts: string[] = [];
    socket.ws.on('message', (data) => texts.push(String(data)));
    socket.ws.send(auth(engine, 'caps'));
    await until(() => texts.length >= 1, 2_000, 'auth_success');
    expect(texts).toEqual([JSON.stringify(AUTH_SUCCESS)]);
    expect(texts[0]).toBe(
      '{"capabilities":["command_id","resume_complete","auth_expired"],"type":"auth_success"}',
    );
  });

  it('sends nothing live to an authenticated socket before its resume, and no resume_complete without wantStatus', async () => {
    const socket = await rawSocket(engine.url, 'quiet');
    socket.ws.send(auth(engine, 'quiet'));
    await until(() => socket.received.length >= 1, 2_000, 'auth_success');
    await engine.publish('quiet', { type: 'agent_event', event: { kind: 'thinking', content: 'x' } });
    await barrier(socket);
    expect(frames(socket)).toEqual([AUTH_SUCCESS]);
    socket.ws.send(JSON.stringify({ type: 'resume', lastEventId: '' }));
    await until(() => frames(socket).length >= 2, 2_000, 'the replay');
    await barrier(socket);
    expect(frames(socket).map((frame) => frame.type)).toEqual(['auth_success', 'agent_event']);
  });

  it('an unknown lastEventId replays every retained event (documented behaviour)', async () => {
    await engine.publish('unknown', { type: 'status_change', status: 'running' });
    await engine.publish('unknown', { type: 'agent_event', event: { kind: 'text_delta', content: 'a' } });
    const socket = await rawSocket(engine.url, 'unknown');
    socket.ws.send(auth(engine, 'unknown'));
    socket.ws.send(JSON.stringify({ type: 'resume', lastEventId: 'from-another-server', wantStatus: true }));
    await until(() => socket.received.length >= 4, 2_000, 'the replay');
    await barrier(socket);
    expect(frames(socket).map((frame) => frame.type)).toEqual([
      'auth_success',
      'status_change',
      'agent_event',
      'resume_complete',
    ]);
  });

  it('applies commands idempotently: unknown or answered tool calls and repeated commandIds change nothing', async () => {
    engine.startAgent('idem');
    const socket = await rawSocket(engine.url, 'idem');
    const send = (frame: object) => socket.ws.send(JSON.stringify(frame));
    socket.ws.send(auth(engine, 'idem'));
    send({ type: 'resume', lastEventId: '' });
    send({ type: 'tool_confirmation', toolCallId: 'nope', approved: true });
    send({ type: 'user_input', requestId: 'nope', content: 'x' });
    await until(
      () => socket.received.some((frame) => frame.type === 'tool_confirmation_request'),
      5_000,
      'the tool request',
    );
    const approve = {
      type: 'tool_confirmation',
      toolCallId: 'call_weather_1',
      approved: true,
      commandId: 'c-1',
    };
    send(approve);
    send(approve);
    send({ ...approve, commandId: 'c-2' });
    await until(
      () => socket.received.some((frame) => frame.type === 'input_request'),
      5_000,
      'the input request',
    );
    // A socket's frames are handled in order: once this one is applied, the ones before it were handled.
    send({ type: 'user_input', requestId: 'input-1', content: 'Friday', commandId: 'c-3' });
    await until(() => socket.received.some((frame) => frame.type === 'session_complete'), 5_000, 'the end');
    send({ type: 'user_input', requestId: 'input-1', content: 'Friday', commandId: 'c-3' });
    send({ type: 'interrupt', commandId: 'c-4' });
    await barrier(socket); // the gateway has read both
    expect(await engine.applied('idem')).toEqual([
      approve,
      { type: 'user_input', requestId: 'input-1', content: 'Friday', commandId: 'c-3' },
    ]);
  });

  it('answers a bad token with auth_failed and closes 4001', async () => {
    const wrongKey = await rawSocket(engine.url, 'mine');
    wrongKey.ws.send(auth(engine, 'someone-else'));
    expect(await wrongKey.closed).toEqual({ code: 4001, reason: 'Unauthorized' });
    expect(wrongKey.received).toEqual([
      { type: 'auth_failed', reason: 'Token is not valid for this session' },
    ]);
    const expired = await rawSocket(engine.url, 'mine');
    const old = createSessionToken({ secret: SECRET, chatKey: 'mine', now: () => Date.now() - 3_600_000 });
    expired.ws.send(JSON.stringify({ type: 'auth', token: old }));
    await expired.closed;
    expect(expired.received).toEqual([{ type: 'auth_failed', reason: 'Token expired' }]);
    expect(await engine.untouched('mine')).toBe(true);
  });

  it('accepts a token made by createSessionToken for any chatKey (`*`)', async () => {
    const socket = await rawSocket(engine.url, 'any key, ünïcode & all');
    socket.ws.send(
      JSON.stringify({ type: 'auth', token: createSessionToken({ secret: SECRET, anyChatKey: true }) }),
    );
    await until(() => socket.received.length >= 1, 2_000, 'auth_success');
    expect(socket.received).toEqual([AUTH_SUCCESS]);
  });

  it('serves /health and refuses other paths and a missing chatKey', async () => {
    expect((await fetch(`${engine.url}/health`)).status).toBe(200);
    expect((await fetch(`${engine.url}/elsewhere`)).status).toBe(404);
    const missing = new WebSocket(`${engine.url.replace(/^http/, 'ws')}/ws`);
    const status = await new Promise<number | undefined>((resolve) =>
      missing
        .on('unexpected-response', (_, response) => resolve(response.statusCode))
        .on('error', () => resolve(undefined)),
    );
    expect(status ?? 400).toBe(400);
  });
});
