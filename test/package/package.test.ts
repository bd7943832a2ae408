/**
 * The package as a newcomer gets it (issue 15): packed from a checkout without dist/, installed from
 * the tarball into a fresh Node project and a fresh Vite + React app, used the way the README says.
 * `npm run test:package`; everything happens under one temporary directory, removed at the end, and
 * every server listens on 127.0.0.1.
 */
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, posix } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demoFinalAnswer } from '../../server/demoAgent.js';
import { readmeBlocks, relativeLinks } from './readme.js';
import { installedVersion, kill, killAll, run, start, userEnv, waitForLine } from './shell.js';

interface PackResult {
  filename: string;
  size: number;
  unpackedSize: number;
  entryCount: number;
  files: Array<{ path: string }>;
}

interface Manifest {
  exports: Record<string, Record<string, string>>;
  bin: Record<string, string>;
  repository?: { url: string };
  dependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
  peerDependenciesMeta?: Record<string, { optional?: boolean }>;
}

const root = fileURLToPath(new URL('../../', import.meta.url));
const consumer = fileURLToPath(new URL('./consumer/', import.meta.url));
const blocks = readmeBlocks(readFileSync(`${root}README.md`, 'utf8'));
const work = mkdtempSync(join(tmpdir(), 'agent-gateway-client-package-'));
const checkout = join(work, 'checkout');
const nodeApp = join(work, 'node-app');
const viteApp = join(work, 'vite-app');
const installed = (app: string) => join(app, 'node_modules', 'agent-gateway-client');
const npmInstall = [
  'install',
  '--no-audit',
  '--no-fund',
  '--prefer-offline',
  '--ignore-scripts',
  '--loglevel=error',
];
const secret = 'a-secret-for-the-packaging-test-0123456789';
const finalAnswer = demoFinalAnswer(true, 'Saturday');
// Strings only ws or the gateway contain: none may reach a browser bundle.
const serverOnly = [
  '258EAFA5-E914-47DA-95CA-C5AB0DC85B11', // ws: the WebSocket accept GUID
  'Sec-WebSocket-Accept',
  'Weather forecast', // the demo agent
  'Retry-After', // the gateway's HTTP refusals
  'createHmac', // token signing
  'node:crypto',
  'node:http',
  'The Node gateway needs the ws package',
];

let packed: PackResult;

/** Writes files (path → content) under a directory. */
function writeFiles(directory: string, files: Record<string, string>) {
  for (const [path, content] of Object.entries(files)) {
    mkdirSync(dirname(join(directory, path)), { recursive: true });
    writeFileSync(join(directory, path), content);
  }
}

/** The package's .js files that the given entries import, directly or not (relative imports). */
function reachableModules(packageDir: string, entries: string[]): Set<string> {
  const reached = new Set<string>();
  const queue = entries.map((entry) => posix.normalize(entry));
  for (let file = queue.pop(); file !== undefined; file = queue.pop()) {
    if (reached.has(file)) continue;
    reached.add(file);
    const code = readFileSync(join(packageDir, file), 'utf8');
    for (const [, specifier = ''] of code.matchAll(/(?:\bfrom|\bimport\(?)\s*'(\.{1,2}\/[^']+)'/g)) {
      queue.push(posix.join(posix.dirname(file), specifier));
    }
  }
  return reached;
}

/** Runs the README's agent.ts (compiled) against a gateway; resolves with what it printed. */
function runQuickStart(url: string, token: string) {
  return run(process.execPath, ['out/agent.js'], {
    cwd: nodeApp,
    env: userEnv({ GATEWAY_URL: url, GATEWAY_TOKEN: token }),
    timeoutMs: 60_000,
  });
}

