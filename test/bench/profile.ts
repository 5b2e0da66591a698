import { readFileSync } from 'node:fs';

interface CallFrame {
  functionName: string;
  url: string;
  lineNumber: number;
}

interface CpuProfile {
  nodes: Array<{ id: number; callFrame: CallFrame; children?: number[] }>;
  startTime: number;
  endTime: number;
  samples: number[];
  timeDeltas: number[];
}

export interface Frame {
  name: string;
  ms: number;
  percent: number;
  /** The most frequent chain of callers (nearest first), for frames whose name alone says little. */
  calledFrom?: string;
}

function where(url: string): string {
  const modules = url.lastIndexOf('/node_modules/');
  if (modules >= 0) return url.slice(modules + '/node_modules/'.length);
  const build = url.indexOf('/.build/');
  if (build >= 0) return url.slice(build + '/.build/'.length);
  return url.replace(/^file:\/\//, '');
}

// A package, or the gateway's own folder, that a frame belongs to.
function owner(url: string): string {
  if (url === '') return '(native, GC, idle)';
  if (url.startsWith('node:')) return 'node core';
  const path = where(url);
  if (path === url.replace(/^file:\/\//, '')) return path;
  const parts = path.split('/');
  if (parts[0] === 'src') return `gateway ${parts.slice(0, 2).join('/')}`;
  return parts[0]!.startsWith('@') ? `${parts[0]}/${parts[1]}` : parts[0]!;
}

function label(frame: CallFrame): string {
  return `${frame.functionName || '(anonymous)'} ${frame.url ? `${where(frame.url)}:${frame.lineNumber + 1}` : ''}`.trim();
}

/**
 * Self time per function and per package from a `node --cpu-prof` profile, counting only the
 * last `windowMs` before the profile ended (the load, not the start-up), each with its usual callers.
 */
export function summarizeProfile(file: string, windowMs: number, top = 25): { frames: Frame[]; owners: Frame[]; totalMs: number } {
  const profile = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const parent = new Map<number, number>();
  for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id);
  const callers = (id: number): string => {
    const chain: string[] = [];
    for (let p = parent.get(id); p !== undefined && chain.length < 3; p = parent.get(p)) {
      const frame = byId.get(p)!.callFrame;
      if (frame.functionName === '(root)') break;
      chain.push(label(frame));
    }
    return chain.join(' < ');
  };
  const frames = new Map<string, { us: number; from: Map<string, number> }>();
  const owners = new Map<string, number>();
  const from = profile.endTime - windowMs * 1000;
  let total = 0;
  let at = profile.startTime;
  profile.samples.forEach((id, i) => {
    const us = profile.timeDeltas[i] ?? 0;
    at += us;
    const node = byId.get(id);
    if (!node || at < from) return;
    total += us;
    const name = label(node.callFrame);
    const entry = frames.get(name) ?? { us: 0, from: new Map<string, number>() };
    entry.us += us;
    const chain = callers(id);
    entry.from.set(chain, (entry.from.get(chain) ?? 0) + us);
    frames.set(name, entry);
    const pkg = owner(node.callFrame.url);
    owners.set(pkg, (owners.get(pkg) ?? 0) + us);
  });
  const percent = (us: number) => (100 * us) / total;
  const frameList = [...frames.entries()]
    .sort((a, b) => b[1].us - a[1].us)
    .slice(0, top)
    .map(([name, { us, from: chains }]) => ({
      name,
      ms: us / 1000,
      percent: percent(us),
      calledFrom: [...chains.entries()].sort((a, b) => b[1] - a[1])[0]?.[0] ?? '',
    }));
  const ownerList = [...owners.entries()]
    .sort((a, b) => b[1] - a[1])
    .slice(0, top)
    .map(([name, us]) => ({ name, ms: us / 1000, percent: percent(us) }));
  return { frames: frameList, owners: ownerList, totalMs: total / 1000 };
}
