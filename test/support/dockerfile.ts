import { readFileSync } from 'node:fs';
import { Cmd, Copy, DockerfileParser, Env, Healthcheck, Workdir, type Instruction } from 'dockerfile-ast';

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

/** The 1-based line an instruction starts on. */
export function lineOf(instruction: Instruction): number {
  return instruction.getRange().start.line + 1;
}

/** An instruction's place, for the error that says the test cannot replay it. */
function at(instruction: Instruction): string {
  return `${instruction.getKeyword()} on line ${lineOf(instruction)}`;
}

/** The exec form's arguments (a JSON array of strings); the shell form cannot be run as given. */
function execForm(json: string, instruction: Instruction): string[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(json);
  } catch {
    parsed = undefined;
  }
  if (!Array.isArray(parsed) || !parsed.every((part) => typeof part === 'string')) throw new Error(`${at(instruction)} must be in exec form`);
  return parsed;
}

/** Reads a Dockerfile into its stages, in order; dockerfile-ast does the parsing. */
export function parseDockerfile(path: string): DockerStage[] {
  const dockerfile = DockerfileParser.parse(readFileSync(path, 'utf8'));
  const stages: DockerStage[] = dockerfile.getFROMs().map((from, i) => ({
    name: from.getBuildStage() ?? String(i),
    image: from.getImage() ?? '',
    workdir: '/',
    env: {},
    copies: [],
    runs: [],
    expose: [],
  }));
  let stage: DockerStage | undefined;
  let index = -1;
  for (const instruction of dockerfile.getInstructions()) {
    const keyword = instruction.getKeyword();
    const args = instruction.getArgumentsContent() ?? '';
    if (keyword === 'FROM') {
      stage = stages[++index];
      continue;
    }
    if (!stage) {
      if (keyword === 'ARG') continue;
      throw new Error(`${at(instruction)} comes before FROM`);
    }
    if (instruction instanceof Workdir) {
      stage.workdir = instruction.getAbsolutePath() ?? stage.workdir;
    } else if (instruction instanceof Env) {
      for (const property of instruction.getProperties()) stage.env[property.getName()] = property.getValue() ?? '';
    } else if (instruction instanceof Copy) {
      const json = instruction.getJSONStrings().map((s) => s.getJSONValue());
      const parts = json.length > 0 ? json : instruction.getArguments().map((a) => a.getValue());
      const from = instruction.getFromFlag()?.getValue();
      stage.copies.push({ ...(from ? { from } : {}), sources: parts.slice(0, -1), dest: parts.at(-1)! });
    } else if (instruction instanceof Cmd) {
      stage.cmd = execForm(args, instruction);
    } else if (instruction instanceof Healthcheck) {
      if (instruction.getSubcommand()?.getValue().toUpperCase() !== 'CMD') throw new Error(`${at(instruction)} must run a CMD`);
      const options = Object.fromEntries(instruction.getFlags().map((flag) => [flag.getName(), flag.getValue() ?? '']));
      stage.healthcheck = { options, cmd: execForm(args.replace(/^CMD\s+/i, ''), instruction) };
    } else if (keyword === 'RUN') {
      stage.runs.push(args);
    } else if (keyword === 'USER') {
      stage.user = args;
    } else if (keyword === 'EXPOSE') {
      stage.expose.push(...instruction.getArguments().map((a) => a.getValue()));
    }
  }
  return stages;
}

/** How the image runs the gateway: its runtime stage's environment, and the node flags its CMD gives. */
export interface ImageRuntime {
  env: Record<string, string>;
  nodeArgs: string[];
}

/** The repository's Dockerfile, read for how its image runs the gateway (tests and the bench run it alike). */
export function imageRuntime(): ImageRuntime {
  const runtime = parseDockerfile(new URL('../../Dockerfile', import.meta.url).pathname).at(-1)!;
  const cmd = runtime.cmd ?? [];
  // ["node", ...flags, "dist/main.js"]
  return { env: runtime.env, nodeArgs: cmd[0] === 'node' ? cmd.slice(1, -1) : [] };
}
