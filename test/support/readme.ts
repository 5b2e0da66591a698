import { readFileSync } from 'node:fs';

/** The fenced ```lang blocks of one `## heading` section of README.md. */
export function readmeBlocks(section: string, lang: string): string[] {
  const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
  const start = readme.indexOf(`\n## ${section}\n`);
  if (start < 0) throw new Error(`README has no "## ${section}" section`);
  const next = readme.indexOf('\n## ', start + 1);
  const text = readme.slice(start, next < 0 ? undefined : next);
  return [...text.matchAll(new RegExp('```' + lang + '\\n([\\s\\S]*?)```', 'g'))].map((m) => m[1]!);
}

/** A block of several GraphQL operations split at blank lines, one operation each. */
export function operationsOf(block: string): string[] {
  return block
    .split(/\n\s*\n/)
    .map((part) => part.trim())
    .filter((part) => /^(query|mutation|subscription|\{)/m.test(part));
}
