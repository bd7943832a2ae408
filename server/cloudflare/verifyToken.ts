/**
 * Token verification with WebCrypto, for the Worker: the same `v1.<payload>.<HMAC-SHA256>` tokens
 * and the same verdicts (and reasons) as `createTokenVerifier` of the Node gateway, without `node:crypto`.
 */
import { checkTokenClaims, type TokenCheck } from '../core/tokenCheck.js';

const encoder = new TextEncoder();
const decoder = new TextDecoder();
const keys = new Map<string, Promise<CryptoKey>>();

function hmacKey(secret: string): Promise<CryptoKey> {
  let key = keys.get(secret);
  if (key === undefined) {
    key = crypto.subtle.importKey('raw', encoder.encode(secret), { name: 'HMAC', hash: 'SHA-256' }, false, [
      'sign',
    ]);
    keys.set(secret, key);
  }
  return key;
}

function toBase64Url(bytes: ArrayBuffer): string {
  let binary = '';
  for (const byte of new Uint8Array(bytes)) binary += String.fromCharCode(byte);
  return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

function fromBase64Url(text: string): string | undefined {
  try {
    const binary = atob(text.replace(/-/g, '+').replace(/_/g, '/'));
    return decoder.decode(Uint8Array.from(binary, (char) => char.charCodeAt(0)));
  } catch {
    return undefined;
  }
}

/** Compares two strings in time that depends only on their length (secrets, signatures). */
export function timingSafeEqual(a: string, b: string): boolean {
  if (a.length !== b.length) return false;
  let difference = 0;
  for (let i = 0; i < a.length; i++) difference |= a.charCodeAt(i) ^ b.charCodeAt(i);
  return difference === 0;
}

/**
 * Verifies a token made by `createSessionToken` with the same secret: signature, chatKey (or the
 * wildcard's own `any` claim) and expiry (`now`, default `Date.now()`). The reason never repeats the token.
 *
 * @example
 * const check = await verifySessionToken(env.GATEWAY_SECRET, token, chatKey);
 */
export async function verifySessionToken(
  secret: string,
  token: string,
  chatKey: string,
  now: number = Date.now(),
): Promise<TokenCheck> {
  const parts = token.split('.');
  if (parts.length !== 3 || parts[0] !== 'v1') return { ok: false, reason: 'Malformed token' };
  const body = `${parts[0]}.${parts[1]}`;
  const expected = toBase64Url(await crypto.subtle.sign('HMAC', await hmacKey(secret), encoder.encode(body)));
  if (!timingSafeEqual(expected, parts[2] ?? '')) return { ok: false, reason: 'Invalid token signature' };
  let claims: unknown;
  try {
    claims = JSON.parse(fromBase64Url(parts[1] ?? '') ?? '');
  } catch {
    return { ok: false, reason: 'Malformed token' };
  }
  return checkTokenClaims(claims, chatKey, now, parts[2] ?? '');
}
