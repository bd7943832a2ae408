// Local ESLint rules that keep the layers one-way (docs/architecture.md): which project folders a
// file may import from, and no import cycles. Resolution is by path: the code imports `./x.js` for
// `./x.ts`, so a specifier is mapped to the source file it names.
import { existsSync, readFileSync } from 'node:fs';
import { dirname, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const sourceExtensions = ['.ts', '.tsx', '.js'];

/** The repository-relative source file a relative specifier names, or undefined for a package. */
function resolveImport(fromFile, specifier) {
  if (!specifier.startsWith('.')) return undefined;
  const target = resolve(dirname(fromFile), specifier);
  const base = target.replace(/\.js$/, '');
  for (const candidate of [target, ...sourceExtensions.map((ext) => base + ext), `${target}/index.ts`]) {
    if (existsSync(candidate) && !candidate.endsWith('/')) return candidate;
  }
  return target;
}

const repoPath = (file) => relative(root, file).split('\\').join('/');

/** Whether a repository path is `folder` itself, inside it, or (for `folder/*`) directly in it. */
function inFolder(path, folder) {
  if (folder.endsWith('/*')) {
    const prefix = folder.slice(0, -1);
    return path.startsWith(prefix) && !path.slice(prefix.length).includes('/');
  }
  return path === folder || path.startsWith(`${folder}/`);
}

/** Every import, re-export and dynamic import specifier of a source file, with its node. */
function importSpecifiers(node) {
  if (node.type === 'ImportExpression') return node.source.type === 'Literal' ? node.source.value : undefined;
  return node.source?.value;
}

const importNodes = [
  'ImportDeclaration',
  'ExportNamedDeclaration',
  'ExportAllDeclaration',
  'ImportExpression',
];

const allowedImports = {
  meta: {
    type: 'problem',
    docs: {
      description:
        'A layer imports only the project folders it is allowed to, and only the packages it names',
    },
    schema: [
      {
        type: 'object',
        properties: {
          layer: { type: 'string' },
          folders: { type: 'array', items: { type: 'string' } },
          packages: { anyOf: [{ type: 'array', items: { type: 'string' } }, { const: '*' }] },
          // `node:` modules are allowed unless this is false (code that must run on every runtime).
          nodeBuiltins: { type: 'boolean' },
        },
        required: ['layer', 'folders', 'packages'],
      },
    ],
    messages: {
      folder: '{{layer}} may not import {{target}} (allowed: {{allowed}})',
      package: '{{layer}} may not import the package "{{target}}" (allowed: {{allowed}})',
      builtin: '{{layer}} may not import the Node module "{{target}}": it runs on every runtime',
    },
  },
  create(context) {
    const { layer, folders, packages, nodeBuiltins = true } = context.options[0];
    const check = (node) => {
      const specifier = importSpecifiers(node);
      if (typeof specifier !== 'string') return;
      const target = resolveImport(context.filename, specifier);
      if (target === undefined) {
        if (specifier.startsWith('node:')) {
          if (!nodeBuiltins)
            context.report({ node, messageId: 'builtin', data: { layer, target: specifier } });
          return;
        }
        if (packages === '*') return;
        const name = specifier.startsWith('@')
          ? specifier.split('/').slice(0, 2).join('/')
          : specifier.split('/')[0];
        if (!packages.includes(name))
          context.report({
            node,
            messageId: 'package',
            data: { layer, target: specifier, allowed: packages.join(', ') || 'none' },
          });
        return;
      }
      const path = repoPath(target);
      if (!folders.some((folder) => inFolder(path, folder)))
        context.report({
          node,
          messageId: 'folder',
          data: { layer, target: path, allowed: folders.join(', ') },
        });
    };
    return Object.fromEntries(importNodes.map((type) => [type, check]));
  },
};

// The project's import graph, read from disk once per lint run.
const edgesByFile = new Map();
const importPattern =
  /(?:^|[\n;])\s*(?:import|export)\b[^'"`;]*?\bfrom\s*['"]([^'"]+)['"]|\bimport\s*\(\s*['"]([^'"]+)['"]\s*\)/g;

function edgesOf(file) {
  let edges = edgesByFile.get(file);
  if (edges !== undefined) return edges;
  edges = [];
  if (existsSync(file)) {
    const text = readFileSync(file, 'utf8');
    for (const match of text.matchAll(importPattern)) {
      const target = resolveImport(file, match[1] ?? match[2]);
      if (target !== undefined && existsSync(target)) edges.push(target);
    }
  }
  edgesByFile.set(file, edges);
  return edges;
}

/** A path of imports from `start` back to `goal`, if there is one. */
function pathBack(start, goal) {
  const seen = new Set();
  const stack = [[start, [start]]];
  while (stack.length > 0) {
    const [file, path] = stack.pop();
    if (file === goal) return path;
    if (seen.has(file)) continue;
    seen.add(file);
    for (const next of edgesOf(file)) stack.push([next, [...path, next]]);
  }
  return undefined;
}

const noCycle = {
  meta: {
    type: 'problem',
    docs: { description: 'No import cycles between project files' },
    schema: [],
    messages: { cycle: 'Import cycle: {{cycle}}' },
  },
  create(context) {
    const file = context.filename;
    const check = (node) => {
      const specifier = importSpecifiers(node);
      if (typeof specifier !== 'string') return;
      const target = resolveImport(file, specifier);
      if (target === undefined || !existsSync(target)) return;
      const back = pathBack(target, file);
      if (back !== undefined)
        context.report({
          node,
          messageId: 'cycle',
          data: { cycle: [file, ...back].map(repoPath).join(' → ') },
        });
    };
    return Object.fromEntries(importNodes.map((type) => [type, check]));
  },
};

/** The plugin: `layers/allowed-imports` and `layers/no-cycle`. */
export default { rules: { 'allowed-imports': allowedImports, 'no-cycle': noCycle } };
