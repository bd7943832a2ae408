import type { SessionEventMessage } from 'agent-gateway-client';
import type { AppliedCommand, GatewayDialect } from 'agent-gateway-client/server';
import { answerFor, approvalFor } from './chaosAgent.js';
import type { IssuedCommand } from './chaosClient.js';

/** How a delivered id sequence differs from the server's log. */
export interface DeliveryTally {
  /** In the server log, never delivered. */
  lost: number;
  /** Delivered more than once (each extra delivery counts). */
  duplicated: number;
  /** Delivered after an event that comes later in the server's order. */
  reordered: number;
  /** Delivered but not in the server log at all. */
  unknown: number;
}

/** Compares what a client delivered with the server's log. */
export function compareDelivery(serverIds: readonly string[], delivered: readonly string[]): DeliveryTally {
  const position = new Map(serverIds.map((id, index) => [id, index]));
  const seen = new Set<string>();
  const tally: DeliveryTally = { lost: 0, duplicated: 0, reordered: 0, unknown: 0 };
  let latest = -1;
  for (const id of delivered) {
    if (seen.has(id)) {
      tally.duplicated++;
      continue;
    }
    seen.add(id);
    const index = position.get(id);
    if (index === undefined) tally.unknown++;
    else if (index < latest) tally.reordered++;
    else latest = index;
  }
  for (const id of serverIds) if (!seen.has(id)) tally.lost++;
  return tally;
}

/** Where two id sequences first differ, with a little context on both sides, for a failure report. */
export function describeMismatch(
  serverLog: readonly SessionEventMessage[],
  delivered: readonly string[],
): string {
  const at = serverLog.findIndex((event, index) => event.id !== delivered[index]);
  const index = at === -1 ? serverLog.length : at;
  const around = (ids: readonly string[]) => ids.slice(Math.max(0, index - 3), index + 4).join(' ');
  const kind = serverLog[index]?.type ?? '(end of the log)';
  return (
    `first difference at #${index} (server: ${kind}); ` +
    `server: ${around(serverLog.map(({ id }) => id))} | delivered: ${around(delivered)}`
  );
}

/**
 * Checks that every human answer the log asked for was applied exactly once, with the right content.
 * With commandIds (the reference gateway), also that every issued command was applied once; without
 * (the original and LobeHub's gateways), that the client wrote no issued command twice.
 */
export function checkCommands(
  serverLog: readonly SessionEventMessage[],
  applied: readonly AppliedCommand[],
  issued: readonly IssuedCommand[],
  dialect: GatewayDialect,
  writesByAnswer: ReadonlyMap<string, number>,
): { commands: number; problems: string[] } {
  const problems: string[] = [];
  const expected = new Map<string, (command: AppliedCommand) => boolean>();
  for (const event of serverLog) {
    if (event.type === 'input_request') {
      const content = answerFor(event.prompt);
      expected.set(event.requestId, ({ frame }) => frame.type === 'user_input' && frame.content === content);
    } else if (event.type === 'tool_confirmation_request') {
      const approved = approvalFor(event.toolCallId);
      expected.set(
        event.toolCallId,
        ({ frame }) => frame.type === 'tool_confirmation' && frame.approved === approved,
      );
    }
  }
  const answered = new Map<string, number>();
  for (const command of applied) {
    const { frame } = command;
    const key =
      frame.type === 'user_input'
        ? frame.requestId
        : frame.type === 'tool_confirmation'
          ? frame.toolCallId
          : '';
    answered.set(key, (answered.get(key) ?? 0) + 1);
    const check = expected.get(key);
    if (check === undefined) problems.push(`applied ${JSON.stringify(frame)}, which nothing asked for`);
    else if (!check(command)) problems.push(`applied the wrong answer ${JSON.stringify(frame)}`);
  }
  for (const key of expected.keys()) {
    const times = answered.get(key) ?? 0;
    if (times !== 1) problems.push(`${key} applied ${times} times`);
  }
  if (dialect !== 'reference') {
    const issuedFor = new Map<string, number>();
    for (const { answers } of issued) issuedFor.set(answers, (issuedFor.get(answers) ?? 0) + 1);
    for (const [answers, times] of writesByAnswer) {
      if (times > (issuedFor.get(answers) ?? 0))
        problems.push(
          `${answers}: ${times} frames written for ${issuedFor.get(answers) ?? 0} commands issued`,
        );
    }
    return { commands: applied.length, problems };
  }
  const appliedIds = applied.map(({ commandId }) => commandId);
  if (new Set(appliedIds).size !== appliedIds.length) problems.push('a commandId was applied twice');
  const appliedSet = new Set(appliedIds);
  for (const { answers, commandId, status } of issued) {
    if (!appliedSet.has(commandId))
      problems.push(`command ${commandId} (${answers}, ${status}) never applied`);
  }
  if (issued.length !== applied.length) problems.push(`${issued.length} issued, ${applied.length} applied`);
  return { commands: applied.length, problems };
}
