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

export interface ProfileSummary {
  /** Sampled time of the whole process. */
  totalMs: number;
  /** Sampled time whose stack runs through `within` (all of it when no filter). */
  withinMs: number;
  /** Garbage collection (not attributable to a stack). */
  gcMs: number;
  /** Top functions by self time among the samples counted; share is of withinMs. */
  rows: SelfTimeRow[];
}

/**
 * Top functions by self time over one or more profiles (merged by function name and location).
 * @param within count only samples with a frame whose script URL ends with this (e.g. the handler's index.js)
 */
export function topSelfTime(files: string[], top = 15, within?: string): ProfileSummary {
  const byKey = new Map<string, { fn: string; where: string; us: number }>();
  let totalUs = 0;
  let withinUs = 0;
  let gcUs = 0;
  for (const file of files) {
    const p = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
    const nodes = new Map(p.nodes.map((n) => [n.id, n]));
    const parent = new Map<number, number>();
    for (const n of p.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
    const inside = new Map<number, boolean>();
    const isInside = (id: number): boolean => {
      if (!within) return true;
      const known = inside.get(id);
      if (known !== undefined) return known;
      const url = nodes.get(id)?.callFrame.url ?? '';
      const up = parent.get(id);
      const result = url.endsWith(within) || (up !== undefined && isInside(up));
      inside.set(id, result);
      return result;
    };
    for (let i = 0; i < p.samples.length; i++) {
      // timeDeltas[i] is the time before sample i; attribute the next delta to this sample.
      const dt = p.timeDeltas[i + 1] ?? 0;
      const node = nodes.get(p.samples[i]);
      if (!node) continue;
      totalUs += dt;
      if (node.callFrame.functionName === '(garbage collector)') gcUs += dt;
      if (!isInside(node.id)) continue;
      withinUs += dt;
      const cf = node.callFrame;
      const fn = cf.functionName || '(anonymous)';
      const where = cf.url ? `${basename(cf.url)}:${cf.lineNumber + 1}:${cf.columnNumber + 1}` : '';
      const key = `${fn}@${where}`;
      const row = byKey.get(key) ?? { fn, where, us: 0 };
      row.us += dt;
      byKey.set(key, row);
    }
  }
  const rows = [...byKey.values()]
    .filter((r) => r.fn !== '(idle)')
    .sort((a, b) => b.us - a.us)
    .slice(0, top)
    .map((r) => ({ fn: r.fn, where: r.where, selfMs: r.us / 1000, share: withinUs ? r.us / withinUs : 0 }));
  return { totalMs: totalUs / 1000, withinMs: withinUs / 1000, gcMs: gcUs / 1000, rows };
}
