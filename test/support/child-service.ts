import { ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';

const ROOT = path.resolve(__dirname, '..', '..');
const LOG_LINES_KEPT = 300;

export type AppName = 'ingest' | 'dispatcher' | 'projector';

/** The built entry point of an app (`npx nest build <app>`), or of one of its scripts. */
export function builtEntry(app: AppName, file = 'main.js'): string {
  const entry = path.join(ROOT, 'dist/apps', app, 'apps', app, 'src', file);
  if (!existsSync(entry)) {
    throw new Error(`${path.relative(ROOT, entry)} is missing: build the apps first (npm run build)`);
  }
  return entry;
}

/**
 * The environment a child gets: only what it needs to run plus `vars`, never the developer's own
 * settings (an API key or topic name exported in the shell must not leak into a test).
 */
function childEnv(vars: Record<string, string>): NodeJS.ProcessEnv {
  const keep = ['PATH', 'HOME', 'TMPDIR', 'LANG', 'TZ'];
  const base = Object.fromEntries(
    keep.filter((k) => process.env[k] !== undefined).map((k) => [k, process.env[k]]),
  );
  return { ...base, NODE_ENV: 'test', ...vars };
}

/**
 * One built service running as a child process, as in production: its own `node` process, its
 * configuration from environment variables. Output is kept (last lines) to explain a failure.
 */
export class ChildService {
  private readonly lines: string[] = [];
  private readonly child: ChildProcess;
  private exited?: { code: number | null; signal: NodeJS.Signals | null };
  private readonly exitPromise: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;

  constructor(
    readonly name: string,
    entry: string,
    vars: Record<string, string>,
  ) {
    this.child = spawn(process.execPath, [entry], {
      cwd: ROOT,
      env: childEnv(vars),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    for (const stream of [this.child.stdout!, this.child.stderr!]) {
      let rest = '';
      stream.on('data', (chunk: Buffer) => {
        const parts = (rest + chunk.toString('utf8')).split('\n');
        rest = parts.pop() ?? '';
        for (const line of parts) this.keep(line);
      });
    }
    this.exitPromise = new Promise((resolve) => {
      this.child.once('exit', (code, signal) => {
        this.exited = { code, signal };
        this.keep(`(process exited: ${signal ?? code})`);
        resolve(this.exited);
      });
    });
  }

  private keep(line: string): void {
    this.lines.push(line);
    if (this.lines.length > LOG_LINES_KEPT) this.lines.shift();
    if (process.env.E2E_VERBOSE === '1') process.stdout.write(`[${this.name}] ${line}\n`);
  }

  /** Resolves when the process exits, however it ends. */
  get ended(): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
    return this.exitPromise;
  }

  get running(): boolean {
    return this.exited === undefined;
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  /** The last `n` output lines, prefixed with the service name. */
  tail(n = 40): string {
    return this.lines
      .slice(-n)
      .map((l) => `  [${this.name}] ${l}`)
      .join('\n');
  }

  /** Sends SIGTERM and waits; SIGKILL after `graceMs`. Resolves with how it ended. */
  async stop(graceMs = 15_000): Promise<{ code: number | null; signal: NodeJS.Signals | null; ms: number }> {
    const started = Date.now();
    if (this.exited) return { ...this.exited, ms: 0 };
    this.child.kill('SIGTERM');
    const timer = setTimeout(() => this.child.kill('SIGKILL'), graceMs);
    const result = await this.exitPromise;
    clearTimeout(timer);
    return { ...result, ms: Date.now() - started };
  }

  /** Last resort for afterAll: no grace, no waiting beyond the exit itself. */
  async kill(): Promise<void> {
    if (this.exited) return;
    this.child.kill('SIGKILL');
    await this.exitPromise;
  }
}

export interface ScriptResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs a built command-line script to completion (bounded by `timeoutMs`). */
export function runScript(
  entry: string,
  args: string[],
  vars: Record<string, string>,
  timeoutMs = 60_000,
): Promise<ScriptResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [entry, ...args], {
      cwd: ROOT,
      env: childEnv(vars),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString('utf8')));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString('utf8')));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${path.basename(entry)} did not finish in ${timeoutMs} ms\n${stdout}\n${stderr}`));
    }, timeoutMs);
    child.once('error', (e) => (clearTimeout(timer), reject(e)));
    child.once('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}
