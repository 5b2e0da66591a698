import { describe, expect, it } from 'vitest';
import { Histogram, Registry } from 'prom-client';
import { HistogramFamily } from '../src/observability/histogram.js';

const buckets = [0.005, 0.01, 0.025, 0.05, 0.1, 1, 30];
const help = 'Operations by name, type and outcome, with their duration.';
const labelNames = ['operation', 'type', 'outcome'] as const;

/** The family and prom-client's histogram of the same name, help, labels and buckets, in a registry of its own. */
function pair(name: string, helpText = help, bounds = buckets) {
  const registry = new Registry();
  const reference = new Histogram({ name, help: helpText, labelNames, buckets: bounds, registers: [registry] });
  return { family: new HistogramFamily(name, helpText, labelNames, bounds), registry, reference };
}

describe('the hot-path histogram', () => {
  // Values on the bounds (a bound is inclusive), between them, above the last, zero and negative,
  // sums that are not round in binary, and tiny values.
  const observations: Array<[string, string, string, number]> = [
    ['ReadWallet', 'query', 'ok', 0.005],
    ['ReadWallet', 'query', 'ok', 0.0051],
    ['ReadWallet', 'query', 'ok', 0.01],
    ['ReadWallet', 'query', 'ok', 0],
    ['ReadWallet', 'query', 'UPSTREAM_TIMEOUT', 37.5],
    ['ListWallets', 'query', 'ok', 0.03],
    ['ListWallets', 'query', 'ok', 1],
    ['ListWallets', 'query', 'ok', 0.1 + 0.2],
    ['ListWallets', 'query', 'ok', -0.001],
    ['RefreshOne', 'mutation', 'ok', 0.0000001],
    // Sums that overflow, either way.
    ['Huge', 'query', 'ok', Number.MAX_VALUE],
    ['Huge', 'query', 'ok', Number.MAX_VALUE],
    ['Huge', 'query', 'error', -Number.MAX_VALUE],
    ['Huge', 'query', 'error', -Number.MAX_VALUE],
  ];

  it('writes, byte for byte, what prom-client writes for the same observations', async () => {
    const { family, registry, reference } = pair('op_seconds');
    for (const [operation, type, outcome, value] of observations) {
      family.series(operation, type, outcome).observe(value);
      reference.observe({ operation, type, outcome }, value);
    }
    const ours = family.exposition();
    expect(ours).toBe(await registry.metrics());
    expect(ours).toContain('op_seconds_bucket{le="+Inf",operation="ReadWallet",type="query",outcome="UPSTREAM_TIMEOUT"} 1\n');
    expect(ours).toContain('op_seconds_bucket{le="0.005",operation="ReadWallet",type="query",outcome="ok"} 2\n');
    expect(ours).toContain('op_seconds_count{operation="ReadWallet",type="query",outcome="ok"} 4\n');
    expect(ours).toContain('op_seconds_sum{operation="Huge",type="query",outcome="ok"} +Inf\n');
    expect(ours).toContain('op_seconds_sum{operation="Huge",type="query",outcome="error"} -Inf\n');
  });

  it('writes a family without observations as prom-client does', async () => {
    const { family, registry } = pair('empty_seconds');
    expect(family.exposition()).toBe(await registry.metrics());
  });

  it('gives the same series for the same label values, and one per combination', () => {
    const { family } = pair('op_seconds');
    expect(family.series('A', 'query', 'ok')).toBe(family.series('A', 'query', 'ok'));
    expect(family.series('A', 'query', 'ok')).not.toBe(family.series('A', 'query', 'error'));
    expect(family.series('A', 'query', 'ok')).not.toBe(family.series('A', 'mutation', 'ok'));
    // Label values are not joined into a key: these combinations stay apart.
    expect(family.series('a b', 'c', 'd')).not.toBe(family.series('a', 'b c', 'd'));
    expect(family.exposition().match(/^op_seconds_count/gm)).toHaveLength(5);
  });

  it('escapes label values and help text as the text format requires, and ignores a value that is not finite', async () => {
    const awkwardHelp = 'Line one\nwith a \\ backslash';
    const { family, registry, reference } = pair('odd_seconds', awkwardHelp, [1]);
    const awkward = 'quote " backslash \\ newline \n end';
    family.series(awkward, 'query', 'ok').observe(0.5);
    reference.observe({ operation: awkward, type: 'query', outcome: 'ok' }, 0.5);
    family.series(awkward, 'query', 'ok').observe(Number.NaN);
    family.series(awkward, 'query', 'ok').observe(Number.POSITIVE_INFINITY);
    const ours = family.exposition();
    expect(ours).toBe(await registry.metrics());
    expect(ours).toContain('# HELP odd_seconds Line one\\nwith a \\\\ backslash\n');
    expect(ours).toContain('odd_seconds_count{operation="quote \\" backslash \\\\ newline \\n end",type="query",outcome="ok"} 1\n');
  });

  it('refuses buckets that do not ascend', () => {
    expect(() => new HistogramFamily('x', help, labelNames, [1, 1])).toThrow(/ascend/);
    expect(() => new HistogramFamily('x', help, labelNames, [2, 1])).toThrow(/ascend/);
  });
});
