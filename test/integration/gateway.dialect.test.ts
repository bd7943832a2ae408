import { createDemoAgent, type GatewayServer } from 'agent-gateway-client/server';
import { describe, expect, it } from 'vitest';
import { rawSocket, startGateway, tokenFor, until } from './support.js';

// The original dialect of the Node gateway, seen from a raw socket: exactly the original gateway's
// frames and behaviour (docs/protocol.md "What the client does with each gateway"), so client tests can run against it.

const text = (content: string) => ({ type: 'agent_event', event: { kind: 'text_delta', content } }) as const;

/** A raw socket that also keeps every frame's exact text. */
async function rawFollower(gateway: GatewayServer, chatKey: string) {
  const socket = await rawSocket(gateway.url, chatKey);
  const texts: string[] = [];
  socket.ws.on('message', (data) => texts.push(String(data)));
  const send = (frame: object) => socket.ws.send(JSON.stringify(frame));
  const types = () => socket.received.map((frame) => frame.type);
  const ids = () => socket.received.filter((frame) => 'id' in frame).map((frame) => String(frame.id));
  /**
   * Waits until the gateway has read everything sent so far and whatever it sent before has arrived:
   * it handles a socket's frames in order and answers a heartbeat with an ack, in order too.
   */
  const barrier = async () => {
    const acks = () => types().filter((type) => type === 'heartbeat_ack').length;
    const before = acks();
    send({ type: 'heartbeat' });
    await until(() => acks() > before, 2_000, 'the heartbeat ack');
  };
  return { ...socket, texts, send, types, ids, barrier };
}

describe('the Node gateway in the original dialect (raw sockets)', () => {
  it('answers auth with a bare auth_success: no capabilities', async () => {
    const gateway = await startGateway({ dialect: 'original', agent: undefined });
    const socket = await rawFollower(gateway, 'bare');
    socket.send({ type: 'auth', token: tokenFor('bare') });
    await until(() => socket.texts.length >= 1, 2_000, 'auth_success');
    expect(socket.texts).toEqual(['{"type":"auth_success"}']);
  });

  it('streams live events as soon as the socket is authenticated, before any resume', async () => {
    const gateway = await startGateway({ dialect: 'original', agent: undefined });
    const session = gateway.openSession('live');
    session.publish(text('before'));
    const socket = await rawFollower(gateway, 'live');
    socket.send({ type: 'auth', token: tokenFor('live') });
    await until(() => socket.texts.length >= 1, 2_000, 'auth_success');
    const live = session.publish(text('after auth'));
    await until(() => socket.received.length >= 2, 2_000, 'the live event');
    await socket.barrier();
    // Only the live event: what came before the socket is sent only when a resume asks for it.
    expect(socket.ids()).toEqual([live.id]);
  });

  it('resume asks only for a replay, which overlaps what was delivered live; never resume_complete', async () => {
    const gateway = await startGateway({ dialect: 'original', agent: undefined });
    const session = gateway.openSession('overlap');
    const first = session.publish({ type: 'status_change', status: 'running' });
    const socket = await rawFollower(gateway, 'overlap');
    socket.send({ type: 'auth', token: tokenFor('overlap') });
    await until(() => socket.received.length >= 1, 2_000, 'auth_success');
    const second = session.publish(text('a'));
    const third = session.publish(text('b'));
    await until(() => socket.received.length >= 3, 2_000, 'the live events');
    socket.send({ type: 'resume', lastEventId: first.id, wantStatus: true });
    await until(() => socket.received.length >= 5, 2_000, 'the replay');
    const fourth = session.publish(text('c'));
    await until(() => socket.received.length >= 6, 2_000, 'the next live event');
    await socket.barrier();
    expect(socket.ids()).toEqual([second.id, third.id, second.id, third.id, fourth.id]);
    expect(socket.types()).not.toContain('resume_complete');
    expect(socket.types()[0]).toBe('auth_success');
  });

  it('ends the link at the token’s expiry, with no auth_expired (the dialect has none): close 4008, live events until then', async () => {
    const gateway = await startGateway({ dialect: 'original', agent: undefined });
    const socket = await rawFollower(gateway, 'lapse');
    const expiresAt = Date.now() + 400;
    socket.send({ type: 'auth', token: tokenFor('lapse', 400) });
    await until(() => socket.received.length >= 1, 2_000, 'auth_success');
    const live = gateway.openSession('lapse').publish(text('before the expiry'));
    await until(() => socket.ids().includes(live.id), 2_000, 'the live event');
    expect(await socket.closed).toEqual({ code: 4008, reason: 'Token expired' });
    expect(Date.now()).toBeGreaterThanOrEqual(expiresAt);
    expect(socket.types()).toEqual(['auth_success', 'agent_event']);
  });

  it('ignores commandId: two commands with the same id are both applied, and every frame is recorded as received', async () => {
    const gateway = await startGateway({
      dialect: 'original',
      agent: createDemoAgent({ tokensPerSecond: 0 }),
    });
    const socket = await rawFollower(gateway, 'ids');
    socket.send({ type: 'auth', token: tokenFor('ids') });
    socket.send({ type: 'resume', lastEventId: '' });
    await until(() => socket.types().includes('tool_confirmation_request'), 5_000, 'the tool request');
    const approve = {
      type: 'tool_confirmation',
      toolCallId: 'call_weather_1',
      approved: true,
      commandId: 'c-1',
    };
    socket.send(approve);
    await until(() => socket.types().includes('input_request'), 5_000, 'the input request');
    socket.send({ type: 'user_input', requestId: 'input-1', content: 'Friday', commandId: 'c-1' });
    await until(() => socket.types().includes('session_complete'), 5_000, 'the end');
    const session = gateway.session('ids');
    expect(session?.applied.map(({ frame }) => frame)).toEqual([
      { type: 'tool_confirmation', toolCallId: 'call_weather_1', approved: true },
      { type: 'user_input', requestId: 'input-1', content: 'Friday' },
    ]);
    expect(session?.received.map(({ frame }) => frame.type)).toEqual(['tool_confirmation', 'user_input']);
    expect(session?.received[0]?.frame).toEqual(approve);
    expect(session?.received.every(({ at }) => Math.abs(Date.now() - at) < 10_000)).toBe(true);
  });

  it('the reference dialect, for contrast: a repeated commandId is applied once, and recorded each time it arrives', async () => {
    const gateway = await startGateway({ agent: createDemoAgent({ tokensPerSecond: 0 }) });
    const socket = await rawFollower(gateway, 'ref');
    socket.send({ type: 'auth', token: tokenFor('ref') });
    socket.send({ type: 'resume', lastEventId: '' });
    await until(() => socket.types().includes('tool_confirmation_request'), 5_000, 'the tool request');
    const approve = {
      type: 'tool_confirmation',
      toolCallId: 'call_weather_1',
      approved: true,
      commandId: 'c-1',
    };
    socket.send(approve);
    await until(() => socket.types().includes('input_request'), 5_000, 'the input request');
    socket.send({ type: 'user_input', requestId: 'input-1', content: 'Friday', commandId: 'c-1' });
    await socket.barrier(); // the gateway has read the repeated command
    const session = gateway.session('ref');
    expect(session?.applied.map(({ frame }) => frame)).toEqual([approve]);
    expect(session?.received.map(({ frame }) => frame.type)).toEqual(['tool_confirmation', 'user_input']);
    expect(socket.types()).not.toContain('session_complete');
  });
});
