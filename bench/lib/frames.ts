/** `count` agent_event frames as a gateway sends them: text deltas of a realistic size (~95 bytes), ids `<epoch>.<first>` on. Default epoch `k3x9ab`, first 1. */
export function textDeltaFrames(count: number, epoch = 'k3x9ab', first = 1): string[] {
  const words = ['Paris ', 'is ', 'lovely ', 'in ', 'spring; ', 'pack ', 'an ', 'umbrella. '];
  return Array.from({ length: count }, (_, i) =>
    JSON.stringify({
      type: 'agent_event',
      id: `${epoch}.${first + i}`,
      event: { kind: 'text_delta', content: words[i % words.length] },
    }),
  );
}

// LobeHub's ids are one sequence: every call goes on from where the last one stopped.
let lobehubSequence = 0;

/** `count` agent_event frames as LobeHub's gateway sends them: text chunks of one operation, ids going on from the last call's (~170 bytes). */
export function lobehubTextFrames(count: number, operationId = 'lobehub'): string[] {
  const words = ['Paris ', 'is ', 'lovely ', 'in ', 'spring; ', 'pack ', 'an ', 'umbrella. '];
  return Array.from({ length: count }, (_, i) =>
    JSON.stringify({
      type: 'agent_event',
      id: String(++lobehubSequence),
      event: {
        type: 'stream_chunk',
        data: { chunkType: 'text', content: words[i % words.length] },
        operationId,
        stepIndex: 0,
        timestamp: 1_765_000_000_000 + i,
      },
    }),
  );
}
