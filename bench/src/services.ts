/**
 * Processes for the bench: the stand-ins and subgraphs as `npm start` runs them (built services,
 * `node <pkg>/dist/...`), on ports of their own so the bench can run beside a development system.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('../../', import.meta.url));

export interface Service {
  name: string;
  command: string[];
  env: Record<string, string>;
  health: string;
}

export interface Running {
  name: string;
  child: ChildProcess;
  /** SIGTERM, then SIGKILL after `graceMs`. */
  stop(graceMs?: number): Promise<void>;
}

export function launch(service: Service): Running {
  const [command = process.execPath, ...args] = service.command;
  const child = spawn(command, args, {
    cwd: ROOT,
    env: { ...process.env, LOG_LEVEL: 'warn', ...service.env },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  return {
    name: service.name,
    child,
    stop: (graceMs = 5_000) =>
      new Promise((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
        setTimeout(() => child.kill('SIGKILL'), graceMs).unref();
      }),
  };
}

export async function waitHealthy(service: Service, running: Running, timeoutMs = 180_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (running.child.exitCode !== null) throw new Error(`${service.name} exited with ${running.child.exitCode}`);
    try {
      const response = await fetch(service.health, { signal: AbortSignal.timeout(2_000) });
      await response.arrayBuffer();
      if (response.status < 500) return;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(`${service.name} did not become healthy at ${service.health}`);
}

/** The processes below `pid` (a gateway's cluster workers), read from /proc. */
export function childPids(pid: number): number[] {
  const result: number[] = [];
  try {
    for (const task of readdirSync(`/proc/${pid}/task`)) {
      const text = readFileSync(`/proc/${pid}/task/${task}/children`, 'utf8').trim();
      for (const child of text.split(/\s+/).filter(Boolean)) result.push(Number(child), ...childPids(Number(child)));
    }
  } catch {
    // the process is gone
  }
  return result;
}

function rssKb(pid: number): number {
  try {
    const match = /VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? Number(match[1]) : 0;
  } catch {
    return 0;
  }
}

/** Polls the RSS of a process and its children (workers): the largest single process and the sum. */
export function sampleRss(pid: number, everyMs = 100): { stop(): { peakProcessMb: number; peakTotalMb: number } } {
  let peakProcess = 0;
  let peakTotal = 0;
  const tick = (): void => {
    const sizes = [pid, ...childPids(pid)].map(rssKb);
    peakProcess = Math.max(peakProcess, ...sizes);
    peakTotal = Math.max(
      peakTotal,
      sizes.reduce((a, b) => a + b, 0),
    );
  };
  tick();
  const timer = setInterval(tick, everyMs);
  return {
    stop() {
      clearInterval(timer);
      tick();
      return { peakProcessMb: peakProcess / 1024, peakTotalMb: peakTotal / 1024 };
    },
  };
}
