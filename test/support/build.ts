import { spawnSync } from 'node:child_process';
import { existsSync, rmSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { root } from './gateway-process.js';

/**
 * Compiles the gateway as `npm run build` does (with `tsconfig`, by default the build's own, which
 * may add more sources, as the bench adds its peers) into `dir`, laid out as the repository is:
 * `dir/src/main.js`, with the package.json and schema/ it reads beside it. Returns the entry point.
 */
export function buildGateway(dir: string, tsconfig = join(root, 'src', 'tsconfig.build.json')): { entry: string; warnings: string } {
  rmSync(dir, { recursive: true, force: true });
  const tsc = spawnSync(process.execPath, [join(root, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', tsconfig, '--rootDir', root, '--outDir', dir], {
    cwd: root,
    encoding: 'utf8',
  });
  const entry = join(dir, 'src', 'main.js');
  if (!existsSync(entry)) throw new Error(`the build failed:\n${tsc.stdout}${tsc.stderr}`);
  // The gateway reads ../package.json and ../../schema/ relative to its compiled files.
  symlinkSync(join(root, 'package.json'), join(dir, 'package.json'));
  symlinkSync(join(root, 'schema'), join(dir, 'schema'));
  return { entry, warnings: tsc.status === 0 ? '' : tsc.stdout };
}
