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
