import type { SessionEventMessage } from 'agent-gateway-client';
import type { GatewayDialect, GatewaySession } from 'agent-gateway-client/server';
import type { ChaosClient } from './chaosClient.js';
import type { ChaosProxyStats } from './chaosProxy.js';
import { checkCommands, compareDelivery, type DeliveryTally, describeMismatch } from './checks.js';

/** The outcome of one session: its tally against the server log, and every failure in words. */
export interface SessionVerdict {
  events: number;
  commands: number;
  tally: DeliveryTally;
  failures: string[];
}

/** Checks one session: delivery against the server log, commands against `applied`, errors, drops. */
export function judgeSession(
  chaos: ChaosClient,
  session: GatewaySession | undefined,
  dialect: GatewayDialect,
): SessionVerdict {
  const { chatKey, record, writes } = chaos;
  const log = deliverable(session?.replay('').events ?? [], chatKey, dialect);
  const tally = compareDelivery(
    log.map(({ id }) => id),
    record.ids,
  );
  const checked = checkCommands(log, session?.applied ?? [], record.issued, dialect, chaos.writesByAnswer);
  const failures: string[] = [];
  if (tally.lost + tally.duplicated + tally.reordered + tally.unknown > 0)
    failures.push(`${JSON.stringify(tally)}; ${describeMismatch(log, record.ids)}`);
  failures.push(...checked.problems);
  for (const error of record.errors) failures.push(`unexpected error ${error}`);
  // Only a gateway that cannot deduplicate leaves a command unconfirmed; ours gets it re-sent.
  if (dialect === 'reference' && record.unconfirmed.length > 0)
    failures.push(`${record.unconfirmed.length} commands reported unconfirmed`);
  if (record.rejected > 0) failures.push(`${record.rejected} commands rejected`);
  for (const { commandId, reason } of record.dropped) {
    const applied = session?.applied.some((command) => command.commandId === commandId);
    failures.push(
      `command ${commandId} reported dropped (${reason}) after ${writes.get(commandId) ?? 0} writes; ` +
        `the gateway ${applied ? 'applied it' : 'never applied it'}`,
    );
  }
  if (session?.status !== 'completed') failures.push(`server status ${session?.status}`);
  return {
    events: log.length,
    commands: checked.commands,
    tally,
    failures: failures.map((failure) => `${chatKey}: ${failure}`),
  };
}

/**
 * What a client can deliver of a session's log: all of it, but with LobeHub's gateway, whose client
 * stops at the operation's own `agent_runtime_end`, what comes up to it.
 */
function deliverable(
  log: SessionEventMessage[],
  operationId: string,
  dialect: GatewayDialect,
): SessionEventMessage[] {
  if (dialect !== 'lobehub') return log;
  const end = log.findIndex((frame) => {
    const event =
      frame.type === 'agent_event' ? (frame.event as unknown as Record<string, unknown>) : undefined;
    return event?.type === 'agent_runtime_end' && event.operationId === operationId;
  });
  return end === -1 ? log : log.slice(0, end + 1);
}

/** Commands the client wrote again, with the same commandId, after their link was lost unconfirmed. */
export function commandRewrites({ writes }: ChaosClient): number {
  return [...writes.values()].reduce((extra, times) => extra + times - 1, 0);
}

/** The run's details line (everything but the `chaos:` summary): what the faults did to the clients. */
export function describeRun(
  seed: number,
  wallMs: number,
  stats: ChaosProxyStats,
  clients: ChaosClient[],
): string {
  const sum = (count: (chaos: ChaosClient) => number) =>
    clients.reduce((total, chaos) => total + count(chaos), 0);
  const clientTimeouts: Record<string, number> = {};
  for (const { closes } of clients) {
    for (const [reason, n] of closes) clientTimeouts[reason] = (clientTimeouts[reason] ?? 0) + n;
  }
  const facts = {
    wall: `${(wallMs / 1000).toFixed(1)}s`,
    links: stats.connections,
    handshakeCuts: stats.handshakeCuts,
    midChunkCuts: stats.midChunkCuts,
    stalls: stats.stalls,
    stallCuts: stats.stallCuts,
    refusals: stats.refusals,
    reconnects: sum(({ record }) => record.reconnects),
    sockets: sum(({ sockets }) => sockets.length),
    answersQueued: sum(({ record }) => record.issued.filter(({ status }) => status === 'queued').length),
    commandRewrites: sum(commandRewrites),
    unconfirmed: sum(({ record }) => record.unconfirmed.length),
    duplicatesFiltered: sum(({ client }) => client.stats.duplicateFrames),
    clientTimeouts: JSON.stringify(clientTimeouts),
  };
  const pairs = Object.entries(facts).map(([key, value]) => `${key}=${value}`);
  return `chaos seed=${seed} ${pairs.join(' ')}`;
}
