/** `count` agent_event frames as a gateway sends them: text deltas of a realistic size (~95 bytes). */
export function textDeltaFrames(count: number, epoch = 'k3x9ab'): string[] {
  const words = ['Paris ', 'is ', 'lovely ', 'in ', 'spring; ', 'pack ', 'an ', 'umbrella. '];
  return Array.from({ length: count }, (_, i) =>
    JSON.stringify({
      type: 'agent_event',
      id: `${epoch}.${i + 1}`,
      event: { kind: 'text_delta', content: words[i % words.length] },
    }),
  );
}
