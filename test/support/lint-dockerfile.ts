// Lints a Dockerfile (the repository's unless a path is given): dockerfile-utils' validator with
// every optional check raised to an error, then a few of hadolint's rules that it does not have,
// on dockerfile-ast's parse. Prints one line per problem and exits 1 if there is any.
// Usage: npm run lint:dockerfile [-- path/to/Dockerfile]
import { readFileSync } from 'node:fs';
import { Cmd, DockerfileParser, Entrypoint, type Instruction } from 'dockerfile-ast';
import { validate, ValidationCode, ValidationSeverity, type ValidatorSettings } from 'dockerfile-utils';
import { lineOf } from './dockerfile.js';

interface Problem {
  line: number;
  message: string;
}

const strict: Required<ValidatorSettings> = {
  deprecatedMaintainer: ValidationSeverity.ERROR,
  directiveCasing: ValidationSeverity.ERROR,
  emptyContinuationLine: ValidationSeverity.ERROR,
  instructionCasing: ValidationSeverity.ERROR,
  instructionCmdMultiple: ValidationSeverity.ERROR,
  instructionEntrypointMultiple: ValidationSeverity.ERROR,
  instructionHealthcheckMultiple: ValidationSeverity.ERROR,
  instructionJSONInSingleQuotes: ValidationSeverity.ERROR,
  instructionWorkdirRelative: ValidationSeverity.ERROR,
};

/** hadolint's DL3006, DL3007, DL3020, DL3025 and DL3002, in its words. */
function houseRules(text: string): Problem[] {
  const dockerfile = DockerfileParser.parse(text);
  const problems: Problem[] = [];
  const stageNames = new Set<string>();
  for (const from of dockerfile.getFROMs()) {
    const image = from.getImageName();
    if (image && image !== 'scratch' && !stageNames.has(image)) {
      if (!from.getImageTag() && !from.getImageDigest()) problems.push({ line: lineOf(from), message: `Always tag the version of an image explicitly (${image}) [DL3006]` });
      if (from.getImageTag() === 'latest') problems.push({ line: lineOf(from), message: 'Using latest is prone to errors if the image will ever update [DL3007]' });
    }
    const stage = from.getBuildStage();
    if (stage) stageNames.add(stage);
  }
  for (const instruction of dockerfile.getInstructions()) {
    if (instruction.getKeyword() === 'ADD') problems.push({ line: lineOf(instruction), message: 'Use COPY instead of ADD for files and folders [DL3020]' });
    if ((instruction instanceof Cmd || instruction instanceof Entrypoint) && instruction.getJSONStrings().length === 0) {
      problems.push({ line: lineOf(instruction), message: `Use arguments JSON notation for ${instruction.getKeyword()} [DL3025]` });
    }
  }
  // The final stage is what runs: its last USER must name someone other than root. (hadolint
  // flags only an explicit root; an image that never says USER runs as root too.)
  let user: Instruction | undefined;
  for (const instruction of dockerfile.getInstructions()) {
    if (instruction.getKeyword() === 'FROM' || instruction.getKeyword() === 'USER') user = instruction;
  }
  if (user && (user.getKeyword() === 'FROM' || /^(root|0)(:|$)/.test(user.getArgumentsContent() ?? ''))) {
    problems.push({ line: lineOf(user), message: 'The final stage must run as a USER other than root [DL3002]' });
  }
  return problems;
}

function lintDockerfile(text: string): Problem[] {
  const validated = validate(text, strict).map((d) => ({
    line: d.range.start.line + 1,
    message: `${typeof d.message === 'string' ? d.message : d.message.value} [${typeof d.code === 'number' ? ValidationCode[d.code] : 'dockerfile-utils'}]`,
  }));
  return [...validated, ...houseRules(text)].sort((a, b) => a.line - b.line);
}

const name = process.argv[2] ?? 'Dockerfile';
const problems = lintDockerfile(readFileSync(process.argv[2] ?? new URL('../../Dockerfile', import.meta.url), 'utf8'));
for (const problem of problems) console.error(`${name}:${problem.line}: ${problem.message}`);
console.log(problems.length === 0 ? `${name}: no problems` : `${name}: ${problems.length} problem(s)`);
process.exitCode = problems.length === 0 ? 0 : 1;
