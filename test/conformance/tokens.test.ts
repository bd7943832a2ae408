import { createSessionToken, createTokenVerifier } from 'agent-gateway-client/server';
import { describe, expect, it } from 'vitest';
import { verifySessionToken } from '../../server/cloudflare/verifyToken.js';

describe('one token scheme, two verifiers (node:crypto and WebCrypto)', () => {
  it('the Worker reaches the same verdict, with the same reason, as the Node gateway', async () => {
    const secret = 'shared-secret-of-at-least-32-bytes';
    const now = Date.now();
    const token = createSessionToken({ secret, chatKey: 'a', ttlMs: 60_000 });
    const cases: Array<[token: string, chatKey: string]> = [
      [token, 'a'],
      [token, 'b'],
      [`${token.slice(0, -2)}xx`, 'a'],
      [`${token.slice(0, -1)}${token.endsWith('A') ? 'B' : 'A'}`, 'a'],
      [createSessionToken({ secret: 'another-secret-of-at-least-32-bytes', chatKey: 'a' }), 'a'],
      [createSessionToken({ secret, chatKey: 'a', now: () => now - 3_600_000 }), 'a'],
      [createSessionToken({ secret, anyChatKey: true }), 'any key, ünïcode & all'],
      [createSessionToken({ secret, chatKey: 'ünïcode ✓' }), 'ünïcode ✓'],
      ['v1.forged.token', 'a'],
      ['garbage', 'a'],
      ['', 'a'],
      [`v2${token.slice(2)}`, 'a'],
    ];
    const node = createTokenVerifier(secret, () => now);
    for (const [candidate, chatKey] of cases) {
      expect(
        await verifySessionToken(secret, candidate, chatKey, now),
        `${candidate} for ${chatKey}`,
      ).toEqual(node(candidate, chatKey));
    }
  });
});
