/** A promise that resolves after `ms`. */
export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Counts of the resources a run could leak: timers, sockets and listening servers. */
export function activeResources(): Record<string, number> {
  const counts: Record<string, number> = { Timeout: 0, TCPWrap: 0, TCPServerWrap: 0 };
  for (const kind of process.getActiveResourcesInfo())
    if (kind in counts) counts[kind] = (counts[kind] ?? 0) + 1;
  return counts;
}

/** Resource kinds more numerous now than in `before`, with their excess. */
export function leaked(before: Record<string, number>): Record<string, number> {
  const excess: Record<string, number> = {};
  for (const [kind, count] of Object.entries(activeResources())) {
    if (count > (before[kind] ?? 0)) excess[kind] = count - (before[kind] ?? 0);
  }
  return excess;
}

/** Polls `condition` every 10 ms for up to `ms`; returns whether it came true. */
export async function eventually(condition: () => boolean, ms: number): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (!condition()) {
    if (Date.now() > deadline) return false;
    await sleep(10);
  }
  return true;
}

/** Rejects with `explain()` if `promise` has not settled within `ms`. */
export async function withHardTimeout<T>(promise: Promise<T>, ms: number, explain: () => string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(explain())), ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
