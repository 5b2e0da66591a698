/**
 * A Prometheus histogram for the hot path, with three labels: one series per combination of label
 * values, found through a map per label rather than by building a key, and an observation that is a bucket
 * increment. prom-client's histogram, even through a child of `labels()`, allocates, validates
 * the labels and hashes them into a string on every observation (about half a microsecond, hot);
 * the gateway makes one per operation and one per Clumio call. Its exposition is the Prometheus
 * text format (version 0.0.4) that prom-client's registry writes, served after the registry's own.
 */
export class HistogramFamily {
  /** Upper bounds, ascending; +Inf is implied. */
  private readonly bounds: Float64Array;
  /** The series by their three label values, one map per label. */
  private readonly root = new Map<string, Map<string, Map<string, HistogramSeries>>>();
  private readonly all: HistogramSeries[] = [];

  constructor(
    readonly name: string,
    private readonly help: string,
    private readonly labelNames: readonly [string, string, string],
    buckets: readonly number[],
  ) {
    this.bounds = Float64Array.from(buckets);
    for (let i = 1; i < this.bounds.length; i++) {
      if (!(this.bounds[i]! > this.bounds[i - 1]!)) throw new Error(`histogram buckets must ascend: ${buckets.join(', ')}`);
    }
  }

  /** The series for these label values, in the order of the label names (made on first use). */
  series(a: string, b: string, c: string): HistogramSeries {
    let byB = this.root.get(a);
    if (byB === undefined) this.root.set(a, (byB = new Map<string, Map<string, HistogramSeries>>()));
    let byC = byB.get(b);
    if (byC === undefined) byB.set(b, (byC = new Map<string, HistogramSeries>()));
    let series = byC.get(c);
    if (series === undefined) {
      series = new HistogramSeries(this.bounds, labelPairs(this.labelNames, [a, b, c]));
      byC.set(c, series);
      this.all.push(series);
    }
    return series;
  }

  /** Every series in the text format: cumulative buckets (`le`), then sum and count. */
  exposition(): string {
    const { name } = this;
    let text = `# HELP ${name} ${escapeHelp(this.help)}\n# TYPE ${name} histogram\n`;
    for (const series of this.all) {
      let cumulative = 0;
      for (let i = 0; i <= this.bounds.length; i++) {
        cumulative += series.counts[i]!;
        const le = i < this.bounds.length ? String(this.bounds[i]) : '+Inf';
        text += `${name}_bucket{le="${le}",${series.labels}} ${cumulative}\n`;
      }
      text += `${name}_sum{${series.labels}} ${valueText(series.sum)}\n${name}_count{${series.labels}} ${series.count}\n`;
    }
    return text;
  }
}

/** One combination of label values. */
export class HistogramSeries {
  /** Observations per bucket (not cumulative); the last is above every bound. */
  readonly counts: Float64Array;
  sum = 0;
  count = 0;

  constructor(
    private readonly bounds: Float64Array,
    /** The label pairs as the exposition writes them. */
    readonly labels: string,
  ) {
    this.counts = new Float64Array(bounds.length + 1);
  }

  observe(value: number): void {
    // A value that is not finite is not counted (prom-client throws on one): a NaN would make the
    // sum NaN for good. A histogram of durations never sees one.
    if (!Number.isFinite(value)) return;
    const { bounds } = this;
    let i = 0;
    while (i < bounds.length && value > bounds[i]!) i++;
    this.counts[i] = this.counts[i]! + 1;
    this.sum += value;
    this.count++;
  }
}

/** A sample's value as the text format writes it (a sum of finite values overflows only to infinity). */
function valueText(value: number): string {
  if (value === Number.POSITIVE_INFINITY) return '+Inf';
  if (value === Number.NEGATIVE_INFINITY) return '-Inf';
  return String(value);
}

function labelPairs(names: readonly string[], values: readonly string[]): string {
  return names.map((name, i) => `${name}="${escapeLabelValue(values[i]!)}"`).join(',');
}

// The text format's escapes: in label values backslash, double quote and line feed; in help text
// backslash and line feed.
function escapeLabelValue(value: string): string {
  return value.replace(/[\\"\n]/g, (c) => (c === '\n' ? '\\n' : `\\${c}`));
}

function escapeHelp(help: string): string {
  return help.replace(/[\\\n]/g, (c) => (c === '\n' ? '\\n' : '\\\\'));
}
