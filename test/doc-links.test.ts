import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { brokenLinks, headingAnchors, linkTargets, readDoc, repositoryRoot } from './support/markdown.js';

const docs = ['README.md', ...readdirSync(join(repositoryRoot, 'docs')).filter((name) => name.endsWith('.md')).map((name) => `docs/${name}`)];

describe('links between README.md and docs/', () => {
  it.each(docs)('every relative link and anchor in %s leads to an existing file and heading', (path) => {
    expect(brokenLinks(path)).toEqual([]);
  });

  it('README.md links to every file in docs/', () => {
    const linked = new Set(linkTargets(readDoc('README.md')).map((target) => target.split('#')[0]));
    expect(docs.filter((path) => path !== 'README.md' && !linked.has(path))).toEqual([]);
  });

  it('reports a missing file, a missing heading and an anchor into a file that is not Markdown, and leaves code and other sites alone', () => {
    const markdown = [
      '# Guide',
      '## Running many',
      '[ok](#running-many) [ok](../README.md#errors) [ok](frontends.md) [ok](https://example.com/x.md#y)',
      '[gone](missing.md) [no heading](frontends.md#no-such-heading) [not markdown](../package.json#x) [outside](../../etc/passwd)',
      '`[in a code span](missing-too.md)`',
      '```md',
      '[in a code block](missing-as-well.md)',
      '```',
    ].join('\n');
    expect(brokenLinks('docs/guide.md', markdown)).toEqual([
      'missing.md: no file docs/missing.md',
      'frontends.md#no-such-heading: docs/frontends.md has no heading #no-such-heading',
      '../package.json#x: an anchor into package.json, which is not Markdown',
      '../../etc/passwd: no file ../etc/passwd',
    ]);
  });

  it('names headings as GitHub does: punctuation dropped, code marks and links unwrapped, repeats numbered', () => {
    const markdown = [
      "## Generating the same documents in a frontend's own repository",
      '### `walletChanged` and [Redis](https://redis.io): across replicas',
      '## Notes',
      '## Notes',
      '```sh',
      '# not a heading',
      '```',
    ].join('\n');
    expect([...headingAnchors(markdown)]).toEqual([
      'generating-the-same-documents-in-a-frontends-own-repository',
      'walletchanged-and-redis-across-replicas',
      'notes',
      'notes-1',
    ]);
  });
});
