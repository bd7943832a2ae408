/** One event a client listener receives: its name, then its arguments (errors as plain records). */
export type Told = readonly unknown[];

/** A command as the oracle numbers it: the n-th `send*` call of the run, and its frame. */
export interface OracleCommand {
  n: number;
  frame: { type: string; [field: string]: unknown };
}

/** An `AgentGatewayError` as a record a test can compare. */
const error = (kind: string, message: string, details: Record<string, unknown>): Told => [
  'error',
  { name: 'AgentGatewayError', kind, message, details: { kind, ...details } },
];

const issued = ({ n, frame }: OracleCommand) => ({ ...frame, commandId: `#${n}` });

/** The errors the contract tells, with their messages and details (docs/protocol.md, "Client events"). */
export const describeOracleError = {
  link: (message: string) => error('link', message, {}),
  gaveUp: (attempts: number) => error('gaveUp', 'Max reconnect attempts reached', { attempts }),
  refused: (message: string, status: number) => error('refused', message, { status }),
  closedByGateway: (code: number, reason: string) =>
    error('closedByGateway', `The gateway closed the connection (${code}${reason ? `: ${reason}` : ''})`, {
      closeCode: code,
      closeReason: reason,
    }),
  dropped: (command: OracleCommand, reason: string) =>
    error('commandDropped', `Command "${command.frame.type}" was dropped (${reason})`, {
      command: issued(command),
      reason,
    }),
  historyLost: (status: string) =>
    error(
      'historyLost',
      'The gateway no longer has every event since the last one delivered: the session is rebuilt from what it replayed',
      { status },
    ),
  unconfirmed: (command: OracleCommand) =>
    error(
      'commandUnconfirmed',
      `Command "${command.frame.type}" was written but not confirmed before the link was lost; it was not re-sent`,
      { command: issued(command), reason: 'unconfirmed' },
    ),
};
