/** Tokens are signed with a secret of at least this many bytes (HMAC-SHA256's block of entropy). */
export const MIN_SECRET_BYTES = 32;

/** Outcome of checking a token for a session. */
export type TokenCheck =
  | {
      ok: true;
      /** When the token expires, ms since the epoch. Default: never (no `auth_expired`). */
      expiresAt?: number;
      /** Who the token belongs to: sessions are counted per subject. Default: the token itself. */
      subject?: string;
    }
  | { ok: false; reason: string };

/** UTF-8 length of a secret. */
export function secretBytes(secret: string): number {
  return new TextEncoder().encode(secret).byteLength;
}

/** Throws a `RangeError` for a secret shorter than {@link MIN_SECRET_BYTES}. */
export function assertSecret(secret: string, name = 'secret'): void {
  if (typeof secret !== 'string' || secretBytes(secret) < MIN_SECRET_BYTES)
    throw new RangeError(`${name} must be at least ${MIN_SECRET_BYTES} bytes`);
}

/** What a session token says once its signature is checked: one chatKey (`sub`) or any (`any: true`), until `exp`. */
export type TokenClaims = { sub: string; exp: number } | { any: true; exp: number };

/**
 * The verdict on a signed token's claims for `chatKey` at `now` (ms since the epoch), the same in
 * both engines; `subject` names the token when it is accepted. A wildcard is a claim of its own
 * (`any: true`), never a chatKey: a token for the chatKey `"*"` opens the session named `*` and no
 * other. The reason never repeats the token.
 */
export function checkTokenClaims(claims: unknown, chatKey: string, now: number, subject: string): TokenCheck {
  if (typeof claims !== 'object' || claims === null) return { ok: false, reason: 'Malformed token' };
  const { sub, any, exp } = claims as Record<string, unknown>;
  const wildcard = any === true && sub === undefined;
  if (typeof exp !== 'number' || !(wildcard || (typeof sub === 'string' && any === undefined)))
    return { ok: false, reason: 'Malformed token' };
  if (!wildcard && sub !== chatKey) return { ok: false, reason: 'Token is not valid for this session' };
  if (exp <= now) return { ok: false, reason: 'Token expired' };
  return { ok: true, expiresAt: exp, subject };
}
