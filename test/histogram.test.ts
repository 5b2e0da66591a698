import { describe, expect, it } from 'vitest';
import { Histogram, Registry } from 'prom-client';
import { HistogramFamily } from '../src/observability/histogram.js';

const buckets = [0.005, 0.01, 0.025, 0.05, 0.1, 1];
const help = 'Operations by name and outcome, with their duration.';

/** The sample lines of an exposition, each with its labels sorted, so that label order does not matter. */
function samples(text: string): string[] {
  return text
    .split('\n')
    .filter((line) => line !== '' && !line.startsWith('#'))
    .map((line) => {
      const match = /^(\w+)\{(.*)\} (\S+)$/.exec(line);
      if (!match) throw new Error(`unparsable sample: ${line}`);
      const pairs = match[2]!.match(/\w+="(?:[^"\\]|\\.)*"/g) ?? [];
      return `${match[1]}{${[...pairs].sort().join(',')}} ${Number(match[3])}`;
    })
    .sort();
}

describe('the hot-path histogram', () => {
  // Values on the bounds (a bound is inclusive), between them, above the last, zero and negative.
  const observations: Array<[string, string, number]> = [
    ['ReadWallet', 'ok', 0.005],
    ['ReadWallet', 'ok', 0.0051],
    ['ReadWallet', 'ok', 0.01],
    ['ReadWallet', 'ok', 0],
    ['ReadWallet', 'UPSTREAM_TIMEOUT', 7.5],
    ['ListWallets', 'ok', 0.03],
    ['ListWallets', 'ok', 1],
    ['ListWallets', 'ok', -0.001],
  ];

  it('writes what prom-client writes for the same observations', async () => {
    const family = new HistogramFamily('op_seconds', help, ['operation', 'outcome'], buckets);
    const registry = new Registry();
    const reference = new Histogram({ name: 'op_seconds', help, labelNames: ['operation', 'outcome'], buckets, registers: [registry] });
    for (const [operation, outcome, value] of observations) {
      family.series(operation, outcome).observe(value);
      reference.observe({ operation, outcome }, value);
    }
    const ours = family.exposition();
    const theirs = await registry.metrics();
    expect(samples(ours)).toEqual(samples(theirs));
    // The same header lines, in the same order.
    expect(ours.split('\n').filter((line) => line.startsWith('#'))).toEqual(theirs.split('\n').filter((line) => line.startsWith('#')));
    expect(ours).toContain('op_seconds_bucket{le="+Inf",operation="ReadWallet",outcome="UPSTREAM_TIMEOUT"} 1\n');
    expect(ours).toContain('op_seconds_bucket{le="0.005",operation="ReadWallet",outcome="ok"} 2\n');
    expect(ours).toContain('op_seconds_count{operation="ReadWallet",outcome="ok"} 4\n');
  });

  it('gives the same series for the same label values, and one per combination', () => {
    const family = new HistogramFamily('op_seconds', help, ['operation', 'outcome'], buckets);
    expect(family.series('A', 'ok')).toBe(family.series('A', 'ok'));
    expect(family.series('A', 'ok')).not.toBe(family.series('A', 'error'));
    // Label values are not joined into a key: these two combinations stay apart.
    expect(family.series('a b', 'c')).not.toBe(family.series('a', 'b c'));
    expect(samples(family.exposition()).filter((line) => line.includes('_count'))).toHaveLength(4);
  });

  it('escapes label values and help text as the text format requires, and ignores a value that is not a number', async () => {
    const awkwardHelp = 'Line one\nwith a \\ backslash';
    const family = new HistogramFamily('odd_seconds', awkwardHelp, ['name'], [1]);
    const registry = new Registry();
    const reference = new Histogram({ name: 'odd_seconds', help: awkwardHelp, labelNames: ['name'], buckets: [1], registers: [registry] });
    const awkward = 'quote " backslash \\ newline \n end';
    family.series(awkward).observe(0.5);
    reference.observe({ name: awkward }, 0.5);
    family.series(awkward).observe(Number.NaN);
    family.series(awkward).observe(Number.POSITIVE_INFINITY);
    const ours = family.exposition();
    expect(samples(ours)).toEqual(samples(await registry.metrics()));
    expect(ours).toContain('# HELP odd_seconds Line one\\nwith a \\\\ backslash\n');
    expect(ours).toContain('odd_seconds_count{name="quote \\" backslash \\\\ newline \\n end"} 1\n');
  });

  it('refuses buckets that do not ascend and a family without labels', () => {
    expect(() => new HistogramFamily('x', help, ['a'], [1, 1])).toThrow(/ascend/);
    expect(() => new HistogramFamily('x', help, ['a'], [2, 1])).toThrow(/ascend/);
    expect(() => new HistogramFamily('x', help, [], [1])).toThrow(/label/);
  });
});
