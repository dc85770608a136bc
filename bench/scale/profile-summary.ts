/**
 * Summarises a V8 .cpuprofile (node --cpu-prof): top functions by self time, and by
 * package/file. Usage: node bench/scale/profile-summary.ts <file.cpuprofile> [top=25]
 */
import fs from 'node:fs';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}
interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
  startTime: number;
  endTime: number;
}

const file = process.argv[2];
if (!file) throw new Error('usage: profile-summary.ts <file.cpuprofile> [top]');
const top = Number(process.argv[3] ?? '25');
const p = JSON.parse(fs.readFileSync(file, 'utf8')) as Profile;
const byId = new Map(p.nodes.map((n) => [n.id, n]));
const self = new Map<number, number>();
for (let i = 0; i < p.samples.length; i++)
  self.set(p.samples[i]!, (self.get(p.samples[i]!) ?? 0) + (p.timeDeltas[i] ?? 0));
const total = (p.endTime - p.startTime) / 1000;

const short = (url: string) =>
  url
    .replace(/^file:\/\//, '')
    .replace(/.*\/node_modules\//, 'nm:')
    .replace(/.*\/dist\//, 'dist/');
const fnKey = (n: ProfileNode) =>
  `${n.callFrame.functionName || '(anonymous)'} ${short(n.callFrame.url)}:${n.callFrame.lineNumber + 1}`;
const fileKey = (n: ProfileNode) => {
  const u = short(n.callFrame.url);
  if (!u) return n.callFrame.functionName; // (program), (garbage collector), (idle)
  const m = /^nm:((?:@[^/]+\/)?[^/]+)/.exec(u);
  return m ? `nm:${m[1]}` : u.startsWith('node:') ? u : u;
};

const agg = (key: (n: ProfileNode) => string) => {
  const m = new Map<string, number>();
  for (const [id, us] of self) {
    const k = key(byId.get(id)!);
    m.set(k, (m.get(k) ?? 0) + us);
  }
  return [...m].sort((a, b) => b[1] - a[1]);
};
const busy =
  [...self].reduce((s, [id, us]) => (byId.get(id)!.callFrame.functionName === '(idle)' ? s : s + us), 0) /
  1000;
console.log(`${file}: ${total.toFixed(0)} ms profiled, ${busy.toFixed(0)} ms not idle\n`);
console.log('| self ms | % of profile | function |');
console.log('|---|---|---|');
for (const [k, us] of agg(fnKey).slice(0, top))
  console.log(`| ${(us / 1000).toFixed(0)} | ${((us / 1000 / total) * 100).toFixed(1)} | ${k} |`);
console.log('\n| self ms | % of profile | file / package |');
console.log('|---|---|---|');
for (const [k, us] of agg(fileKey).slice(0, top))
  console.log(`| ${(us / 1000).toFixed(0)} | ${((us / 1000 / total) * 100).toFixed(1)} | ${k} |`);

// Callers (parent frames, self time attributed) of the top non-synthetic functions.
const parent = new Map<number, number>();
for (const n of p.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
console.log('\nTop callers of the heaviest functions (self ms via each parent):');
for (const [k] of agg(fnKey)
  .filter(([k]) => !k.startsWith('('))
  .slice(0, Math.min(8, top))) {
  const callers = new Map<string, number>();
  for (const [id, us] of self) {
    const n = byId.get(id)!;
    if (fnKey(n) !== k) continue;
    let pid = parent.get(id);
    // Skip frames of the same function (recursion) to find the real caller.
    while (pid !== undefined && fnKey(byId.get(pid)!) === k) pid = parent.get(pid);
    const pk = pid === undefined ? '(root)' : fnKey(byId.get(pid)!);
    callers.set(pk, (callers.get(pk) ?? 0) + us);
  }
  console.log(`- ${k}`);
  for (const [c, us] of [...callers].sort((a, b) => b[1] - a[1]).slice(0, 4))
    console.log(`  - ${(us / 1000).toFixed(0)} ms from ${c}`);
}
