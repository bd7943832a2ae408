/**
 * The probes of issue 12 re-run against the Node gateway (in this process, loopback, raw `ws`
 * clients): slow reader, non-reading replays, a 30-day token, expiry under traffic, one wildcard
 * token opening 2,000 chatKeys, a silent authenticated socket, 2,000 idle unauthenticated sockets
 * and a flood after 4429. `node --expose-gc --conditions=agent-gateway-client:source --import tsx bench/hardening.bench.ts`
 * (about a minute); docs/gateway-security.md has the figures.
 */
import {
  bigReplays,
  expiryUnderTraffic,
  idleUnauthenticated,
  monthToken,
  silentSocket,
  slowReader,
  wildcardSessions,
} from './lib/hardening.js';
import { type Check, main } from './lib/result.js';
import { type Figure, figure } from './lib/stats.js';

await main(async () => {
  const slow = await slowReader();
  const replays = await bigReplays();
  const month = await monthToken();
  const traffic = await expiryUnderTraffic();
  const wildcard = await wildcardSessions();
  const silent = await silentSocket();
  const idle = await idleUnauthenticated();
  const figures: Figure[] = [
    figure(
      'slow reader dropped at (send buffer)',
      'KiB',
      [slow.droppedAtBytes / 1024],
      'cap 4 MiB; 100 MB published',
    ),
    figure(
      'memory retained with that slow reader (peak, after GC)',
      'MiB',
      [slow.retainedPeakMiB],
      'incl. the 10,000-event log',
    ),
    figure(
      'RSS growth with that slow reader (peak)',
      'MiB',
      [slow.rssPeakGrowthMiB],
      'mostly garbage of 100 MB published',
    ),
    figure('RSS growth: 10 non-reading 200k-event replays', 'MiB', [replays.rssGrowthMiB]),
    figure('memory retained by those 10 replays', 'MiB', [replays.retainedStalledMiB]),
    figure('bytes held for those 10 sockets', 'KiB', [replays.heldBytes / 1024], 'paged: about a page each'),
    figure(
      'longest event-loop block during replays',
      'ms',
      [replays.longestBlockMs],
      '10 stalled + 1 full 200k replay',
    ),
    figure('200k-event replay to a reading socket', 'ms', [replays.replayMs]),
    figure('re-authentications under traffic', 'count', [traffic.reauths], '20 clients, 300 ms tokens'),
    figure(
      'sessions one wildcard token opened',
      'sessions',
      [wildcard.held],
      `of 2,000 tried; ${wildcard.accepted} accepted`,
    ),
    figure('sessions evicted after the TTL', 'sessions', [wildcard.evicted], `${wildcard.left} left`),
    figure(
      'silent authenticated socket closed after',
      'ms',
      [silent.ms],
      `idle timeout 2 s, code ${silent.code}`,
    ),
    figure(
      'time to cut 2,000 idle unauthenticated sockets',
      'ms',
      [idle.clearedMs],
      'auth timeout 5 s + grace 1 s',
    ),
    figure('flooder cut after 4429', 'ms', [idle.floodCutMs]),
  ];
  const checks: Check[] = [
    {
      name: 'slow reader dropped',
      pass: Number.isFinite(slow.droppedAtBytes),
      detail: `${slow.droppedAtBytes} B`,
    },
    { name: 'a 30-day token is not expired at once', pass: !month.expiredWithinOneSecond, detail: '' },
    {
      name: 'no link closed by the gateway under expiry traffic',
      pass: traffic.closedByGateway === 0,
      detail: `${traffic.closedByGateway}`,
    },
    {
      name: 'wildcard sessions capped and evicted',
      pass: wildcard.held <= 100 && wildcard.left === 0,
      detail: `${wildcard.held}`,
    },
    {
      name: 'event loop never blocked 50 ms by a replay',
      pass: replays.longestBlockMs < 50,
      detail: `${replays.longestBlockMs} ms`,
    },
  ];
  console.log(JSON.stringify({ slow, replays, month, traffic, wildcard, silent, idle }, null, 1));
  return { title: 'Gateway hardening (issue 12 probes)', figures, checks };
});
