import { type ChildProcess, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';

/** What a finished command printed, and how it ended. */
export interface RunResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/**
 * The environment of a user's shell: this one without what the test runner adds (NODE_ENV=test
 * would make Vite bundle React's development build), plus `extra`.
 */
export function userEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env = { ...process.env, ...extra };
  for (const name of Object.keys(env)) {
    if (name === 'NODE_ENV' || name === 'TEST' || name.startsWith('VITEST')) delete env[name];
  }
  return env;
}

/** Processes still running, killed (with their process group) by {@link killAll}. */
const running = new Set<ChildProcess>();

/**
 * Runs a command to its end within `timeoutMs` (then kills its process group and rejects). Rejects
 * on a non-zero exit unless `allowFailure`; the error carries what it printed.
 */
export function run(
  command: string,
  args: string[],
  options: { cwd: string; env?: NodeJS.ProcessEnv; timeoutMs: number; allowFailure?: boolean },
): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = start(command, args, options);
    let stdout = '';
    let stderr = '';
    child.stdout?.on('data', (chunk: Buffer) => (stdout += String(chunk)));
    child.stderr?.on('data', (chunk: Buffer) => (stderr += String(chunk)));
    const timer = setTimeout(() => {
      kill(child, 'SIGKILL');
      reject(
        new Error(
          `${command} ${args.join(' ')}: no exit within ${options.timeoutMs} ms\n${stdout}\n${stderr}`,
        ),
      );
    }, options.timeoutMs);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      running.delete(child);
      if (code !== 0 && !options.allowFailure) {
        reject(new Error(`${command} ${args.join(' ')} exited ${code}\n${stdout}\n${stderr}`));
      } else resolve({ code, stdout, stderr });
    });
  });
}

/** Starts a long-running command in its own process group, so it and its children can be stopped together. */
export function start(
  command: string,
  args: string[],
  options: { cwd: string; env?: NodeJS.ProcessEnv },
): ChildProcess {
  const child = spawn(command, args, {
    cwd: options.cwd,
    env: options.env ?? userEnv(),
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  running.add(child);
  child.on('exit', () => running.delete(child));
  return child;
}

/** Resolves with the first stdout line that matches, or rejects when the process ends first or `timeoutMs` passes. */
export function waitForLine(
  child: ChildProcess,
  pattern: RegExp,
  timeoutMs: number,
): Promise<RegExpExecArray> {
  return new Promise((resolve, reject) => {
    let output = '';
    const timer = setTimeout(
      () => done(new Error(`no line matching ${pattern} within ${timeoutMs} ms:\n${output}`)),
      timeoutMs,
    );
    const onData = (chunk: Buffer) => {
      output += String(chunk);
      // Whole lines only: a chunk may end mid-line.
      for (const line of output.split('\n').slice(0, -1)) {
        const match = pattern.exec(line);
        if (match) return done(undefined, match);
      }
    };
    const onExit = (code: number | null) =>
      done(new Error(`exited ${code} before printing ${pattern}:\n${output}`));
    const done = (error?: Error, match?: RegExpExecArray) => {
      clearTimeout(timer);
      child.stdout?.off('data', onData);
      child.stderr?.off('data', onData);
      child.off('exit', onExit);
      if (match) resolve(match);
      else reject(error);
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.on('exit', onExit);
  });
}

/** Signals a process started by {@link start} or {@link run}, with its whole process group. */
export function kill(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
  try {
    process.kill(-child.pid, signal);
  } catch {
    // Already gone.
  }
}

/** Stops every process still running (a failed test's leftovers). */
export function killAll(): void {
  for (const child of running) kill(child, 'SIGKILL');
  running.clear();
}

/** The version of a package this repository installed: the consumer projects install the same. */
export function installedVersion(root: string, name: string): string {
  const manifest = JSON.parse(readFileSync(`${root}node_modules/${name}/package.json`, 'utf8')) as {
    version: string;
  };
  return `${name}@${manifest.version}`;
}
