/**
 * What a React user of the published package relies on, checked against the installed tarball by the
 * packaging test (Vite + React project): the hook's actions return the client's receipts (issue 15,
 * item 10) and its state narrows like the client's.
 */
import type { CommandReceipt } from 'agent-gateway-client';
import { useAgentGateway } from 'agent-gateway-client/react';

export function Approve({ toolCallId }: { toolCallId: string }) {
  const { approveTool, rejectTool, submitInput, interrupt, session, status } = useAgentGateway({
    gatewayUrl: 'https://gateway.example.com',
    chatKey: 'chat-42',
    token: 'token',
  });
  const receipts: Array<CommandReceipt | undefined> = [
    approveTool(toolCallId),
    rejectTool(toolCallId),
    submitInput('request-1', 'yes'),
    interrupt(),
  ];
  const _connected: boolean = status === 'connected';
  const _summary: string | undefined = session.summary;
  // @ts-expect-error the hook follows one chatKey: it is required
  useAgentGateway({ gatewayUrl: 'https://gateway.example.com', token: 'token' });
  return <output>{receipts.map((receipt) => receipt?.status).join(' ')}</output>;
}
