import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';

const eslint = new ESLint({ cwd: new URL('../../..', import.meta.url).pathname });

/** The layer rules' complaints about `code` placed at `file` (repository-relative). */
async function layerErrors(file: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath: file });
  return (result?.messages ?? [])
    .filter((message) => message.ruleId?.startsWith('layers/'))
    .map((message) => message.message);
}

describe('layers are enforced by ESLint (docs/architecture.md)', () => {
  it('the project itself keeps them: no layer imports upward, no import cycles', async () => {
    const results = await eslint.lintFiles(['src', 'machines', 'server', 'demo', 'scripts', 'bench']);
    const complaints = results.flatMap((result) =>
      result.messages
        .filter((message) => message.ruleId?.startsWith('layers/'))
        .map((m) => `${result.filePath}: ${m.message}`),
    );
    expect(complaints).toEqual([]);
    expect(results.length).toBeGreaterThan(50);
  }, 60_000);

  it.each([
    [
      'src/protocol/extra.ts',
      "import { connectionMachine } from '../../machines/connection.machine.js';",
      'src/protocol may not import machines/connection.machine.ts',
    ],
    [
      'src/protocol/extra.ts',
      "import { createActor } from 'xstate';",
      'src/protocol may not import the package "xstate"',
    ],
    [
      'machines/extra.ts',
      "import { AgentGatewayClient } from '../src/client.js';",
      'machines may not import src/client.ts',
    ],
    ['machines/extra.ts', "import React from 'react';", 'machines may not import the package "react"'],
    [
      'server/extra.ts',
      "import { AgentGatewayClient } from '../src/client.js';",
      'server may not import src/client.ts',
    ],
    [
      'server/core/extra.ts',
      "import { createHmac } from 'node:crypto';",
      'server/core may not import the Node module "node:crypto"',
    ],
    [
      'server/core/extra.ts',
      "import { WebSocket } from 'ws';",
      'server/core may not import the package "ws"',
    ],
    [
      'server/core/extra.ts',
      "import { createGatewayServer } from '../gateway.js';",
      'server/core may not import server/gateway.ts',
    ],
    [
      'src/react/extra.ts',
      "import { EventLedger } from '../ledger.js';",
      'src/react may not import src/ledger.ts',
    ],
    [
      'src/react/extra.ts',
      "import { connectionMachine } from '../../machines/connection.machine.js';",
      'src/react may not import machines/connection.machine.ts',
    ],
    [
      'src/ai-sdk/extra.ts',
      "import { socketActor } from '../socket.actor.js';",
      'src/ai-sdk may not import src/socket.actor.ts',
    ],
    [
      'src/extra.ts',
      "import { useAgentGateway } from './react/index.js';",
      'the client may not import src/react/index.ts',
    ],
  ])('%s: %s is refused', async (file, code, complaint) => {
    expect((await layerErrors(file, code)).join('\n')).toContain(complaint);
  });

  it('allows what each layer may use', async () => {
    expect(
      await layerErrors(
        'machines/extra.ts',
        "import { setup } from 'xstate';\nimport type { SessionStatus } from '../src/protocol/types.js';",
      ),
    ).toEqual([]);
    expect(
      await layerErrors(
        'src/react/extra.ts',
        "import { useEffect } from 'react';\nimport { AgentGatewayClient } from '../index.js';",
      ),
    ).toEqual([]);
    expect(
      await layerErrors(
        'server/extra.ts',
        "import { WebSocketServer } from 'ws';\nimport { CloseCode } from '../src/protocol/closeCodes.js';",
      ),
    ).toEqual([]);
    expect(
      await layerErrors(
        'server/core/extra.ts',
        "import { Closes } from './closes.js';\nimport { CloseCode } from '../../src/protocol/closeCodes.js';",
      ),
    ).toEqual([]);
  });

  it('reports an import cycle with its path', async () => {
    // src/client.ts imports src/protocol/types.ts (through others): importing it back closes a cycle.
    const errors = await layerErrors(
      'src/protocol/types.ts',
      "import { AgentGatewayClient } from '../client.js';\nexport type X = 1;",
    );
    expect(errors.join('\n')).toMatch(
      /Import cycle: src\/protocol\/types\.ts → src\/client\.ts → .*src\/protocol\/types\.ts/,
    );
  });
});
