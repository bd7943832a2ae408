import type { DynamicToolUIPart, ToolUIPart, UIMessage } from 'ai';
import type { Answers } from './runFollower.js';

type AnyToolPart = ToolUIPart | DynamicToolUIPart;

const isToolPart = (part: UIMessage['parts'][number]): part is AnyToolPart =>
  part.type === 'dynamic-tool' || part.type.startsWith('tool-');

const toolNameOf = (part: AnyToolPart) => (part.type === 'dynamic-tool' ? part.toolName : part.type.slice(5));

/**
 * The answers an assistant message holds: approvals the user gave (`addToolApprovalResponse`, state
 * `approval-responded`) and input requests answered with `addToolOutput` (the `inputToolName` tool in
 * `output-available`; a non-string output is sent as JSON).
 */
export function readAnswers(message: UIMessage, inputToolName: string): Answers {
  const answers: Answers = { approvals: [], inputs: [] };
  for (const part of message.parts) {
    if (!isToolPart(part)) continue;
    if (toolNameOf(part) === inputToolName) {
      if (part.state === 'output-available') {
        const content = typeof part.output === 'string' ? part.output : JSON.stringify(part.output);
        // The message id is the run's chatKey (see `runScoped`).
        const scope = `${message.id}:`;
        const { toolCallId } = part;
        const requestId = toolCallId.startsWith(scope) ? toolCallId.slice(scope.length) : toolCallId;
        answers.inputs.push({ requestId, content });
      }
    } else if (part.state === 'approval-responded') {
      answers.approvals.push({ toolCallId: part.toolCallId, approved: part.approval.approved });
    }
  }
  return answers;
}