beforeAll(async () => {
  // A checkout as git sees it (tracked and new files, nothing ignored): no dist/, so prepack must build.
  const listed = await run('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard'], {
    cwd: root,
    timeoutMs: 30_000,
  });
  for (const file of new Set(listed.stdout.split('\0'))) {
    if (file === '' || !existsSync(join(root, file))) continue;
    mkdirSync(dirname(join(checkout, file)), { recursive: true });
    cpSync(join(root, file), join(checkout, file));
  }
  symlinkSync(join(root, 'node_modules'), join(checkout, 'node_modules'), 'dir');
  const pack = await run('npm', ['pack', '--json', '--pack-destination', work, '--loglevel=error'], {
    cwd: checkout,
    timeoutMs: 180_000,
  });
  packed = (JSON.parse(pack.stdout) as PackResult[])[0] as PackResult;
  const tarball = join(work, packed.filename);

  const nodeFiles: Record<string, string> = {
    'package.json': JSON.stringify({ name: 'node-app', private: true, type: 'module' }),
    'tsconfig.json': JSON.stringify({
      compilerOptions: {
        target: 'ES2022',
        lib: ['ES2023', 'DOM'],
        module: 'NodeNext',
        moduleResolution: 'NodeNext',
        // A consumer whose own packages use a `source` condition must still get our .d.ts files.
        customConditions: ['source'],
        strict: true,
        noUncheckedIndexedAccess: true,
        verbatimModuleSyntax: true,
        // Our .d.ts files are checked too. (exactOptionalPropertyTypes is left to the Vite app, with
        // skipLibCheck: xstate's own declarations do not pass it.)
        skipLibCheck: false,
        types: ['node'],
        rootDir: 'src',
        outDir: 'out',
      },
      include: ['src'],
    }),
  };
  const viteFiles: Record<string, string> = {
    'package.json': JSON.stringify({ name: 'vite-app', private: true, type: 'module' }),
    'tsconfig.json': JSON.stringify({
      compilerOptions: {
        target: 'ES2022',
        lib: ['ES2023', 'DOM', 'DOM.Iterable'],
        module: 'ESNext',
        moduleResolution: 'Bundler',
        jsx: 'react-jsx',
        strict: true,
        noUncheckedIndexedAccess: true,
        exactOptionalPropertyTypes: true,
        verbatimModuleSyntax: true,
        skipLibCheck: true,
        noEmit: true,
        types: [],
      },
      include: ['src'],
    }),
    'vite.config.js': "import react from '@vitejs/plugin-react';\nexport default { plugins: [react()] };\n",
    'index.html': '<!doctype html><div id="root"></div><script type="module" src="/src/main.tsx"></script>\n',
    'src/main.tsx': [
      "import { StrictMode } from 'react';",
      "import { createRoot } from 'react-dom/client';",
      "import { Chat } from './Chat';",
      "import { Approve } from './hook';",
      '',
      "createRoot(document.getElementById('root')!).render(",
      '  <StrictMode>',
      '    <Chat chatKey="chat-42" />',
      '    <Approve toolCallId="call-1" />',
      '  </StrictMode>,',
      ');',
      '',
    ].join('\n'),
    'src/hook.tsx': readFileSync(join(consumer, 'hook.tsx'), 'utf8'),
  };
  for (const name of ['types.ts', 'startGateway.ts']) {
    nodeFiles[`src/${name}`] = readFileSync(join(consumer, name), 'utf8');
  }
  for (const block of blocks) {
    const files = block.lang === 'ts' ? nodeFiles : viteFiles;
    const path = `src/${block.file}`;
    if (path in files) throw new Error(`README line ${block.line}: ${block.file} is taken`);
    files[path] = block.code;
  }
  writeFiles(nodeApp, nodeFiles);
  writeFiles(viteApp, viteFiles);

  const versions = (...names: string[]) => names.map((name) => installedVersion(root, name));
  await Promise.all([
    run(
      'npm',
      [
        ...npmInstall,
        tarball,
        ...versions('ws', '@types/ws', '@types/node', 'typescript', '@statelyai/inspect'),
      ],
      { cwd: nodeApp, timeoutMs: 300_000 },
    ),
    run(
      'npm',
      [
        ...npmInstall,
        tarball,
        ...versions(
          'react',
          'react-dom',
          '@types/react',
          '@types/react-dom',
          'vite',
          '@vitejs/plugin-react',
          'typescript',
          // The React entry's optional peer, and the AI SDK for the README's AiChat.tsx.
          '@xstate/react',
          'ai',
          '@ai-sdk/react',
        ),
      ],
      { cwd: viteApp, timeoutMs: 300_000 },
    ),
  ]);
}, 600_000);

