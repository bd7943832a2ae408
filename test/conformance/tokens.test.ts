import { createHmac } from 'node:crypto';
import { createSessionToken, createTokenVerifier } from 'agent-gateway-client/server';
import { describe, expect, it } from 'vitest';
import { verifySessionToken } from '../../server/cloudflare/verifyToken.js';

/** A token of the `v1` scheme with any claims, signed with `secret` (what only a key holder can make). */
function signed(secret: string, claims: unknown): string {
  const body = `v1.${Buffer.from(JSON.stringify(claims)).toString('base64url')}`;
  return `${body}.${createHmac('sha256', secret).update(body).digest('base64url')}`;
}

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
      [createSessionToken({ secret, anyChatKey: true }), '*'],
      // A chatKey of "*" is a name, not a wildcard: it opens the session named "*" and no other.
      [createSessionToken({ secret, chatKey: '*' }), '*'],
      [createSessionToken({ secret, chatKey: '*' }), 'b'],
      // Signed, but claims no token of ours makes: refused as malformed by both.
      [signed(secret, { any: true, sub: 'a', exp: now + 60_000 }), 'a'],
      [signed(secret, { any: false, sub: 'a', exp: now + 60_000 }), 'a'],
      [signed(secret, { any: 'yes', exp: now + 60_000 }), 'b'],
      [signed(secret, { sub: 7, exp: now + 60_000 }), 'a'],
      [signed(secret, { sub: 'a' }), 'a'],
      [signed(secret, ['a']), 'a'],
      [createSessionToken({ secret, chatKey: 'ünïcode ✓' }), 'ünïcode ✓'],
      ['v1.forged.token', 'a'],
      ['garbage', 'a'],
      ['', 'a'],
      [`v2${token.slice(2)}`, 'a'],
    ];
    const node = createTokenVerifier(secret, () => now);
    // Accepted: the token for its own chatKey, the wildcard twice, "*" for the session named "*", ünïcode.
    const accepted = [0, 6, 7, 8, 16];
    const verdicts = await Promise.all(cases.map(([candidate, chatKey]) => node(candidate, chatKey)));
    expect(verdicts.map((verdict) => verdict.ok)).toEqual(cases.map((_, i) => accepted.includes(i)));
    for (const [candidate, chatKey] of cases) {
      expect(
        await verifySessionToken(secret, candidate, chatKey, now),
        `${candidate} for ${chatKey}`,
      ).toEqual(node(candidate, chatKey));
    }
  });
});
