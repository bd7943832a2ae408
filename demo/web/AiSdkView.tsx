import { type Chat, useChat } from '@ai-sdk/react';
import type { GatewayChatTransport } from 'agent-gateway-client/ai-sdk';
import { useGatewaySelector } from 'agent-gateway-client/react';
import type { DynamicToolUIPart, UIMessage } from 'ai';
import { type FormEvent, useState } from 'react';

type Helpers = ReturnType<typeof useChat<UIMessage>>;

/**
 * The same kind of session rendered by the AI SDK's `useChat` through the gateway transport: it
 * replays the page's session when shown (`resume: true`), and the prompt box starts a new run.
 */
export function AiSdkView({ chat, transport }: { chat: Chat<UIMessage>; transport: GatewayChatTransport }) {
  const helpers = useChat({ chat, resume: true });
  const connection = useGatewaySelector(transport.getClient(chat.id), (snapshot) => snapshot.status);
  const ended = useGatewaySelector(
    transport.getClient(chat.id),
    (snapshot) => snapshot.disconnectReason === 'sessionComplete',
  );
  const busy = helpers.status === 'submitted' || helpers.status === 'streaming';
  return (
    <section className="conversation" data-testid="ai-conversation">
      <p className="session-status">
        useChat: <span data-testid="ai-chat-status">{helpers.status}</span> · link:{' '}
        <span className={`status status-${connection}`} data-testid="ai-connection-status">
          {connection}
        </span>
        {busy && (
          <button type="button" onClick={() => void helpers.stop()} data-testid="ai-stop">
            Stop
          </button>
        )}
      </p>
      {helpers.messages.map((message, index) => (
        <article
          key={message.id}
          className={`message message-${message.role}`}
          data-testid={`ai-${message.role}`}
        >
          {message.parts.map((part, at) => (
            <Part key={at} part={part} helpers={helpers} latest={index === helpers.messages.length - 1} />
          ))}
        </article>
      ))}
      {helpers.error && <p className="error">{helpers.error.message}</p>}
      {ended && !busy && (
        <p className="complete" data-testid="ai-complete">
          Run complete
        </p>
      )}
      <Prompt disabled={busy} onSend={(text) => void helpers.sendMessage({ text })} />
    </section>
  );
}

// Only the latest message can be answered: useChat continues the last message, and a newer run
// replaced the earlier ones (their sessions stay where they were).
function Part(props: { part: UIMessage['parts'][number]; helpers: Helpers; latest: boolean }) {
  const { part, helpers, latest } = props;
  switch (part.type) {
    case 'text':
      return (
        <p className={`text ${part.state ?? ''}`} data-testid="ai-text-part">
          {part.text}
        </p>
      );
    case 'reasoning':
      return (
        <p className={`reasoning ${part.state ?? ''}`} data-testid="ai-reasoning-part">
          {part.text}
        </p>
      );
    case 'dynamic-tool':
      return part.toolName === 'user_input' ? (
        <InputTool part={part} helpers={helpers} latest={latest} />
      ) : (
        <Tool part={part} helpers={helpers} latest={latest} />
      );
    case 'data-gateway-error':
      return <p className="error">{JSON.stringify(part.data)}</p>;
    default:
      return null;
  }
}

interface ToolProps {
  part: DynamicToolUIPart;
  helpers: Helpers;
  latest: boolean;
}

function Tool({ part, helpers, latest }: ToolProps) {
  const answer = (approved: boolean) => {
    // The transport's approval ids name the run (`<chatKey>:<toolCallId>`): runs reuse tool call ids.
    if (part.state === 'approval-requested')
      void helpers.addToolApprovalResponse({ id: part.approval.id, approved });
  };
  return (
    <div className={`tool tool-${part.state}`} data-testid="ai-tool-part" data-state={part.state}>
      <div>
        <strong>{part.toolName}</strong> <code>{JSON.stringify(part.input)}</code>
        <span className="badge">{part.state}</span>
      </div>
      {part.state === 'approval-requested' && latest && (
        <div className="actions">
          <button type="button" onClick={() => answer(true)} data-testid="ai-approve-tool">
            Approve
          </button>
          <button type="button" onClick={() => answer(false)} data-testid="ai-reject-tool">
            Reject
          </button>
        </div>
      )}
      {part.state === 'output-available' && (
        <pre className="output">{JSON.stringify(part.output, null, 1)}</pre>
      )}
    </div>
  );
}

function InputTool({ part, helpers, latest }: ToolProps) {
  const [value, setValue] = useState('');
  const { prompt } = (part.input ?? {}) as { prompt?: string };
  if (part.state !== 'input-available' || !latest) {
    return (
      <p className="input-answered" data-testid="ai-input-answered">
        {prompt} → {part.state === 'output-available' ? String(part.output ?? '(answered)') : part.state}
      </p>
    );
  }
  const submit = (event: FormEvent) => {
    event.preventDefault();
    void helpers.addToolOutput({ tool: 'user_input', toolCallId: part.toolCallId, output: value });
  };
  return (
    <form className="input-request" onSubmit={submit} data-testid="ai-input-request">
      <label>
        {prompt}
        <input
          value={value}
          onChange={(event) => setValue(event.target.value)}
          data-testid="ai-input-answer"
        />
      </label>
      <button type="submit" data-testid="ai-input-submit">
        Send
      </button>
    </form>
  );
}

function Prompt({ disabled, onSend }: { disabled: boolean; onSend: (text: string) => void }) {
  const [text, setText] = useState('');
  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (text.trim() === '') return;
    onSend(text);
    setText('');
  };
  return (
    <form className="prompt" onSubmit={submit}>
      <input
        value={text}
        onChange={(event) => setText(event.target.value)}
        placeholder="Ask the agent: a new run"
        data-testid="ai-prompt"
      />
      <button type="submit" disabled={disabled} data-testid="ai-send">
        Send
      </button>
    </form>
  );
}