afterAll(() => {
  killAll();
  rmSync(work, { recursive: true, force: true });
});

describe('the packed package, installed from its tarball', () => {
  it('is built by prepack and ships only the package: dist, its sources, no Cloudflare engine', () => {
    const files = packed.files.map((file) => file.path);
    console.log(
      `tarball ${packed.filename}: ${(packed.size / 1024).toFixed(1)} kB, ${(packed.unpackedSize / 1024).toFixed(1)} kB unpacked, ${packed.entryCount} files`,
    );
    const allowed =
      /^(package\.json|README\.md|dist\/(src|machines|server)\/.+|(src|machines|server)\/.+\.ts)$/;
    expect(files.filter((file) => !allowed.test(file))).toEqual([]);
    expect(files.filter((file) => file.includes('cloudflare'))).toEqual([]);
    const manifest = JSON.parse(readFileSync(join(installed(nodeApp), 'package.json'), 'utf8')) as Manifest;
    const targets = [
      ...Object.values(manifest.exports).flatMap((conditions) => Object.values(conditions)),
      ...Object.values(manifest.bin),
    ].map((target) => target.replace(/^\.\//, ''));
    expect(targets.filter((target) => !files.includes(target))).toEqual([]);
    // Nothing in dist that no export (or the bin) imports, directly or not.
    const entries = [
      ...Object.values(manifest.exports).map((conditions) => conditions.default ?? ''),
      ...Object.values(manifest.bin),
    ];
    const reached = reachableModules(installed(nodeApp), entries);
    const shipped = files.filter((file) => file.startsWith('dist/') && file.endsWith('.js'));
    // A module of types only compiles to `export {};`: its .d.ts is what the types import.
    const typesOnly = (file: string) =>
      readFileSync(join(installed(nodeApp), file), 'utf8')
        .replace(/\/\*[\s\S]*?\*\/|\/\/.*$/gm, '')
        .trim() === 'export {};';
    expect(shipped.filter((file) => !reached.has(file) && !typesOnly(file))).toEqual([]);
    const bin = readFileSync(join(installed(nodeApp), manifest.bin['agent-gateway'] ?? ''), 'utf8');
    expect(bin.startsWith('#!/usr/bin/env node\n')).toBe(true);
  });

  it('keeps ws an optional peer, names its repository, and links nothing relative from its README', () => {
    const manifest = JSON.parse(readFileSync(join(installed(nodeApp), 'package.json'), 'utf8')) as Manifest;
    expect(manifest.dependencies).not.toHaveProperty('ws');
    expect(manifest.peerDependencies).toHaveProperty('ws');
    expect(manifest.peerDependenciesMeta?.ws?.optional).toBe(true);
    expect(manifest.repository?.url).toMatch(/^git\+https:\/\/github\.com\//);
    expect(relativeLinks(readFileSync(join(installed(nodeApp), 'README.md'), 'utf8'))).toEqual([]);
    // The browser app installed no ws: an optional peer is not installed for it.
    expect(existsSync(join(viteApp, 'node_modules', 'ws'))).toBe(false);
  });

  it("type-checks every ```ts block of the README and the consumer checks (strict, NodeNext) against the package's .d.ts only", async () => {
    expect(blocks.filter((block) => block.lang === 'ts').map((block) => block.file)).toEqual(
      expect.arrayContaining(['chat.ts', 'token-route.ts', 'agent.ts', 'gateway.ts']),
    );
    const tsc = join(nodeApp, 'node_modules', '.bin', 'tsc');
    await run(tsc, ['-p', 'tsconfig.json'], { cwd: nodeApp, timeoutMs: 120_000 });
    const listed = await run(tsc, ['-p', 'tsconfig.json', '--listFilesOnly'], {
      cwd: nodeApp,
      timeoutMs: 120_000,
    });
    const ours = listed.stdout
      .split('\n')
      .filter((file) => file.includes('/node_modules/agent-gateway-client/'));
    expect(ours.length).toBeGreaterThan(0);
    expect(ours.filter((file) => !file.endsWith('.d.ts'))).toEqual([]);
  });

  it("runs the README's Node quick start to session_complete against a gateway started from the installed ./server", async () => {
    const gateway = start(process.execPath, ['out/startGateway.js'], { cwd: nodeApp });
    try {
      const [, line = ''] = await waitForLine(gateway, /^(\{"url".*)$/, 20_000);
      const { url, token } = JSON.parse(line) as { url: string; token: string };
      expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      const agent = await runQuickStart(url, token);
      // The final answer streams only after the tool was approved and the input answered; the
      // process exits only once session_complete disposed the client.
      expect(agent.stdout).toContain(finalAnswer);
      expect(agent.stderr).toBe('');
    } finally {
      kill(gateway, 'SIGTERM');
    }
  });

  it('runs `npx agent-gateway --secret …` from the tarball: it prints its URL and token and serves /health', async () => {
    const gateway = start(
      'npx',
      ['--no', '--', 'agent-gateway', '--secret', secret, '--port', '0', '--tokens-per-second', '0'],
      { cwd: nodeApp },
    );
    try {
      const token = waitForLine(gateway, /^token \(1 h, chatKey "demo"\): (\S+)$/, 30_000);
      const [, url = ''] = await waitForLine(gateway, /listening on (http:\/\/127\.0\.0\.1:\d+)/, 30_000);
      const [, printed = ''] = await token;
      const health = await fetch(`${url}/health`);
      expect([health.status, await health.text()]).toEqual([200, 'ok']);
      const agent = await runQuickStart(url, printed);
      expect(agent.stdout).toContain(finalAnswer);
      expect(agent.stderr).toBe('');
    } finally {
      kill(gateway, 'SIGTERM');
    }
  });

  it('type-checks the ```tsx blocks in a Vite + React app, whose build holds the client and no ws or server code', async () => {
    expect(blocks.filter((block) => block.lang === 'tsx').map((block) => block.file)).toContain('Chat.tsx');
    await run(join(viteApp, 'node_modules', '.bin', 'tsc'), ['-p', 'tsconfig.json'], {
      cwd: viteApp,
      timeoutMs: 120_000,
    });
    const build = await run(join(viteApp, 'node_modules', '.bin', 'vite'), ['build'], {
      cwd: viteApp,
      env: userEnv({ NO_COLOR: '1' }),
      timeoutMs: 120_000,
    });
    expect(`${build.stdout}${build.stderr}`).not.toMatch(/externalized for browser compatibility/);
    const assets = join(viteApp, 'dist', 'assets');
    const bundle = readdirSync(assets)
      .filter((file) => file.endsWith('.js'))
      .map((file) => readFileSync(join(assets, file), 'utf8'))
      .join('\n');
    console.log(
      `Vite app bundle (README Chat + hook checks, React included): ${(gzipSync(bundle).length / 1024).toFixed(1)} kB gzip`,
    );
    expect(bundle).toContain('No global WebSocket here');
    expect(serverOnly.filter((marker) => bundle.includes(marker))).toEqual([]);
  });

  it('says to install ws when `npx agent-gateway` runs where ws is missing', async () => {
    const result = await run('npx', ['--no', '--', 'agent-gateway', '--secret', secret, '--port', '0'], {
      cwd: viteApp,
      timeoutMs: 30_000,
      allowFailure: true,
    });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('needs the ws package');
    expect(result.stderr).toContain('npm install ws');
  });
});
