import { readFileSync } from 'node:fs';

/** One `COPY` of a Dockerfile: sources from the build context, or from an earlier stage. */
export interface DockerCopy {
  from?: string;
  sources: string[];
  dest: string;
}

/** What a stage of a Dockerfile does, in the terms the container test replays. */
export interface DockerStage {
  name: string;
  image: string;
  workdir: string;
  env: Record<string, string>;
  copies: DockerCopy[];
  runs: string[];
  user?: string;
  expose: string[];
  /** Exec form only: the test runs it as given. */
  cmd?: string[];
  healthcheck?: { options: Record<string, string>; cmd: string[] };
}

/** Instructions of a Dockerfile, continuation lines joined, comments dropped. */
function instructions(text: string): Array<{ keyword: string; args: string }> {
  const joined = text
    .split('\n')
    .filter((line) => !/^\s*#/.test(line))
    .join('\n')
    .replace(/\\\n/g, ' ');
  return joined
    .split('\n')
    .map((line) => line.trim())
    .filter(Boolean)
    .map((line) => {
      const match = /^(\S+)\s+(.*)$/.exec(line);
      if (!match) throw new Error(`Unreadable Dockerfile line: ${line}`);
      return { keyword: match[1]!.toUpperCase(), args: match[2]!.trim() };
    });
}

/** Flags (`--from=build`) at the front of an instruction's arguments, and the rest. */
function flags(args: string): { flags: Record<string, string>; rest: string } {
  const found: Record<string, string> = {};
  let rest = args;
  for (let match = /^--([a-z-]+)=(\S+)\s+/.exec(rest); match; match = /^--([a-z-]+)=(\S+)\s+/.exec(rest)) {
    found[match[1]!] = match[2]!;
    rest = rest.slice(match[0].length);
  }
  return { flags: found, rest };
}

function execForm(args: string, what: string): string[] {
  const parsed: unknown = JSON.parse(args);
  if (!Array.isArray(parsed) || !parsed.every((part) => typeof part === 'string')) throw new Error(`${what} must be in exec form`);
  return parsed as string[];
}

/** Reads a Dockerfile into its stages, in order. */
export function parseDockerfile(path: string): DockerStage[] {
  const stages: DockerStage[] = [];
  for (const { keyword, args } of instructions(readFileSync(path, 'utf8'))) {
    if (keyword === 'FROM') {
      const [image, as, name] = args.split(/\s+/);
      stages.push({ name: as?.toUpperCase() === 'AS' && name ? name : String(stages.length), image: image!, workdir: '/', env: {}, copies: [], runs: [], expose: [] });
      continue;
    }
    const stage = stages.at(-1);
    if (!stage) {
      if (keyword === 'ARG') continue;
      throw new Error(`${keyword} before FROM`);
    }
    switch (keyword) {
      case 'WORKDIR':
        stage.workdir = args.startsWith('/') ? args : `${stage.workdir.replace(/\/$/, '')}/${args}`;
        break;
      case 'ENV':
        for (const match of args.matchAll(/(\w+)=("[^"]*"|\S+)/g)) stage.env[match[1]!] = match[2]!.replace(/^"|"$/g, '');
        break;
      case 'COPY': {
        const { flags: found, rest } = flags(args);
        const parts = rest.startsWith('[') ? execForm(rest, 'COPY') : rest.split(/\s+/);
        stage.copies.push({ ...(found.from ? { from: found.from } : {}), sources: parts.slice(0, -1), dest: parts.at(-1)! });
        break;
      }
      case 'RUN':
        stage.runs.push(args);
        break;
      case 'USER':
        stage.user = args;
        break;
      case 'EXPOSE':
        stage.expose.push(...args.split(/\s+/));
        break;
      case 'CMD':
        stage.cmd = execForm(args, 'CMD');
        break;
      case 'HEALTHCHECK': {
        const { flags: options, rest } = flags(args);
        if (!rest.startsWith('CMD ')) throw new Error('HEALTHCHECK must run a CMD');
        stage.healthcheck = { options, cmd: execForm(rest.slice(4).trim(), 'HEALTHCHECK CMD') };
        break;
      }
      default:
        break;
    }
  }
  return stages;
}
