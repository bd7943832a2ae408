import { gzipSync } from 'node:zlib';
import { build } from 'esbuild';

/** One measured bundle. */
export interface BundleSize {
  name: string;
  /** What the bundle's entry imports, as an application would. */
  imports: string;
  minifiedBytes: number;
  gzipBytes: number;
  /** Bytes of the minified bundle from LobeHub's dialect (`src/lobehub/`): 0 unless the entry is `./lobehub`. */
  lobehubBytes: number;
}

const entries = [
  { name: 'core', imports: "import { AgentGatewayClient } from 'agent-gateway-client'", external: [] },
  {
    name: 'react',
    imports: "import { useAgentGateway } from 'agent-gateway-client/react'",
    external: ['react'],
  },
  {
    name: 'ai-sdk',
    imports: "import { createGatewayChatTransport } from 'agent-gateway-client/ai-sdk'",
    external: ['ai'],
  },
  {
    name: 'lobehub',
    imports: "import { AgentStreamClient, lobehubDialect } from 'agent-gateway-client/lobehub'",
    external: [],
  },
  { name: 'everything', imports: "import * from 'agent-gateway-client'", external: [] },
] as const;

/**
 * Bundles what an application imports, minified for the browser with xstate included (React left
 * out), and measures it minified and gzipped (level 9).
 */
export async function measureBundles(): Promise<BundleSize[]> {
  const sizes: BundleSize[] = [];
  for (const entry of entries) {
    const contents =
      entry.name === 'everything'
        ? "export * from 'agent-gateway-client';"
        : `export ${entry.imports.slice('import '.length).replace(/ from .*/, '')} from '${entry.imports.split("'")[1]}';`;
    const result = await build({
      stdin: { contents, resolveDir: process.cwd(), loader: 'ts' },
      bundle: true,
      minify: true,
      format: 'esm',
      platform: 'browser',
      conditions: ['agent-gateway-client:source', 'module'],
      external: [...entry.external],
      write: false,
      metafile: true,
      logLevel: 'silent',
    });
    const inputs = Object.values(result.metafile.outputs)[0]?.inputs ?? {};
    const code = result.outputFiles[0]?.contents ?? new Uint8Array();
    sizes.push({
      name: entry.name,
      imports: entry.imports,
      minifiedBytes: code.length,
      gzipBytes: gzipSync(code, { level: 9 }).length,
      lobehubBytes: Object.entries(inputs)
        .filter(([file]) => file.startsWith('src/lobehub/'))
        .reduce((sum, [, input]) => sum + input.bytesInOutput, 0),
    });
  }
  return sizes;
}

/**
 * The budgets CI enforces, in gzipped bytes: today's sizes plus ~0.3 kB, to be tightened as they
 * shrink. Issue 13 asked for a core ≤ 18 kB; xstate's `createActor` + `setup` alone are 12.4 kB and
 * the connection machine 3.5 kB, which leaves 2 kB for the socket adapter, the validator, the
 * ledger and the facade (5.5 kB today): not reachable without leaving XState (docs/performance.md).
 */
export const BUDGETS: Record<string, number> = {
  // Issue 19 asked for ≤ 22.5 kB: missed (docs/performance.md, "Bundle size").
  core: 24.9 * 1024,
  // The store and the session model (~2.7 kB), @xstate/react and its use-sync-external-store shim (~1.5 kB).
  react: 29.3 * 1024,
  // The client and the session model; `ai` is imported for its types only.
  'ai-sdk': 29.05 * 1024,
  // The drop-in and the dialect on top of the core: the dialect's frames, gate, fold and the session model.
  lobehub: 28.45 * 1024,
};
