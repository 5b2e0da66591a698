import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, normalize } from 'node:path';

// Reading the project's Markdown (README.md, docs/*.md) the way GitHub renders it, for the tests
// that run what the documentation shows and for the link check.

/** The repository's root directory. */
export const repositoryRoot = normalize(new URL('../../', import.meta.url).pathname);

/** A Markdown file of the repository, by its path from the root (`docs/operating.md`). */
export function readDoc(path: string): string {
  return readFileSync(join(repositoryRoot, path), 'utf8');
}

interface Line {
  text: string;
  /** Inside a fenced code block (its fences included): never a heading or a link. */
  code: boolean;
}

/** The lines of a Markdown text, each marked whether it belongs to a fenced code block. */
function linesOf(markdown: string): Line[] {
  let fence: string | undefined;
  return markdown.split('\n').map((text) => {
    const marker = /^ {0,3}(`{3,}|~{3,})/.exec(text)?.[1];
    if (fence !== undefined) {
      if (marker !== undefined && marker[0] === fence[0] && marker.length >= fence.length && text.trim() === marker) fence = undefined;
      return { text, code: true };
    }
    if (marker !== undefined) fence = marker;
    return { text, code: marker !== undefined };
  });
}

/** The level of an ATX heading line (`## x` is 2), or 0 for any other line. */
function headingLevel(line: Line): number {
  return line.code ? 0 : (/^(#{1,6})\s/.exec(line.text)?.[1]?.length ?? 0);
}

/** One section of a Markdown file: from its heading line (`## Running many`) to the next heading of the same or a higher level. */
export function docSection(path: string, heading: string): string {
  const lines = linesOf(readDoc(path));
  const start = lines.findIndex((line) => !line.code && line.text.trimEnd() === heading);
  if (start < 0) throw new Error(`${path} has no "${heading}" section`);
  const level = headingLevel(lines[start]!);
  const end = lines.findIndex((line, i) => i > start && headingLevel(line) > 0 && headingLevel(line) <= level);
  return lines
    .slice(start, end < 0 ? undefined : end)
    .map((line) => line.text)
    .join('\n');
}

/** The contents of the fenced ```lang blocks of a Markdown text. */
export function fencedBlocks(markdown: string, lang: string): string[] {
  return [...markdown.matchAll(new RegExp('^```' + lang + '\\n([\\s\\S]*?)^```', 'gm'))].map((m) => m[1]!);
}

/** A block of several GraphQL operations split at blank lines, one operation each. */
export function operationsOf(block: string): string[] {
  return block
    .split(/\n\s*\n/)
    .map((part) => part.trim())
    .filter((part) => /^(query|mutation|subscription|\{)/m.test(part));
}

/** The anchors GitHub gives a Markdown file's headings: lower case, punctuation dropped, spaces as hyphens, `-1`, `-2` on repeats. */
export function headingAnchors(markdown: string): Set<string> {
  const seen = new Map<string, number>();
  const anchors = new Set<string>();
  for (const line of linesOf(markdown)) {
    if (headingLevel(line) === 0) continue;
    const text = line.text
      .replace(/^#+\s+/, '')
      .replace(/\s+#+\s*$/, '')
      .replace(/\[([^\]]*)\]\([^)]*\)/g, '$1')
      .replace(/[`*]/g, '');
    const slug = text
      .trim()
      .toLowerCase()
      .replace(/[^\p{L}\p{M}\p{N}\p{Pc} -]/gu, '')
      .replace(/ /g, '-');
    const repeats = seen.get(slug) ?? 0;
    seen.set(slug, repeats + 1);
    anchors.add(repeats === 0 ? slug : `${slug}-${repeats}`);
  }
  return anchors;
}

/** The inline link targets of a Markdown text (`[text](target)`), outside code blocks and code spans. */
export function linkTargets(markdown: string): string[] {
  return linesOf(markdown)
    .filter((line) => !line.code)
    .map((line) => line.text.replace(/(`+)[^`]*?\1/g, ''))
    .flatMap((text) => [...text.matchAll(/\]\(\s*<?([^()\s>]+)>?(?:\s+"[^"]*")?\s*\)/g)].map((m) => m[1]!));
}

/** Each relative link of a Markdown file (its path from the repository root) whose file or heading does not exist, with why. */
export function brokenLinks(path: string, markdown: string = readDoc(path)): string[] {
  const broken: string[] = [];
  // Each file read and its headings listed once, however many links point into it.
  const anchorsOf = new Map<string, Set<string>>();
  for (const target of linkTargets(markdown)) {
    if (/^[a-z][a-z0-9+.-]*:/i.test(target)) continue; // https:, mailto:: not a file of this repository
    const hash = target.indexOf('#');
    const file = hash < 0 ? target : target.slice(0, hash);
    const anchor = hash < 0 ? undefined : decodeURIComponent(target.slice(hash + 1));
    const resolved = file === '' ? path : normalize(join(dirname(path), decodeURIComponent(file)));
    if (file !== '' && (resolved.startsWith('..') || !existsSync(join(repositoryRoot, resolved)))) {
      broken.push(`${target}: no file ${resolved}`);
      continue;
    }
    if (anchor === undefined) continue;
    if (!resolved.endsWith('.md')) {
      broken.push(`${target}: an anchor into ${resolved}, which is not Markdown`);
      continue;
    }
    let anchors = anchorsOf.get(resolved);
    if (anchors === undefined) anchorsOf.set(resolved, (anchors = headingAnchors(resolved === path ? markdown : readDoc(resolved))));
    if (!anchors.has(anchor)) broken.push(`${target}: ${resolved} has no heading #${anchor}`);
  }
  return broken;
}
