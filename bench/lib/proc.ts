/**
 * Runs a command as a child process and reports its wall time and peak RSS: through GNU `/usr/bin/time -v`
 * when present, else by polling VmHWM in /proc/<pid>/status (the kernel's high-water mark, so a poll
 * just before exit sees the peak).
 */
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, rmSync } from 'node:fs';

export interface RunResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  wallMs: number;
  /** Peak resident set size in bytes (null if it could not be read). */
  peakRss: number | null;
  rssSource: '/usr/bin/time -v' | '/proc VmHWM' | 'none';
  /** User + system CPU seconds of the command (all its threads), when GNU time reported them. */
  cpuSeconds: number | null;
  stdout: string;
  stderr: string;
}

const GNU_TIME = '/usr/bin/time';

export interface RunOptions {
  env?: Record<string, string>;
  cwd?: string;
  /** Called with each stderr line as it arrives (progress output). */
  onStderrLine?: (line: string) => void;
  onStdoutLine?: (line: string) => void;
}

function lines(onLine?: (line: string) => void) {
  let rest = '';
  let all = '';
  return {
    push(chunk: Buffer) {
      const text = rest + chunk.toString('utf8');
      const parts = text.split('\n');
      rest = parts.pop() ?? '';
      for (const l of parts) {
        all += `${l}\n`;
        onLine?.(l);
      }
    },
    end() {
      if (rest) {
        all += rest;
        onLine?.(rest);
      }
      return all;
    },
  };
}

export async function runMeasured(command: string, args: string[], o: RunOptions = {}): Promise<RunResult> {
  const useTime = existsSync(GNU_TIME);
  // GNU time writes its report to a file (-o) so the command's own stderr stays clean.
  const timeFile = useTime ? `/tmp/xueshi-bench-time-${process.pid}-${Date.now()}.txt` : null;
  const [cmd, argv] = useTime ? [GNU_TIME, ['-v', '-o', timeFile!, command, ...args]] : [command, args];
  const started = performance.now();
  const child = spawn(cmd, argv, { cwd: o.cwd, env: { ...process.env, ...o.env }, stdio: ['ignore', 'pipe', 'pipe'] });
  const out = lines(o.onStdoutLine);
  const err = lines(o.onStderrLine);
  child.stdout.on('data', (c: Buffer) => out.push(c));
  child.stderr.on('data', (c: Buffer) => err.push(c));

  let hwm: number | null = null;
  const poll = useTime
    ? null
    : setInterval(() => {
        try {
          const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'));
          if (m) hwm = Math.max(hwm ?? 0, Number(m[1]) * 1024);
        } catch {
          // exited between polls
        }
      }, 50);

  const [code, signal] = await new Promise<[number | null, NodeJS.Signals | null]>((resolve) => child.on('close', (c, s) => resolve([c, s])));
  const wallMs = performance.now() - started;
  if (poll) clearInterval(poll);
  const result: RunResult = { code, signal, wallMs, peakRss: hwm, rssSource: hwm ? '/proc VmHWM' : 'none', cpuSeconds: null, stdout: out.end(), stderr: err.end() };
  if (timeFile) {
    try {
      const report = readFileSync(timeFile, 'utf8');
      const m = /Maximum resident set size \(kbytes\): (\d+)/.exec(report);
      if (m) {
        result.peakRss = Number(m[1]) * 1024;
        result.rssSource = '/usr/bin/time -v';
      }
      const user = /User time \(seconds\): ([\d.]+)/.exec(report);
      const sys = /System time \(seconds\): ([\d.]+)/.exec(report);
      if (user && sys) result.cpuSeconds = Number(user[1]) + Number(sys[1]);
      // GNU time's "Command exited with non-zero status N" is our child's code already.
    } catch {
      // no report (time itself failed): leave peakRss null
    } finally {
      rmSync(timeFile, { force: true });
    }
  }
  return result;
}
