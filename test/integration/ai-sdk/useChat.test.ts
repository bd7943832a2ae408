// @vitest-environment happy-dom
import { waitFor } from '@testing-library/react';
import type { GatewayChatTransport } from 'agent-gateway-client/ai-sdk';
import { demoAnswerText, demoThinking } from 'agent-gateway-client/server';
import { describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import {
  AI_SDK_VERSIONS,
  answerDemoRun,
  DEMO_RUN_PARTS,
  gatewayTransport,
  partsOf,
  renderChat as renderWith,
  settle,
  startGateway,
  textOf,
} from './support.js';

const PROMPT = 'Plan my weekend in Paris';
const WAIT = { timeout: 10_000 };

/** The assistant's message (the chat's only one). */
const answerOf = (chat: ReturnType<typeof renderWith>) =>
  chat.result.current.messages.find((message) => message.role === 'assistant');

describe.each(AI_SDK_VERSIONS)('%s', (_version, useChatOf) => {
  const renderChat = (transport: GatewayChatTransport, options?: Parameters<typeof renderWith>[2]) =>
    renderWith(useChatOf, transport, options);

  describe('useChat (@ai-sdk/react) through the gateway transport, against the real gateway', () => {
    it('a full run: reasoning and text stream, the approval and the input answer go once, the answer is complete', async () => {
      const gateway = await startGateway(0);
      const { transport, chatKeys } = gatewayTransport(gateway);
      const chat = renderChat(transport);
      await chat.send(PROMPT);
      await waitFor(() => expect(chat.result.current.status).toBe('ready'), WAIT);
      const waiting = answerOf(chat);
      expect(waiting?.id).toBe(chatKeys[0]);
      expect(partsOf(waiting)).toEqual([
        'step-start',
        'reasoning:done',
        'text:done',
        'step-start',
        'tool:get_weather:approval-requested',
      ]);
      expect(textOf(waiting, 'reasoning')).toBe(demoThinking(PROMPT));

      await settle(() => approveWeather(chat, true));
      await waitFor(() => expect(partsOf(answerOf(chat))).toContain('tool:user_input:input-available'), WAIT);
      await waitFor(() => expect(chat.result.current.status).toBe('ready'), WAIT);
      // A repeated follow-up carries the same answer: it is not sent again.
      await settle(() => chat.result.current.sendMessage());
      await waitFor(() => expect(chat.result.current.status).toBe('ready'), WAIT);

      const ask = chat.result.current.messages
        .at(-1)
        ?.parts.find((part) => part.type === 'dynamic-tool' && part.toolName === 'user_input');
      expect(ask).toMatchObject({
        input: { prompt: 'Which day do you plan to spend walking around the city?' },
      });
      await settle(() =>
        chat.result.current.addToolOutput({
          tool: 'user_input',
          toolCallId: (ask as { toolCallId: string }).toolCallId,
          output: 'Sunday',
        }),
      );
      await waitFor(() => expect(gateway.session(chatKeys[0] as string)?.ended).toBe(true), WAIT);
      await waitFor(() => expect(chat.result.current.status).toBe('ready'), WAIT);

      const message = answerOf(chat);
      expect(chat.result.current.messages.map((m) => m.role)).toEqual(['user', 'assistant']);
      expect(textOf(message)).toBe(demoAnswerText(true, 'Sunday'));
      expect(partsOf(message)).toEqual(DEMO_RUN_PARTS);
      const session = gateway.session(chatKeys[0] as string);
      expect(session?.applied.map(({ frame }) => frame)).toEqual([
        expect.objectContaining({ type: 'tool_confirmation', toolCallId: 'call_weather_1', approved: true }),
        expect.objectContaining({ type: 'user_input', content: 'Sunday' }),
      ]);
      expect(session?.received.filter(({ frame }) => frame.type === 'tool_confirmation')).toHaveLength(1);
      expect(chat.result.current.error).toBeUndefined();
    });
  });

  /** Answers the weather tool's approval of the chat's latest run, by its approval id. */
  const approveWeather = (chat: ReturnType<typeof renderWith>, approved: boolean) => {
    const part = answerOf(chat)?.parts.find(
      (each) => each.type === 'dynamic-tool' && each.state === 'approval-requested',
    );
    if (part?.type !== 'dynamic-tool' || part.state !== 'approval-requested')
      throw new Error('No approval to answer');
    return chat.result.current.addToolApprovalResponse({ id: part.approval.id, approved });
  };

  /** Waits for a resume to have run: the status left `ready` and came back (the versions differ in between). */
  const untilResumed = (chat: ReturnType<typeof renderWith>) =>
    waitFor(() => expect(chat.statuses.length > 2 && chat.statuses.at(-1) === 'ready').toBe(true), WAIT);

  /** Waits for the chat to settle on the approval request of the demo's weather tool. */
  async function untilApproval(chat: ReturnType<typeof renderWith>) {
    await waitFor(
      () => expect(partsOf(answerOf(chat))).toContain('tool:get_weather:approval-requested'),
      WAIT,
    );
    await waitFor(() => expect(chat.result.current.status).toBe('ready'), WAIT);
  }

  describe('streaming, rejection, drops, remounts, stop', () => {
    it('text streams: the message grows render by render, each text a prefix of the next', async () => {
      const gateway = await startGateway(200);
      const { transport } = gatewayTransport(gateway);
      const chat = renderChat(transport);
      await chat.send(PROMPT);
      await untilApproval(chat);
      const texts = chat.rendered.map((messages) => textOf(messages.find((m) => m.role === 'assistant')));
      const distinct = texts.filter((text, i) => text !== texts[i - 1]);
      expect(distinct.length).toBeGreaterThan(5);
      for (let i = 1; i < distinct.length; i++)
        expect(distinct[i]?.startsWith(distinct[i - 1] ?? '')).toBe(true);
      expect(distinct.at(-1)).toBe(demoAnswerText(true, 'x').slice(0, distinct.at(-1)?.length));
    });

    it('a rejected tool ends denied and the run takes the other branch', async () => {
      const gateway = await startGateway(0);
      const { transport, chatKeys } = gatewayTransport(gateway);
      const chat = renderChat(transport);
      await chat.send(PROMPT);
      await untilApproval(chat);
      await settle(() => approveWeather(chat, false));
      await waitFor(() => expect(partsOf(answerOf(chat))).toContain('tool:user_input:input-available'), WAIT);
      const message = answerOf(chat);
      expect(partsOf(message)).toContain('tool:get_weather:output-denied');
      expect(textOf(message)).toBe(demoAnswerText(false, 'x').slice(0, textOf(message).length));
      expect(gateway.session(chatKeys[0] as string)?.applied.map(({ frame }) => frame)).toEqual([
        expect.objectContaining({ type: 'tool_confirmation', approved: false }),
      ]);
    });

    it('two runs in one chat with the same tool call id: an approval goes to the run it was given in', async () => {
      const gateway = await startGateway(0);
      const { transport, chatKeys } = gatewayTransport(gateway);
      const chat = renderChat(transport);
      await chat.send(PROMPT);
      await untilApproval(chat);
      // A new prompt while the first run still waits: a second run, whose tool call has the same id.
      await chat.send('And in Lyon?');
      const second = () => chat.result.current.messages.at(-1);
      await waitFor(() => expect(second()?.id).toBe(chatKeys[1]), WAIT);
      await waitFor(() => expect(partsOf(second())).toContain('tool:get_weather:approval-requested'), WAIT);
      await waitFor(() => expect(chat.result.current.status).toBe('ready'), WAIT);
      const part = second()?.parts.find((each) => each.type === 'dynamic-tool');
      if (part?.type !== 'dynamic-tool' || part.state !== 'approval-requested')
        throw new Error('No approval');
      expect(part.toolCallId).toBe('call_weather_1');

      await settle(() =>
        chat.result.current.addToolApprovalResponse({ id: part.approval.id, approved: true }),
      );
      await waitFor(() => expect(partsOf(second())).toContain('tool:user_input:input-available'), WAIT);
      expect(gateway.session(chatKeys[1] as string)?.applied.map(({ frame }) => frame)).toEqual([
        expect.objectContaining({ type: 'tool_confirmation', toolCallId: 'call_weather_1', approved: true }),
      ]);
      expect(gateway.session(chatKeys[0] as string)?.applied).toEqual([]);
      expect(partsOf(answerOf(chat))).toContain('tool:get_weather:approval-requested');
    });

    it('a run after a finished one: its input request (the same request id) is answered in its own message', async () => {
      const gateway = await startGateway(0);
      const { transport, chatKeys } = gatewayTransport(gateway);
      const chat = renderChat(transport);
      const last = () => chat.result.current.messages.at(-1);
      const runToEnd = (day: string) => answerDemoRun(chat, day);
      await chat.send(PROMPT);
      await runToEnd('Saturday');
      await waitFor(() => expect(gateway.session(chatKeys[0] as string)?.ended).toBe(true), WAIT);
      await chat.send('And in Lyon?');
      await waitFor(() => expect(last()?.id).toBe(chatKeys[1]), WAIT);
      await runToEnd('Sunday');
      await waitFor(() => expect(gateway.session(chatKeys[1] as string)?.ended).toBe(true), WAIT);

      const [first, second] = chat.result.current.messages.filter((m) => m.role === 'assistant');
      expect(textOf(first)).toBe(demoAnswerText(true, 'Saturday'));
      expect(textOf(second)).toBe(demoAnswerText(true, 'Sunday'));
      expect(gateway.session(chatKeys[1] as string)?.applied.map(({ frame }) => frame)).toEqual([
        expect.objectContaining({ type: 'tool_confirmation', approved: true }),
        expect.objectContaining({ type: 'user_input', requestId: 'input-1', content: 'Sunday' }),
      ]);
      expect(gateway.session(chatKeys[0] as string)?.applied).toHaveLength(2);
    });

    it('links dropped mid-stream: no part lost or duplicated, in the stream or on screen', async () => {
      const gateway = await startGateway(150);
      const { transport, chatKeys } = gatewayTransport(gateway);
      const chat = renderChat(transport);
      await chat.send(PROMPT);
      await waitFor(() => expect(textOf(answerOf(chat)).length).toBeGreaterThan(10), WAIT);
      const client = transport.getClient('chat-1');
      let reconnects = 0;
      client?.on('reconnecting', () => reconnects++);
      for (let drop = 1; drop <= 3; drop++) {
        expect(gateway.dropConnections(chatKeys[0])).toBe(1);
        await waitFor(() => expect(reconnects).toBe(drop), WAIT);
        await waitFor(() => expect(client?.connectionStatus).toBe('connected'), WAIT);
        await new Promise((resolve) => setTimeout(resolve, 60));
      }
      await untilApproval(chat);
      expect(reconnects).toBe(3);
      const message = answerOf(chat);
      expect(partsOf(message)).toEqual([
        'step-start',
        'reasoning:done',
        'text:done',
        'step-start',
        'tool:get_weather:approval-requested',
      ]);
      expect(textOf(message, 'reasoning')).toBe(demoThinking(PROMPT));
      expect(textOf(message)).toBe(demoAnswerText(true, 'x').slice(0, textOf(message).length));
      expect(textOf(message).endsWith('fits the days you are there. ')).toBe(true);
      const shown = chat.rendered.map((messages) => textOf(messages.find((m) => m.role === 'assistant')));
      for (const text of shown) expect(textOf(message).startsWith(text)).toBe(true);
      expect(chat.result.current.error).toBeUndefined();
    });

    it('history lost while the link was down: a history_lost data part, the stream goes on to the approval', async () => {
      const gateway = await startGateway(100);
      const { transport, chatKeys } = gatewayTransport(gateway, {
        clientOptions: {
          WebSocket,
          watchEnvironment: false,
          initialReconnectDelayMs: 300,
          reconnectJitter: 0,
        },
      });
      const chat = renderChat(transport);
      await chat.send(PROMPT);
      await waitFor(() => expect(textOf(answerOf(chat), 'reasoning').length).toBeGreaterThan(10), WAIT);
      const chatKey = chatKeys[0] as string;
      const before = textOf(answerOf(chat), 'reasoning');
      gateway.dropConnections(chatKey);
      // The agent goes on while the client waits to reconnect; then the gateway forgets those events.
      await new Promise((resolve) => setTimeout(resolve, 150));
      gateway.hibernate(chatKey);
      await untilApproval(chat);
      const message = answerOf(chat);
      expect(message?.parts.filter((part) => part.type === 'data-gateway-error')).toEqual([
        expect.objectContaining({ data: expect.objectContaining({ code: 'history_lost' }) }),
      ]);
      // What was shown stays, nothing is repeated, and what came after the gap follows it.
      const full = demoThinking(PROMPT) + demoAnswerText(true, 'x');
      const shown = textOf(message, 'reasoning') + textOf(message);
      expect(shown.startsWith(before)).toBe(true);
      expect(shown.length).toBeLessThan(full.length);
      expect(full).toContain(shown.slice(-30));
      expect(partsOf(message).at(-1)).toBe('tool:get_weather:approval-requested');
    });

    it('a remount with resume: true shows the same message once, continued', async () => {
      const gateway = await startGateway(150);
      const { transport, chatKeys } = gatewayTransport(gateway);
      const first = renderChat(transport);
      await first.send(PROMPT);
      await waitFor(() => expect(textOf(answerOf(first)).length).toBeGreaterThan(10), WAIT);
      const saved = first.result.current.messages;
      first.unmount();
      const second = renderChat(transport, { messages: saved, resume: true });
      await untilResumed(second);
      await untilApproval(second);
      const messages = second.result.current.messages;
      expect(messages.map((m) => [m.role, m.id])).toEqual([
        ['user', saved[0]?.id],
        ['assistant', chatKeys[0]],
      ]);
      expect(partsOf(messages[1])).toEqual([
        'step-start',
        'reasoning:done',
        'text:done',
        'step-start',
        'tool:get_weather:approval-requested',
      ]);
      expect(textOf(messages[1], 'reasoning')).toBe(demoThinking(PROMPT));
      expect(second.rendered.every((shown) => shown.filter((m) => m.role === 'assistant').length <= 1)).toBe(
        true,
      );
    });

    it('stop() detaches without interrupting; resumeStream() follows again; nothing to resume once the run ended', async () => {
      const gateway = await startGateway(100);
      const { transport, chatKeys } = gatewayTransport(gateway);
      const chat = renderChat(transport);
      await chat.send(PROMPT);
      await waitFor(() => expect(textOf(answerOf(chat), 'reasoning').length).toBeGreaterThan(10), WAIT);
      await settle(() => chat.result.current.stop());
      const client = transport.getClient('chat-1');
      expect(client?.getSnapshot().disconnectReason).toBe('userDisconnect');
      const session = gateway.session(chatKeys[0] as string);
      await new Promise((resolve) => setTimeout(resolve, 100));
      expect(session?.status).toBe('running');
      expect(session?.received).toEqual([]);
      await settle(() => chat.result.current.resumeStream());
      await untilApproval(chat);
      expect(textOf(answerOf(chat), 'reasoning')).toBe(demoThinking(PROMPT));

      await settle(() => approveWeather(chat, true));
      const ask = async () => {
        await waitFor(
          () => expect(partsOf(answerOf(chat))).toContain('tool:user_input:input-available'),
          WAIT,
        );
        return chat.result.current.messages
          .at(-1)
          ?.parts.find((part) => part.type === 'dynamic-tool' && part.toolName === 'user_input') as {
          toolCallId: string;
        };
      };
      const { toolCallId } = await ask();
      await waitFor(() => expect(chat.result.current.status).toBe('ready'), WAIT);
      await settle(() =>
        chat.result.current.addToolOutput({ tool: 'user_input', toolCallId, output: 'Friday' }),
      );
      await waitFor(() => expect(session?.ended).toBe(true), WAIT);
      await waitFor(() => expect(chat.result.current.status).toBe('ready'), WAIT);
      expect(textOf(answerOf(chat))).toBe(demoAnswerText(true, 'Friday'));
      expect(await transport.reconnectToStream({ chatId: 'chat-1' })).toBeNull();
    });

    it('after a page reload, a new transport resumes the run by its chatKey and finishes it', async () => {
      const gateway = await startGateway(0);
      const before = gatewayTransport(gateway);
      const first = renderChat(before.transport);
      await first.send(PROMPT);
      await untilApproval(first);
      const saved = first.result.current.messages;
      first.unmount();
      before.transport.dispose();

      const chatKey = before.chatKeys[0] as string;
      const after = gatewayTransport(gateway, {
        resumeChatKey: (chatId) => (chatId === 'chat-1' ? chatKey : undefined),
      });
      const chat = renderChat(after.transport, { messages: saved, resume: true });
      // The saved message already shows the approval: answer it once the replay has rebuilt it (an
      // answer given meanwhile is overwritten by the replay, in the AI SDK's state).
      await untilResumed(chat);
      await untilApproval(chat);
      expect(chat.result.current.messages.map((m) => m.id)).toEqual(saved.map((m) => m.id));
      await settle(() => approveWeather(chat, true));
      await waitFor(() => expect(partsOf(answerOf(chat))).toContain('tool:user_input:input-available'), WAIT);
      await waitFor(() => expect(chat.result.current.status).toBe('ready'), WAIT);
      expect(textOf(answerOf(chat))).toBe(demoAnswerText(true, 'x').slice(0, textOf(answerOf(chat)).length));
      expect(gateway.session(chatKey)?.applied).toHaveLength(1);
    });

    it('a token the gateway refuses fails the request with the reason', async () => {
      const gateway = await startGateway(0);
      const { transport } = gatewayTransport(gateway, { getToken: () => 'v1.not.valid' });
      const chat = renderChat(transport);
      await chat.send(PROMPT);
      await waitFor(() => expect(chat.result.current.status).toBe('error'), WAIT);
      expect(chat.result.current.error?.message).toBe(
        'The gateway refused the token: Invalid token signature',
      );
    });

    it('with interruptOnStop, stop() interrupts the agent', async () => {
      const gateway = await startGateway(100);
      const { transport, chatKeys } = gatewayTransport(gateway, { interruptOnStop: true });
      const chat = renderChat(transport);
      await chat.send(PROMPT);
      await waitFor(() => expect(textOf(answerOf(chat), 'reasoning').length).toBeGreaterThan(10), WAIT);
      await settle(() => chat.result.current.stop());
      const session = gateway.session(chatKeys[0] as string);
      await waitFor(() => expect(session?.status).toBe('interrupted'), WAIT);
      expect(session?.applied.map(({ frame }) => frame.type)).toEqual(['interrupt']);
    });
  });
});
