/**
 * Summarise a V8 `.cpuprofile` (from `node --cpu-prof`) to the functions with the most self time.
 */
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number; columnNumber: number };
  children?: number[];
}
interface CpuProfile { nodes: ProfileNode[]; samples: number[]; timeDeltas: number[] }

export interface SelfTimeRow { fn: string; where: string; selfMs: number; share: number }

/** Top functions by self time over one or more profiles (merged by function name and location). */
export function topSelfTime(files: string[], top = 15): { totalMs: number; rows: SelfTimeRow[] } {
  const byKey = new Map<string, { fn: string; where: string; us: number }>();
  let totalUs = 0;
  for (const file of files) {
    const p = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
    const nodes = new Map(p.nodes.map((n) => [n.id, n]));
    for (let i = 0; i < p.samples.length; i++) {
      // timeDeltas[i] is the time before sample i; attribute the next delta to this sample.
      const dt = p.timeDeltas[i + 1] ?? 0;
      const node = nodes.get(p.samples[i]);
      if (!node) continue;
      const cf = node.callFrame;
      const fn = cf.functionName || '(anonymous)';
      const where = cf.url ? `${basename(cf.url)}:${cf.lineNumber + 1}:${cf.columnNumber + 1}` : '';
      const key = `${fn}@${where}`;
      const row = byKey.get(key) ?? { fn, where, us: 0 };
      row.us += dt;
      byKey.set(key, row);
      totalUs += dt;
    }
  }
  const rows = [...byKey.values()]
    .filter((r) => r.fn !== '(idle)')
    .sort((a, b) => b.us - a.us)
    .slice(0, top)
    .map((r) => ({ fn: r.fn, where: r.where, selfMs: r.us / 1000, share: totalUs ? r.us / totalUs : 0 }));
  return { totalMs: totalUs / 1000, rows };
}
