// Counters, histograms and gauges kept as plain numbers and rendered in the Prometheus
// text exposition format (0.0.4). Why not prom-client's: its labelled inc()/observe()
// hash and validate the labels on every call, a measurable cost per review on the
// webhook's hot path. Here a series is looked up once; then it is a number to add to.

/** The Content-Type of the text exposition format. */
export const PROMETHEUS_CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';

/** One counter series: add to it. */
export interface CounterSeries {
  inc(by?: number): void;
}

/** One histogram series: record an observation. */
export interface HistogramSeries {
  observe(value: number): void;
}

/** A metric family with labels; `series(values)` gives the series of those label values (in `labelNames` order). */
export interface Family<S> {
  series(...values: string[]): S;
  /** The family's exposition text (HELP, TYPE and one line per sample). */
  render(): string;
}

interface Definition {
  name: string;
  help: string;
  labelNames: readonly string[];
}

/** A monotonically increasing counter family. */
export function counter(def: Definition): Family<CounterSeries> {
  const all = seriesTable(def, (labels) => {
    const s = {
      labels,
      value: 0,
      inc(by = 1) {
        if (!(by >= 0)) throw new RangeError(`${def.name}: a counter only goes up, got ${by}`);
        s.value += by;
      },
    };
    return s;
  });
  return {
    series: all.get,
    render: () => header(def, 'counter') + all.list().map((s) => `${def.name}${braces(s.labels)} ${formatValue(s.value)}\n`).join(''),
  };
}

/** A histogram family with fixed upper bounds (`+Inf` is implied). */
export function histogram(def: Definition & { buckets: readonly number[] }): Family<HistogramSeries> {
  const bounds = [...def.buckets].sort((a, b) => a - b);
  const all = seriesTable(def, (labels) => {
    const s = {
      labels,
      // Per bucket, not cumulative: made cumulative when rendered.
      counts: bounds.map(() => 0),
      sum: 0,
      count: 0,
      observe(value: number) {
        for (let i = 0; i < bounds.length; i++) {
          if (value <= bounds[i]!) {
            s.counts[i]! += 1;
            break;
          }
        }
        s.sum += value;
        s.count += 1;
      },
    };
    return s;
  });
  const sample = (labels: string, suffix: string, value: number, le?: string) => {
    const withLe = le === undefined ? labels : labels ? `${labels},le="${le}"` : `le="${le}"`;
    return `${def.name}${suffix}${braces(withLe)} ${formatValue(value)}\n`;
  };
  return {
    series: all.get,
    render() {
      let text = header(def, 'histogram');
      for (const s of all.list()) {
        let cumulative = 0;
        bounds.forEach((bound, i) => {
          cumulative += s.counts[i]!;
          text += sample(s.labels, '_bucket', cumulative, formatValue(bound));
        });
        text += sample(s.labels, '_bucket', s.count, '+Inf') + sample(s.labels, '_sum', s.sum) + sample(s.labels, '_count', s.count);
      }
      return text;
    },
  };
}

/** A family's series by label values, each made once by `make` from its rendered label text. */
function seriesTable<S>(def: Definition, make: (labels: string) => S): { get: (...labelValues: string[]) => S; list: () => S[] } {
  const all = new Map<string, S>();
  return {
    get(...labelValues) {
      const key = seriesKey(def, labelValues);
      let series = all.get(key);
      if (series === undefined) {
        series = make(labelText(def.labelNames, labelValues));
        all.set(key, series);
      }
      return series;
    },
    list: () => [...all.values()],
  };
}

/** A gauge without labels whose value is read when rendered; no sample while `read` gives undefined. */
export function gauge(def: Omit<Definition, 'labelNames'> & { read: () => number | undefined }): { render(): string } {
  return {
    render() {
      const value = def.read();
      return header({ ...def, labelNames: [] }, 'gauge') + (value === undefined ? '' : `${def.name} ${formatValue(value)}\n`);
    },
  };
}

function seriesKey(def: Definition, labelValues: readonly string[]): string {
  if (labelValues.length !== def.labelNames.length) {
    throw new RangeError(`${def.name}: expected ${def.labelNames.length} label values (${def.labelNames.join(', ')}), got ${labelValues.length}`);
  }
  // NUL cannot be confused with a character of a label value joined next to it.
  return labelValues.join('\u0000');
}

function labelText(names: readonly string[], values: readonly string[]): string {
  return names.map((name, i) => `${name}="${escapeLabelValue(values[i]!)}"`).join(',');
}

function braces(labels: string): string {
  return labels ? `{${labels}}` : '';
}

function header(def: Definition, type: string): string {
  return `# HELP ${def.name} ${def.help.replace(/\\/g, '\\\\').replace(/\n/g, '\\n')}\n# TYPE ${def.name} ${type}\n`;
}

/** Label values escape backslash, double quote and line feed (the format's rule). */
export function escapeLabelValue(value: string): string {
  return value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
}

/** A sample value as the format spells it: `+Inf`, `-Inf`, `NaN`, or the number. */
export function formatValue(value: number): string {
  if (value === Infinity) return '+Inf';
  if (value === -Infinity) return '-Inf';
  return Number.isNaN(value) ? 'NaN' : String(value);
}
