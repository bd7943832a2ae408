import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const run = promisify(execFile);

describe('the ./ai-sdk types', () => {
  // An app on ai 7 resolves `ai` to ai 7: the transport's sources must type-check against it too.
  it('compile against ai 7 (the ai-v7 alias) as they do against ai 6', async () => {
    const tsc = run('npx', ['tsc', '--noEmit', '-p', 'test/unit/ai-sdk/tsconfig.ai7.json', '--listFiles']);
    const { stdout } = await tsc;
    const files = stdout.split('\n');
    expect(files.some((file) => file.endsWith('node_modules/ai-v7/dist/index.d.ts'))).toBe(true);
    expect(files.some((file) => file.endsWith('node_modules/ai/dist/index.d.ts'))).toBe(false);
    expect(files.some((file) => file.endsWith('src/ai-sdk/chatTransport.ts'))).toBe(true);
  }, 120_000);
});
