import type { ConnectionContext, QueuedCommand } from '../machines/connection.machine.js';
import type { CommandReceipt } from './client.types.js';
import type { ToolConfirmationFrame, UserInputFrame } from './protocol/types.js';

/** A `tool_confirmation` frame, refusing arguments of the wrong type (a `TypeError`, at the caller). */
export function toolConfirmation(toolCallId: string, approved: boolean): ToolConfirmationFrame {
  if (typeof toolCallId !== 'string' || toolCallId.length === 0)
    throw new TypeError('toolCallId must be a string');
  if (typeof approved !== 'boolean') throw new TypeError('approved must be a boolean');
  return { type: 'tool_confirmation', toolCallId, approved };
}

/** A `user_input` frame, refusing arguments of the wrong type (a `TypeError`, at the caller). */
export function userInput(requestId: string, content: string): UserInputFrame {
  if (typeof requestId !== 'string' || requestId.length === 0)
    throw new TypeError('requestId must be a string');
  if (typeof content !== 'string') throw new TypeError('content must be a string');
  return { type: 'user_input', requestId, content };
}

/**
 * The receipt of a command, read from the machine's context right after it was sent: where the
 * command is now, or the machine's record of refusing it. A machine that was busy with another event
 * has not seen it yet: `pending`.
 */
export function readReceipt(commandId: string, context: ConnectionContext): CommandReceipt {
  const isThis = (other: QueuedCommand) => other.commandId === commandId;
  if (context.inFlight.some(isThis)) return { commandId, status: 'sent' };
  if (context.outbox.some(isThis)) return { commandId, status: 'queued' };
  const { refused } = context;
  if (refused?.commandId === commandId) return { commandId, status: 'rejected', reason: refused.reason };
  return { commandId, status: 'pending' };
}
