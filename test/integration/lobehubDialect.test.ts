import { createGatewayStore } from 'agent-gateway-client';
import {
  AgentStreamClient,
  type AgentStreamEvent,
  type ConnectionStatus,
  lobehubDialect,
} from 'agent-gateway-client/lobehub';
import { createDemoAgent, demoAnswerText } from 'agent-gateway-client/server';
import { describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { textOf } from '../support/storeText.js';
import { connectClient, slowUplink, startGateway, tokenFor, until } from './support.js';

// The drop-in and AgentGatewayClient (with lobehubDialect) against the Node gateway playing
// LobeHub's v1 gateway over loopback: /ws?operationId=…, LobeHub's event shape, integer ids, live
// events before the replay, resume_complete {status, gap}.

/** A raw socket to the LobeHub dialect's endpoint, recording what it receives. */
async function rawOperationSocket(url: string, operationId: string) {
  const ws = new WebSocket(`${url.replace(/^http/, 'ws')}/ws?operationId=${encodeURIComponent(operationId)}`);
  const received: Array<Record<string, unknown>> = [];
  ws.on('message', (data) => received.push(JSON.parse(String(data)) as Record<string, unknown>));
  ws.on('error', () => undefined);
  await new Promise((resolve, reject) => {
    ws.once('open', resolve);
    ws.once('error', reject);
  });
  return { ws, received };
}

const textOfEvents = (events: AgentStreamEvent[]) =>
  events
    .filter((event) => event.type === 'stream_chunk' && event.data?.chunkType === 'text')
    .map((event) => String(event.data.content))
    .join('');

describe('the LobeHub gateway dialect, frame for frame (loopback)', () => {
  it('serves /ws?operationId=…, answers auth bare, streams LobeHub events with integer ids, and resume_complete after a replay', async () => {
    const gateway = await startGateway({ dialect: 'lobehub' });
    const { ws, received } = await rawOperationSocket(gateway.url, 'op-raw');
    ws.send(JSON.stringify({ token: tokenFor('op-raw'), type: 'auth' }));
    await until(() => received.length >= 3, 5_000, 'the first events');
    expect(received[0]).toEqual({ type: 'auth_success' });
    const first = received[1] as { type: string; id: string; event: Record<string, unknown> };
    expect(first).toMatchObject({ type: 'agent_event', id: '1' });
    expect(Object.keys(first.event).sort()).toEqual([
      'data',
      'operationId',
      'stepIndex',
      'timestamp',
      'type',
    ]);
    expect(first.event).toMatchObject({ type: 'agent_runtime_init', operationId: 'op-raw' });
    const before = received.length;
    ws.send(JSON.stringify({ lastEventId: '1', type: 'resume', wantStatus: true }));
    await until(() => received.some((frame, i) => i >= before && frame.type === 'resume_complete'), 5_000);
    const replay = received.slice(before);
    const end = replay.findIndex((frame) => frame.type === 'resume_complete');
    expect(replay[end]).toMatchObject({ type: 'resume_complete', status: expect.any(String) });
    expect(replay[end]).not.toHaveProperty('gap');
    ws.close();
  });

  it('refuses the original protocol’s URL', async () => {
    const gateway = await startGateway({ dialect: 'lobehub' });
    const status = await new Promise<number>((resolve) => {
      const ws = new WebSocket(`${gateway.url.replace(/^http/, 'ws')}/ws?chatKey=x`);
      ws.on('unexpected-response', (_, response) => resolve(response.statusCode ?? 0));
      ws.on('error', () => undefined);
    });
    expect(status).toBe(400);
  });

  it('the drop-in AgentStreamClient follows a run to its own agent_runtime_end and answers a tool_execute', async () => {
    const gateway = await startGateway({
      dialect: 'lobehub',
      agent: async (context) => {
        context.emit({ kind: 'text_delta', content: 'Reading the file. ' });
        context.emit({
          type: 'tool_execute',
          data: {
            toolCallId: 'call_fs',
            apiName: 'readFile',
            identifier: 'local-system',
            arguments: '{"path":"a.txt"}',
            executionTimeoutMs: 5_000,
          },
        } as never);
        const result = await context.awaitToolResult('call_fs');
        context.emit({ kind: 'text_delta', content: `It says ${result.content}.` });
        return 'done';
      },
    });
    const client = new AgentStreamClient({
      gatewayUrl: gateway.url,
      operationId: 'op-drop-in',
      token: tokenFor('op-drop-in'),
      WebSocket,
    });
    const events: AgentStreamEvent[] = [];
    const statuses: ConnectionStatus[] = [];
    client.on('agent_event', (event) => {
      events.push(event);
      if (event.type === 'tool_execute')
        client.sendToolResult({ content: 'hello', success: true, toolCallId: event.data.toolCallId });
    });
    client.on('status_changed', (status) => statuses.push(status));
    const disconnected = new Promise<void>((resolve) => client.on('disconnected', () => resolve()));
    client.connect();
    await disconnected;
    expect(textOfEvents(events)).toBe('Reading the file. It says hello.');
    expect(events.at(-1)).toMatchObject({
      type: 'agent_runtime_end',
      data: { reason: 'done' },
      operationId: 'op-drop-in',
    });
    expect(statuses).toEqual(['connecting', 'authenticating', 'connected', 'disconnected']);
    expect(gateway.session('op-drop-in')?.applied.map(({ frame }) => frame)).toEqual([
      { type: 'tool_result', toolCallId: 'call_fs', content: 'hello', success: true },
    ]);
    client.dispose();
  });

  it('AgentGatewayClient with lobehubDialect: the demo run, dropped again and again with live events before each replay, each event once, in order', async () => {
    const gateway = await startGateway({
      dialect: 'lobehub',
      agent: createDemoAgent({ tokensPerSecond: 200 }),
    });
    const { client, completed } = connectClient(gateway, 'op-drops', {
      dialect: lobehubDialect,
      WebSocket: slowUplink(20),
    });
    const store = createGatewayStore(client, { renderBatch: 'sync' });
    const ids: string[] = [];
    client.on('agent_event', (message) => ids.push(message.id));
    client.connect('op-drops');
    const drops = setInterval(() => gateway.dropConnections('op-drops'), 120);
    await completed.finally(() => clearInterval(drops));
    const logged = (gateway.session('op-drops')?.replay('').events ?? []).filter(
      (frame) => frame.type === 'agent_event',
    );
    // Ids are 1, 2, 3… in the gateway's log; the client got each agent event once, in that order,
    // up to the operation's own end (where it stops listening).
    const expected = logged.map((frame) => frame.id);
    expect(ids).toEqual(expected.slice(0, expected.indexOf(ids.at(-1) as string) + 1));
    expect(ids.map(Number)).toEqual([...ids.map(Number)].sort((a, b) => a - b));
    expect(textOf(store)).toBe(demoAnswerText(true, 'Saturday'));
    expect(store.getSnapshot()).toMatchObject({
      disconnectReason: 'sessionComplete',
      session: { complete: true, status: 'completed' },
    });
    store.dispose();
  }, 30_000);

  it('ids go on from where an evicted session of the same operation stopped, and a resume from the start says gap', async () => {
    const gateway = await startGateway({ dialect: 'lobehub', agent: undefined, sessionTtlMs: 50 });
    const session = gateway.openSession('op-evicted');
    session.publish({ type: 'status_change', status: 'running' });
    const last = session.publish({ type: 'status_change', status: 'running' });
    await until(() => gateway.session('op-evicted') === undefined, 5_000, 'the eviction');
    const again = gateway.openSession('op-evicted');
    again.publish({ type: 'status_change', status: 'waiting_input' });
    // The new session's first event (its agent_runtime_init) takes the next number, not 1.
    expect(again.replay('').events[0]?.id).toBe(String(Number(last.id) + 1));
    const { ws, received } = await rawOperationSocket(gateway.url, 'op-evicted');
    ws.send(JSON.stringify({ token: tokenFor('op-evicted'), type: 'auth' }));
    ws.send(JSON.stringify({ lastEventId: '', type: 'resume', wantStatus: true }));
    await until(() => received.some((frame) => frame.type === 'resume_complete'), 5_000);
    expect(received.find((frame) => frame.type === 'resume_complete')).toEqual({
      gap: true,
      status: 'waiting_input',
      type: 'resume_complete',
    });
    ws.close();
  });
});
