import type { ToolUIPart, UIPart } from 'agent-gateway-client';
import type { UseAgentGatewayResult } from 'agent-gateway-client/react';
import { type FormEvent, useState } from 'react';

/** The conversation: messages with text, thinking and tool parts, then the pending input requests. */
export function Conversation({ gateway }: { gateway: UseAgentGatewayResult }) {
  const { session } = gateway;
  return (
    <section className="conversation" data-testid="conversation">
      {session.messages.map((message) => (
        <article key={message.id} className="message">
          {message.parts.map((part, index) => (
            <Part key={part.type === 'tool' ? part.toolCallId : index} part={part} gateway={gateway} />
          ))}
        </article>
      ))}
      {session.pendingInputs.map((input) => (
        <InputRequest
          key={input.requestId}
          requestId={input.requestId}
          prompt={input.prompt}
          gateway={gateway}
        />
      ))}
      {session.complete && (
        <p className="complete" data-testid="session-complete">
          Session complete{session.summary ? `: ${session.summary}` : ''}
        </p>
      )}
    </section>
  );
}

function Part({ part, gateway }: { part: UIPart; gateway: UseAgentGatewayResult }) {
  switch (part.type) {
    case 'text':
      return (
        <p className={`text ${part.state}`} data-testid="text-part">
          {part.text}
        </p>
      );
    case 'reasoning':
      return (
        <p className={`reasoning ${part.state}`} data-testid="reasoning-part">
          {part.text}
        </p>
      );
    case 'tool':
      return <ToolCall part={part} gateway={gateway} />;
  }
}

function ToolCall({ part, gateway }: { part: ToolUIPart; gateway: UseAgentGatewayResult }) {
  return (
    <div className={`tool tool-${part.state}`} data-testid="tool-part" data-state={part.state}>
      <div>
        <strong>{part.approval?.tool?.name ?? part.toolName}</strong> <code>{part.input}</code>
        <span className="badge">{part.state}</span>
      </div>
      {part.state === 'approval-requested' && (
        <div className="actions">
          <button
            type="button"
            onClick={() => gateway.approveTool(part.toolCallId)}
            data-testid="approve-tool"
          >
            Approve
          </button>
          <button type="button" onClick={() => gateway.rejectTool(part.toolCallId)} data-testid="reject-tool">
            Reject
          </button>
        </div>
      )}
      {part.output !== undefined && (
        <pre className="output">
          {part.parsedOutput !== undefined ? JSON.stringify(part.parsedOutput, null, 1) : part.output}
        </pre>
      )}
    </div>
  );
}

function InputRequest(props: { requestId: string; prompt: string; gateway: UseAgentGatewayResult }) {
  const [value, setValue] = useState('');
  const submit = (event: FormEvent) => {
    event.preventDefault();
    props.gateway.submitInput(props.requestId, value);
  };
  return (
    <form className="input-request" onSubmit={submit} data-testid="input-request">
      <label>
        {props.prompt}
        <input value={value} onChange={(event) => setValue(event.target.value)} data-testid="input-answer" />
      </label>
      <button type="submit" data-testid="input-submit">
        Send
      </button>
    </form>
  );
}
