/** Order statistics of a sample (nearest-rank percentiles). */
export interface Summary { n: number; median: number; p99: number; min: number; max: number; mean: number }

export function summarize(values: readonly number[], scale = 1): Summary {
  if (values.length === 0) return { n: 0, median: NaN, p99: NaN, min: NaN, max: NaN, mean: NaN };
  const s = [...values].sort((a, b) => a - b);
  const rank = (p: number): number => s[Math.min(s.length - 1, Math.max(0, Math.ceil(p * s.length) - 1))] / scale;
  const n = s.length;
  const median = n % 2 ? s[(n - 1) / 2] / scale : (s[n / 2 - 1] + s[n / 2]) / 2 / scale;
  return { n, median, p99: rank(0.99), min: s[0] / scale, max: s[n - 1] / scale, mean: s.reduce((a, b) => a + b, 0) / n / scale };
}
