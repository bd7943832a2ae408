/** A token bucket's size: `burst` frames at once, refilled at `perSecond`. */
export interface RateLimit {
  burst: number;
  perSecond: number;
}

/** One socket's bucket: tokens left, as of `at` (ms since the epoch). */
export interface TokenBucket {
  tokens: number;
  at: number;
}

/** A full bucket. */
export function fullBucket(limit: RateLimit, now: number): TokenBucket {
  return { tokens: limit.burst, at: now };
}

/** Refills the bucket up to `now` and takes one token from it; `false` (and no token taken) when it is empty. */
export function takeToken(bucket: TokenBucket, limit: RateLimit, now: number): boolean {
  bucket.tokens = Math.min(
    limit.burst,
    bucket.tokens + (Math.max(0, now - bucket.at) / 1000) * limit.perSecond,
  );
  bucket.at = now;
  if (bucket.tokens < 1) return false;
  bucket.tokens--;
  return true;
}
