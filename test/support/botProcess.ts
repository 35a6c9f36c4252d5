import { type ChildProcess, spawn } from 'node:child_process';
import * as path from 'node:path';
import * as readline from 'node:readline';

const ROOT = path.resolve(__dirname, '../..');

/** A bot (or test bot) running in its own Node process. */
export interface BotProcess {
  url: string;
  child: ChildProcess;
  /** Output so far, for assertion messages. */
  output(): string;
  /** Ends the process with `signal` and waits for it to exit. */
  kill(signal?: NodeJS.Signals): Promise<void>;
}

/**
 * Spawns `node --require tsx/cjs <script>` with `env` on top of this process's environment and
 * waits until a line of its output holds a loopback URL next to "listening". `cwd` is the
 * project root it runs from (another build's copy, see variantBuild.ts).
 */
export function spawnBotProcess(script: string, env: Record<string, string>, timeoutMs = 60_000, cwd = ROOT): Promise<BotProcess> {
  const child = spawn(process.execPath, ['--require', 'tsx/cjs', script], {
    cwd,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stderr?.on('data', (chunk: Buffer) => (output = (output + chunk.toString('utf8')).slice(-8000)));
  const kill = (signal: NodeJS.Signals = 'SIGTERM'): Promise<void> =>
    child.exitCode !== null || child.signalCode !== null
      ? Promise.resolve()
      : new Promise((resolve) => {
          child.once('exit', () => resolve());
          child.kill(signal);
        });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      void kill('SIGKILL');
      reject(new Error(`${script} did not start within ${timeoutMs} ms:\n${output}`));
    }, timeoutMs);
    readline.createInterface({ input: child.stdout! }).on('line', (line) => {
      output = `${output + line}\n`.slice(-8000);
      const match = /listening/i.test(line) ? /(http:\/\/(?:127\.0\.0\.1|localhost):\d+)/.exec(line) : null;
      if (!match) return;
      clearTimeout(timer);
      resolve({ url: match[1]!, child, output: () => output, kill });
    });
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`${script} exited (code ${code}, signal ${signal}) before listening:\n${output}`));
    });
  });
}
