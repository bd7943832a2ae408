/**
 * React render cost of a 10,000-delta stream: renders and total render time with useAgentGateway's
 * default batching, against a naive hook that re-renders on every frame. Each frame arrives in its own
 * macrotask, as socket messages do. happy-dom provides the DOM; React's Profiler measures.
 */
import { Window } from 'happy-dom';
import {
  type AgentEventMessage,
  type AgentGatewayClient,
  AgentGatewayClient as Client,
} from '../src/index.js';
import { textDeltaFrames } from './lib/frames.js';
import { InProcessSocket } from './lib/inProcessSocket.js';
import { type BenchResult, main } from './lib/result.js';
import { figure } from './lib/stats.js';

const browser = new Window({ url: 'http://localhost/' });
// happy-dom runs animation frames after every task; a browser runs them at the display's refresh
// rate (60 Hz here), which is the clock `renderBatch: 'frame'` is designed for.
const FRAME_MS = 1000 / 60;
Object.assign(globalThis, {
  window: browser,
  document: browser.document,
  navigator: browser.navigator,
  HTMLElement: browser.HTMLElement,
  Node: browser.Node,
  requestAnimationFrame: (run: (time: number) => void) => setTimeout(() => run(performance.now()), FRAME_MS),
  cancelAnimationFrame: (id: ReturnType<typeof setTimeout>) => clearTimeout(id),
});
const React = await import('react');
const { createRoot } = await import('react-dom/client');
const { useAgentGateway } = await import('../src/react/index.js');

const DELTAS = Number(process.env.DELTAS ?? 10_000);
const RUNS = Number(process.env.RUNS ?? 5);
const frames = textDeltaFrames(DELTAS, 'react');
const expectedLength = frames.reduce(
  (total, frame) => total + (JSON.parse(frame) as { event: { content: string } }).event.content.length,
  0,
);
const nextTask = () => new Promise<void>((resolve) => setImmediate(resolve));

interface Measurement {
  renders: number;
  renderMs: number;
  wallMs: number;
}

/** Mounts `element`, streams the frames one task at a time, waits for the full text on screen. */
async function measure(
  render: (onText: (length: number) => void) => React.ReactElement,
  socket: () => InProcessSocket,
): Promise<Measurement> {
  const container = browser.document.createElement('div');
  const root = createRoot(container as unknown as Element);
  let renders = 0;
  let renderMs = 0;
  let shown = -1;
  const onRender: React.ProfilerOnRenderCallback = (_id, _phase, duration) => {
    renders++;
    renderMs += duration;
  };
  root.render(
    <React.Profiler id="stream" onRender={onRender}>
      {render((length) => (shown = length))}
    </React.Profiler>,
  );
  // Stream only once the component has mounted and subscribed (its first onText), as a real page does.
  while (shown < 0 || InProcessSocket.last === undefined || InProcessSocket.last.readyState !== 0)
    await nextTask();
  socket().connectAndAuthenticate();
  await nextTask();
  const rendersBefore = renders;
  const renderMsBefore = renderMs;
  const started = performance.now();
  for (const frame of frames) {
    socket().deliver(frame);
    await nextTask();
  }
  while (shown < expectedLength) await new Promise((resolve) => setTimeout(resolve, 5));
  const wallMs = performance.now() - started;
  root.unmount();
  return { renders: renders - rendersBefore, renderMs: renderMs - renderMsBefore, wallMs };
}

function BatchedChat({ onText }: { onText: (length: number) => void }) {
  const { session } = useAgentGateway({
    gatewayUrl: 'ws://bench',
    chatKey: 'react',
    token: 't',
    WebSocket: InProcessSocket,
    watchEnvironment: false,
  });
  const text = session.messages
    .flatMap((m) => m.parts)
    .map((p) => (p.type === 'text' ? p.text : ''))
    .join('');
  React.useEffect(() => {
    onText(text.length);
  }, [text, onText]);
  return <p>{text}</p>;
}

/** What one writes without the library's store: state set on every agent event. */
function NaiveChat({ client, onText }: { client: AgentGatewayClient; onText: (length: number) => void }) {
  const [text, setText] = React.useState('');
  React.useEffect(() => {
    const append = ({ event }: AgentEventMessage) => {
      if (event.kind === 'text_delta') setText((current) => current + event.content);
    };
    client.on('agent_event', append);
    return () => client.off('agent_event', append);
  }, [client]);
  React.useEffect(() => {
    onText(text.length);
  }, [text, onText]);
  return <p>{text}</p>;
}

async function run(): Promise<BenchResult> {
  const batched: Measurement[] = [];
  const naive: Measurement[] = [];
  for (let i = 0; i < RUNS; i++) {
    InProcessSocket.last = undefined;
    batched.push(
      await measure(
        (onText) => <BatchedChat onText={onText} />,
        () => InProcessSocket.last as InProcessSocket,
      ),
    );
    InProcessSocket.last = undefined;
    const client = new Client({
      gatewayUrl: 'ws://bench',
      token: 't',
      WebSocket: InProcessSocket,
      watchEnvironment: false,
    });
    client.connect('naive');
    naive.push(
      await measure(
        (onText) => <NaiveChat client={client} onText={onText} />,
        () => InProcessSocket.last as InProcessSocket,
      ),
    );
    client.dispose();
  }
  const note = `${DELTAS} deltas, one per macrotask; 60 Hz animation frames`;
  return {
    title: 'React render cost',
    figures: [
      figure(
        'renders: useAgentGateway (default batching)',
        'renders',
        batched.map((m) => m.renders),
        note,
      ),
      figure(
        'renders: naive hook (state per frame)',
        'renders',
        naive.map((m) => m.renders),
      ),
      figure(
        'render time: useAgentGateway',
        'ms',
        batched.map((m) => m.renderMs),
      ),
      figure(
        'render time: naive hook',
        'ms',
        naive.map((m) => m.renderMs),
      ),
      figure(
        'render time ratio naive ÷ useAgentGateway',
        '×',
        naive.map((m, i) => m.renderMs / (batched[i] as Measurement).renderMs),
      ),
      figure(
        'stream wall time: useAgentGateway',
        'ms',
        batched.map((m) => m.wallMs),
      ),
      figure(
        'stream wall time: naive hook',
        'ms',
        naive.map((m) => m.wallMs),
      ),
    ],
    checks: [
      {
        name: 'batched renders stay bounded (≤ 1 per 16 ms of stream)',
        pass: batched.every((m) => m.renders <= Math.ceil(m.wallMs / 16) + 2),
        detail: batched.map((m) => `${m.renders} renders in ${m.wallMs.toFixed(0)} ms`).join(', '),
      },
    ],
  };
}

await main(run);
