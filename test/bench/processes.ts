import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';

/** A server the benchmark started, in a process of its own. */
export interface ServerProcess {
  name: string;
  child: ChildProcess;
  pid: number;
  /** Everything it printed, for the error message when it dies. */
  output(): string;
  /** Whether it has exited (crashed, or stopped). */
  exited(): boolean;
  stop(signal?: NodeJS.Signals): Promise<void>;
}

const keptBytes = 20_000;

/**
 * Runs `node` with `args` and `env` added to ours, keeping the end of its output for error
 * messages. The gateway logs a line per operation: chunks are kept as they come (no string
 * built per chunk), the oldest dropped once they hold more than the last keptBytes.
 */
export function startProcess(name: string, args: string[], env: Record<string, string>): ServerProcess {
  const child = spawn(process.execPath, args, { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  const chunks: Buffer[] = [];
  let kept = 0;
  const keep = (chunk: Buffer) => {
    chunks.push(chunk);
    kept += chunk.length;
    while (chunks.length > 1 && kept - chunks[0]!.length >= keptBytes) kept -= chunks.shift()!.length;
  };
  const output = () => Buffer.concat(chunks).toString().slice(-keptBytes);
  child.stdout.on('data', keep);
  child.stderr.on('data', keep);
  if (child.pid === undefined) throw new Error(`${name} did not start`);
  const exit = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const hasExited = () => child.exitCode !== null || child.signalCode !== null;
  return {
    name,
    child,
    pid: child.pid,
    output,
    exited: hasExited,
    async stop(signal = 'SIGTERM') {
      if (hasExited()) return;
      child.kill(signal);
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exit;
      clearTimeout(timer);
    },
  };
}

/** Polls `url` until it answers (any status below 500), the process dies, or time runs out. */
export async function waitUntilUp(server: ServerProcess, url: string, init: RequestInit = {}, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (server.child.exitCode !== null) throw new Error(`${server.name} exited:\n${server.output()}`);
    try {
      const response = await fetch(url, { ...init, signal: AbortSignal.timeout(2_000) });
      await response.arrayBuffer();
      if (response.status < 500) return;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`${server.name} did not come up at ${url} within ${timeoutMs} ms:\n${server.output()}`);
}

export function statusKb(pid: number, field: 'VmRSS' | 'VmHWM'): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const match = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status);
  return match ? Number(match[1]) : 0;
}

// Clock ticks per second of /proc/<pid>/stat's times.
let ticksPerSecond: number | undefined;

/** CPU time a process has used so far, user and system, in seconds (/proc/<pid>/stat utime + stime); NaN once it is gone. */
export function cpuSeconds(pid: number): number {
  ticksPerSecond ??= Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
  let stat: string;
  try {
    stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return Number.NaN;
  }
  // Fields after the command name, which is in parentheses and may hold spaces: utime and stime are the 12th and 13th.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / ticksPerSecond;
}

/**
 * Peak resident memory of a process over a stretch of time: the kernel's high-water mark, reset at
 * the start (writing 5 to clear_refs), checked against VmRSS samples taken every 50 ms.
 */
export function watchPeakRss(pid: number): { stop(): number } {
  let reset = true;
  try {
    writeFileSync(`/proc/${pid}/clear_refs`, '5');
  } catch {
    reset = false;
  }
  let sampled = statusKb(pid, 'VmRSS');
  const timer = setInterval(() => {
    try {
      sampled = Math.max(sampled, statusKb(pid, 'VmRSS'));
    } catch {
      // the process is gone; the last sample stands
    }
  }, 50);
  return {
    stop() {
      clearInterval(timer);
      let hwm = 0;
      try {
        if (reset) hwm = statusKb(pid, 'VmHWM');
      } catch {
        // the process is gone; the samples stand
      }
      return Math.max(sampled, hwm) * 1024;
    },
  };
}
