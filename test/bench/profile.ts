import { readFileSync } from 'node:fs';

interface CallFrame {
  functionName: string;
  url: string;
  lineNumber: number;
}

interface CpuProfile {
  nodes: Array<{ id: number; callFrame: CallFrame }>;
  samples: number[];
  timeDeltas: number[];
}

export interface Frame {
  name: string;
  ms: number;
  percent: number;
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

/** Self time per function and per package, from a `node --cpu-prof` profile. */
export function summarizeProfile(file: string, top = 25): { frames: Frame[]; owners: Frame[]; totalMs: number } {
  const profile = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
  const byId = new Map(profile.nodes.map((node) => [node.id, node.callFrame]));
  const frames = new Map<string, number>();
  const owners = new Map<string, number>();
  let total = 0;
  profile.samples.forEach((id, i) => {
    const frame = byId.get(id);
    const us = profile.timeDeltas[i] ?? 0;
    if (!frame) return;
    total += us;
    const name = `${frame.functionName || '(anonymous)'} ${frame.url ? `${where(frame.url)}:${frame.lineNumber + 1}` : ''}`.trim();
    frames.set(name, (frames.get(name) ?? 0) + us);
    const pkg = owner(frame.url);
    owners.set(pkg, (owners.get(pkg) ?? 0) + us);
  });
  const rank = (map: Map<string, number>) =>
    [...map.entries()]
      .sort((a, b) => b[1] - a[1])
      .slice(0, top)
      .map(([name, us]) => ({ name, ms: us / 1000, percent: (100 * us) / total }));
  return { frames: rank(frames), owners: rank(owners), totalMs: total / 1000 };
}
