import { build } from 'esbuild';
import { describe, expect, it } from 'vitest';

/** The project files and packages a browser bundle of `contents` is made of. */
async function inputsOf(contents: string): Promise<string[]> {
  const result = await build({
    stdin: { contents, resolveDir: process.cwd(), loader: 'ts' },
    bundle: true,
    format: 'esm',
    platform: 'browser',
    conditions: ['agent-gateway-client:source', 'module'],
    external: ['react'],
    write: false,
    metafile: true,
    logLevel: 'silent',
  });
  return Object.keys(result.metafile.inputs);
}

const fromAiSdk = (input: string) =>
  /node_modules\/(ai|@ai-sdk\/[^/]+)\//.test(input) || input.startsWith('src/ai-sdk/');

describe('the AI SDK stays out of the other entries', () => {
  it.each([
    ["export { AgentGatewayClient } from 'agent-gateway-client';"],
    ["export * from 'agent-gateway-client';"],
    ["export * from 'agent-gateway-client/react';"],
  ])('%s bundles nothing of ai, @ai-sdk/* or src/ai-sdk', async (contents) => {
    const inputs = await inputsOf(contents);
    expect(inputs.some((input) => input.startsWith('src/'))).toBe(true);
    expect(inputs.filter(fromAiSdk)).toEqual([]);
  });

  it("the ./ai-sdk entry uses ai's types only: none of its code is bundled", async () => {
    const inputs = await inputsOf("export * from 'agent-gateway-client/ai-sdk';");
    expect(inputs).toContain('src/ai-sdk/chatTransport.ts');
    expect(inputs.filter((input) => input.includes('node_modules/'))).toEqual(
      inputs.filter((input) => /node_modules\/xstate\//.test(input)),
    );
  });
});
