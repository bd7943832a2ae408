import { createDemoAgent, demoAnswerText } from 'agent-gateway-client/server';
import { describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { connectClient, idsOf, rawSocket, slowUplink, startGateway, tokenFor, until } from './support.js';

// The real client against the Node gateway speaking only the original's frames: a bare auth_success,
// live events before the replay (which repeats them), no resume_complete, no command ids.

/** Every command frame the gateway received for a request or tool call. */
const receivedFor = (received: ReadonlyArray<{ frame: object }>, key: string) =>
  received.filter(({ frame }) => Object.values(frame).includes(key));

describe('the real client against the original gateway (loopback)', () => {
  it('writes exactly the original frames: no commandId, no resume on a first link, and sees the run from its first event', async () => {
    const gateway = await startGateway({ dialect: 'original' });
    const written: string[] = [];
    class RecordingWebSocket extends WebSocket {
      override send(data: string): void {
        written.push(data);
        super.send(data);
      }
    }
    const { client, record, completed } = connectClient(gateway, 'frames', { WebSocket: RecordingWebSocket });
    client.connect('frames');
    await completed;
    const commands = written.filter((frame) =>
      /"type":"(tool_confirmation|user_input|interrupt)"/.test(frame),
    );
    expect(commands).toEqual([
      '{"approved":true,"toolCallId":"call_weather_1","type":"tool_confirmation"}',
      '{"content":"Saturday","requestId":"input-1","type":"user_input"}',
    ]);
    expect(written.filter((frame) => frame.includes('"resume"'))).toEqual([]);
    expect(client.getSnapshot().capabilities).toEqual([]);
    // The gateway starts the run once the socket follows it: nothing before it is missed.
    expect(idsOf(record.frames)).toEqual(idsOf(gateway.session('frames')?.replay('').events ?? []));
  });

  it('live events before each replay, links dropped many times: every event once, in order; duplicates filtered', async () => {
    // The agent streams while the client reconnects; each resume crosses a 20 ms uplink, so the
    // gateway streams live events before it replays them again.
    const gateway = await startGateway({
      dialect: 'original',
      agent: createDemoAgent({ tokensPerSecond: 200 }),
    });
    const { client, record, completed } = connectClient(gateway, 'overlap', { WebSocket: slowUplink(20) });
    // What an app does with an answer the gateway may not have got: answers again on the next link
    // (the agent takes one answer per request).
    client.on('error', (error) => {
      if (error.kind !== 'commandUnconfirmed') return;
      const { command } = error.details;
      const again = () => {
        client.off('connected', again);
        if (command.type === 'tool_confirmation')
          client.sendToolConfirmation(command.toolCallId, command.approved);
        if (command.type === 'user_input') client.sendUserInput(command.requestId, command.content);
      };
      client.on('connected', again);
    });
    client.connect('overlap');
    const drops = setInterval(() => gateway.dropConnections('overlap'), 120);
    await completed.finally(() => clearInterval(drops));
    const serverIds = idsOf(gateway.session('overlap')?.replay('').events ?? []);
    expect(record.reconnects).toBeGreaterThanOrEqual(4);
    expect(idsOf(record.frames)).toEqual(serverIds);
    expect(client.stats.duplicateFrames).toBeGreaterThan(0);
    expect(record.text).toBe(demoAnswerText(true, 'Saturday'));
    expect(client.getSnapshot().disconnectReason).toBe('sessionComplete');
  }, 20_000);

  it('a command whose link died unconfirmed is reported, never written again; the gateway got it once', async () => {
    // An agent that takes its time after the answer, so the link can be lost before the session ends.
    const gateway = await startGateway({
      dialect: 'original',
      agent: async (context) => {
        const day = await context.requestInput('Which day?');
        await context.sleep(300);
        context.emit({ kind: 'text_delta', content: day });
        return 'done';
      },
    });
    const { client, record, completed } = connectClient(gateway, 'unconfirmed', { answer: 'manual' });
    const input = new Promise<string>((resolve) => client.on('input_request', (m) => resolve(m.requestId)));
    client.connect('unconfirmed');
    const requestId = await input;
    gateway.setFaults({ swallowHeartbeatAcks: true }); // nothing written from now on can be confirmed
    const { commandId } = client.sendUserInput(requestId, 'Friday');
    const session = gateway.session('unconfirmed');
    await until(() => receivedFor(session?.received ?? [], requestId).length === 1, 2_000, 'the answer');
    gateway.setFaults({ swallowHeartbeatAcks: false });
    gateway.dropConnections('unconfirmed');
    await completed; // the gateway had applied it: the session ends on the next link
    const unconfirmed = record.errors.filter(
      (error) => 'kind' in error && error.kind === 'commandUnconfirmed',
    );
    expect(unconfirmed).toEqual([
      expect.objectContaining({
        details: {
          kind: 'commandUnconfirmed',
          reason: 'unconfirmed',
          command: { type: 'user_input', requestId, content: 'Friday', commandId },
        },
      }),
    ]);
    expect(receivedFor(session?.received ?? [], requestId)).toHaveLength(1);
    expect(session?.applied).toHaveLength(1);
    expect(record.text).toBe('Friday');
  });

  it('ends a link when its token expires (this dialect has no auth_expired): close 4008, retryable', async () => {
    const gateway = await startGateway({ dialect: 'original', agent: undefined });
    gateway.openSession('expiring');
    const { ws, received, closed } = await rawSocket(gateway.url, 'expiring');
    const expiresAt = Date.now() + 300;
    ws.send(JSON.stringify({ type: 'auth', token: tokenFor('expiring', 300) }));
    await until(() => received.some((frame) => frame.type === 'auth_success'), 5_000, 'auth_success');
    expect(await closed).toEqual({ code: 4008, reason: 'Token expired' });
    // Not before the token's expiry (the close is decided by the gateway's clock, read after it).
    expect(Date.now()).toBeGreaterThanOrEqual(expiresAt);
  });

  it('the client follows a run across token expiries: each link ends with its token, the next one starts with a fresh token, nothing is missed', async () => {
    const gateway = await startGateway({
      dialect: 'original',
      agent: async (context) => {
        context.emit({ kind: 'text_delta', content: 'before ' });
        // Longer than a token lives: the link carrying the run ends at least once meanwhile.
        await context.sleep(1_000);
        context.emit({ kind: 'text_delta', content: 'after' });
        return 'done';
      },
    });
    const { client, record, completed } = connectClient(gateway, 'short-tokens', {
      getToken: () => tokenFor('short-tokens', 300),
    });
    const closes: number[] = [];
    client.on('disconnected', () => closes.push(client.getSnapshot().lastClose?.code ?? 0));
    client.connect('short-tokens');
    await completed;
    expect(record.text).toBe('before after');
    expect(closes).toContain(4008);
    expect(record.reconnects).toBeGreaterThanOrEqual(1);
  });

  it('commands queued while the link is down are written once on the next link, and applied once', async () => {
    const gateway = await startGateway({ dialect: 'original' });
    const { client, record, completed } = connectClient(gateway, 'queued', { approve: 'manual' });
    const request = new Promise<string>((resolve) =>
      client.on('tool_confirmation_request', (m) => resolve(m.toolCallId)),
    );
    client.connect('queued');
    const toolCallId = await request;
    gateway.dropConnections('queued');
    await until(() => client.connectionStatus !== 'connected', 2_000, 'the drop');
    expect(client.sendToolConfirmation(toolCallId, false).status).toBe('queued');
    await completed;
    expect(receivedFor(gateway.session('queued')?.received ?? [], toolCallId)).toHaveLength(1);
    expect(record.text).toBe(demoAnswerText(false, 'Saturday'));
  });
});
