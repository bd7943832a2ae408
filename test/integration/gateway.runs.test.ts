import { request as httpRequest } from 'node:http';
import { createSessionToken, demoAnswerText, demoThinking } from 'agent-gateway-client/server';
import { describe, expect, it } from 'vitest';
import { connectClient, SECRET, startGateway, tokenFor } from './support.js';

/** `POST {gateway}/runs` as an app's backend sends it. */
function postRun(gateway: { url: string }, body: unknown, token?: string, method = 'POST') {
  return fetch(`${gateway.url}/runs`, {
    method,
    headers: {
      'content-type': 'application/json',
      ...(token === undefined ? {} : { authorization: `Bearer ${token}` }),
    },
    ...(method === 'POST' ? { body: typeof body === 'string' ? body : JSON.stringify(body) } : {}),
  });
}

/** `POST /runs` with these headers and no body sent: the status and JSON body of the answer. */
function rawRequest(
  url: string,
  headers: Record<string, string>,
): Promise<{ status: number; body: unknown }> {
  return new Promise((resolve, reject) => {
    const request = httpRequest(`${url}/runs`, { method: 'POST', headers }, (response) => {
      let text = '';
      response.on('data', (chunk: Buffer) => (text += chunk.toString()));
      response.on('end', () => {
        resolve({ status: response.statusCode ?? 0, body: JSON.parse(text) as unknown });
        request.destroy();
      });
    });
    request.on('error', reject);
    request.flushHeaders();
  });
}

describe('POST /runs: an app backend starts a run from a prompt', () => {
  it('starts the agent on the prompt; the client follows the session to its end', async () => {
    const gateway = await startGateway({ runs: true });
    const response = await postRun(
      gateway,
      { chatKey: 'run-1', prompt: 'Pack for Paris?' },
      tokenFor('run-1'),
    );
    expect(response.status).toBe(201);
    expect(await response.json()).toEqual({ chatKey: 'run-1' });
    const { client, record, completed } = connectClient(gateway, 'run-1');
    client.connect('run-1');
    await completed;
    const thinking = record.frames
      .map((frame) =>
        frame.type === 'agent_event' && frame.event.kind === 'thinking' ? frame.event.content : '',
      )
      .join('');
    expect(thinking.startsWith(demoThinking('Pack for Paris?'))).toBe(true);
    expect(record.text).toBe(demoAnswerText(true, 'Saturday'));
  });

  it('refuses what it must: bad token, wrong chatKey, a second start, bad bodies, other methods', async () => {
    const gateway = await startGateway({ runs: true });
    const run = { chatKey: 'run-2', prompt: 'hi' };
    expect((await postRun(gateway, run)).status).toBe(401);
    expect((await postRun(gateway, run, 'v1.not.valid')).status).toBe(401);
    const wrong = await postRun(gateway, run, tokenFor('another-chat'));
    expect(wrong.status).toBe(401);
    expect(await wrong.json()).toEqual({ error: 'Token is not valid for this session' });
    // A chatKey of "*" is a name like any other, not a wildcard.
    const star = await postRun(gateway, run, tokenFor('*'));
    expect(star.status).toBe(401);
    expect(await star.json()).toEqual({ error: 'Token is not valid for this session' });
    expect((await postRun(gateway, run, tokenFor('run-2'))).status).toBe(201);
    expect((await postRun(gateway, run, tokenFor('run-2'))).status).toBe(409);
    expect((await postRun(gateway, '{not json', tokenFor('run-3'))).status).toBe(400);
    expect((await postRun(gateway, { chatKey: 'run-3' }, tokenFor('run-3'))).status).toBe(400);
    expect(
      (await postRun(gateway, { chatKey: 'run-3', prompt: 'x'.repeat(20_000) }, tokenFor('run-3'))).status,
    ).toBe(413);
    expect((await postRun(gateway, run, tokenFor('run-2'), 'GET')).status).toBe(405);
    expect(gateway.session('run-3')).toBeUndefined();
  });

  it('refuses a request without a bearer token before reading its body, and a body slower than runBodyTimeoutMs', async () => {
    const gateway = await startGateway({ runs: true, runBodyTimeoutMs: 300 });
    // Headers announce a body that never comes: only a refusal that does not wait for it can answer.
    const withholding = (token?: string) =>
      rawRequest(gateway.url, {
        'content-type': 'application/json',
        'content-length': '1000',
        ...(token === undefined ? {} : { authorization: `Bearer ${token}` }),
      });
    expect(await withholding()).toMatchObject({ status: 401, body: { error: 'Missing bearer token' } });
    const started = Date.now();
    expect(await withholding(tokenFor('run-5'))).toMatchObject({
      status: 408,
      body: { error: 'The body took too long' },
    });
    expect(Date.now() - started).toBeGreaterThanOrEqual(300);
    expect(gateway.session('run-5')).toBeUndefined();
  });

  it('counts runs against the sessions a token may hold', async () => {
    const gateway = await startGateway({ runs: true, maxSessionsPerToken: 1 });
    const backend = createSessionToken({ secret: SECRET, anyChatKey: true });
    expect((await postRun(gateway, { chatKey: 'a', prompt: 'one' }, backend)).status).toBe(201);
    expect((await postRun(gateway, { chatKey: 'b', prompt: 'two' }, backend)).status).toBe(429);
  });

  it('is off unless asked for, and needs an agent', async () => {
    const off = await startGateway();
    expect((await postRun(off, { chatKey: 'c', prompt: 'x' }, tokenFor('c'))).status).toBe(404);
    const agentless = await startGateway({ runs: true, agent: undefined });
    expect((await postRun(agentless, { chatKey: 'c', prompt: 'x' }, tokenFor('c'))).status).toBe(501);
  });
});
