import { createHmac, timingSafeEqual } from 'node:crypto';
import { assertSecret, checkTokenClaims, type TokenCheck, type TokenClaims } from './core/tokenCheck.js';

export { MIN_SECRET_BYTES, type TokenCheck } from './core/tokenCheck.js';

/** Checks a token for a chatKey: the gateway's pluggable authentication. */
export type TokenVerifier = (token: string, chatKey: string) => TokenCheck | Promise<TokenCheck>;

/** Options of {@link createSessionToken}: a token for one chatKey, or (explicitly) for any. */
export type SessionTokenOptions = {
  /** The signing secret, at least 32 bytes. Required. */
  secret: string;
  /** Lifetime. Default 15 minutes. */
  ttlMs?: number;
  /** Clock. Default `Date.now`. */
  now?: () => number;
} & (
  | {
      /** The chatKey the token opens. Required unless `anyChatKey`. */
      chatKey: string;
      anyChatKey?: false;
    }
  | {
      chatKey?: undefined;
      /** A wildcard token that opens any chatKey (e.g. a trusted backend). Default `false`. */
      anyChatKey: true;
    }
);

const encode = (value: string) => Buffer.from(value).toString('base64url');
const sign = (secret: string, body: string) => createHmac('sha256', secret).update(body).digest('base64url');

/**
 * Issues a signed session token: `v1.<payload>.<HMAC-SHA256>`, valid for one chatKey until `ttlMs`
 * from now (default 15 minutes). A token for any chatKey needs `anyChatKey: true`. Throws for a
 * secret under 32 bytes or a missing chatKey.
 *
 * @example
 * const token = createSessionToken({ secret, chatKey: 'chat-1', ttlMs: 60_000 });
 */
export function createSessionToken(options: SessionTokenOptions): string {
  assertSecret(options.secret);
  if (options.anyChatKey !== true && (typeof options.chatKey !== 'string' || options.chatKey === ''))
    throw new TypeError('createSessionToken needs a chatKey (or anyChatKey: true for a wildcard token)');
  const exp = (options.now ?? Date.now)() + (options.ttlMs ?? 15 * 60_000);
  // A wildcard is a claim of its own: a chatKey (even "*") only ever opens that chatKey.
  const payload: TokenClaims =
    options.anyChatKey === true ? { any: true, exp } : { sub: options.chatKey, exp };
  const body = `v1.${encode(JSON.stringify(payload))}`;
  return `${body}.${sign(options.secret, body)}`;
}

/**
 * Verifies tokens made by {@link createSessionToken} with the same secret: signature, chatKey (a
 * wildcard only by its own `any` claim) and expiry; the token's subject is its signature. The reason never repeats the token. Throws for a
 * secret under 32 bytes.
 *
 * @example
 * const gateway = await createGatewayServer({ verifyToken: createTokenVerifier(process.env.GATEWAY_SECRET) });
 */
export function createTokenVerifier(secret: string, now: () => number = Date.now): TokenVerifier {
  assertSecret(secret);
  return (token, chatKey) => {
    const parts = token.split('.');
    if (parts.length !== 3 || parts[0] !== 'v1') return { ok: false, reason: 'Malformed token' };
    const body = `${parts[0]}.${parts[1]}`;
    const expected = Buffer.from(sign(secret, body));
    const actual = Buffer.from(parts[2] ?? '');
    if (expected.length !== actual.length || !timingSafeEqual(expected, actual)) {
      return { ok: false, reason: 'Invalid token signature' };
    }
    let claims: unknown;
    try {
      claims = JSON.parse(Buffer.from(parts[1] ?? '', 'base64url').toString());
    } catch {
      return { ok: false, reason: 'Malformed token' };
    }
    // The signature names this token, shorter than the token (sessions are counted per subject).
    return checkTokenClaims(claims, chatKey, now(), parts[2] as string);
  };
}
