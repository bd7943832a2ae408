import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import {
  createSessionToken,
  createTokenVerifier,
  type SessionTokenOptions,
} from 'agent-gateway-client/server';
import { describe, expect, it } from 'vitest';
import { startLocalGateway } from '../../server/cloudflare/node/localGateway.js';
import { cloudflareEngine, engines } from '../conformance/engines.js';
import { SECRET } from '../integration/support.js';
import { upgradeStatus } from './support.js';

const root = fileURLToPath(new URL('../../', import.meta.url));

/** Runs the gateway CLI until it prints its token line (or exits); returns what it printed and its exit code. */
function runCli(args: string[], env: Record<string, string | undefined> = {}) {
  return new Promise<{ output: string; code: number | null }>((resolve) => {
    const child = spawn(
      process.execPath,
      [
        '--conditions=agent-gateway-client:source',
        '--import',
        'tsx',
        'server/cli.ts',
        '--port',
        '0',
        ...args,
      ],
      {
        cwd: root,
        env: { ...process.env, GATEWAY_SECRET: undefined, ...env },
      },
    );
    let output = '';
    const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
    const read = (chunk: Buffer) => {
      output += String(chunk);
      if (output.includes('token (1 h')) child.kill('SIGTERM');
    };
    child.stdout.on('data', read);
    child.stderr.on('data', read);
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ output, code });
    });
  });
}

describe('no built-in secret', () => {
  it('createTokenVerifier and createSessionToken refuse secrets under 32 bytes, and a token needs a chatKey', () => {
    for (const secret of ['', 'dev-secret', 'x'.repeat(31)]) {
      expect(() => createTokenVerifier(secret)).toThrow(/at least 32 bytes/);
      expect(() => createSessionToken({ secret, chatKey: 'a' })).toThrow(/at least 32 bytes/);
    }
    expect(() => createTokenVerifier('é'.repeat(16))).not.toThrow(); // 32 bytes of UTF-8
    expect(() => createSessionToken({ secret: SECRET } as SessionTokenOptions)).toThrow(/needs a chatKey/);
    expect(() => createSessionToken({ secret: SECRET, chatKey: '' })).toThrow(/needs a chatKey/);
    const wildcard = createSessionToken({ secret: SECRET, anyChatKey: true });
    expect(createTokenVerifier(SECRET)(wildcard, 'any')).toMatchObject({ ok: true });
  });

  it('the gateway CLI refuses a short secret, and without one generates a random one and prints it', async () => {
    const short = await runCli(['--secret', 'dev-secret']);
    expect(short.code).toBe(2);
    expect(short.output).toMatch(/at least 32 bytes; refusing to start/);
    const [first, second] = await Promise.all([runCli([]), runCli([])]);
    const generated = (output: string) => /generated one for this run only: (\S+)/.exec(output)?.[1];
    expect(generated(first.output)).toMatch(/^[\w-]{43}$/);
    expect(generated(first.output)).not.toBe(generated(second.output));
    expect(first.output).toMatch(/token \(1 h, chatKey "demo"\): v1\./);
  }, 30_000);
});

describe.runIf(engines.includes(cloudflareEngine))('the Cloudflare Worker without proper secrets', () => {
  it('serves no socket with a short signing secret, and no runtime API when its key is the signing secret', async () => {
    const short = await startLocalGateway({ secret: 'dev-secret' });
    try {
      expect(await upgradeStatus(short.url, 'a')).toBe(500);
      expect(await (await fetch(`${short.url}/ws?chatKey=a`)).text()).toMatch(/GATEWAY_SECRET must be set/);
    } finally {
      await short.close();
    }
    const shared = await startLocalGateway({ secret: SECRET, runtimeKey: SECRET });
    try {
      const response = await fetch(`${shared.url}/sessions/a`, {
        headers: { authorization: `Bearer ${SECRET}` },
      });
      expect(response.status).toBe(500);
      expect(await response.text()).toBe('RUNTIME_API_KEY must differ from GATEWAY_SECRET');
      expect(await upgradeStatus(shared.url, 'a')).toBe(101);
    } finally {
      await shared.close();
    }
  });
});
