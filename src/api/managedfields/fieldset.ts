/**
 * fieldpath.Set: a trie of paths. `members` are the path elements owned at this level; `children`
 * hold the sets below an element. A path's parents are not implied members (`.spec.replicas` does
 * not make `.spec` a member), which is what lets FieldsV1 tell `"f:spec":{...}` from
 * `"f:spec":{".":{},...}`. Elements are keyed by their FieldsV1 serialization.
 */
import { comparePE, type Path, type PathElement, serializePE } from './path.ts';

interface Child {
  readonly pe: PathElement;
  readonly set: FieldSet;
}

const byPE = (a: { pe: PathElement }, b: { pe: PathElement }) => comparePE(a.pe, b.pe);

export class FieldSet {
  readonly members = new Map<string, PathElement>();
  readonly children = new Map<string, Child>();

  static of(...paths: Path[]): FieldSet {
    const s = new FieldSet();
    for (const p of paths) s.insert(p);
    return s;
  }

  /** Adds a path; the empty path (the whole object) is not tracked, as upstream. */
  insert(path: Path): void {
    if (path.length === 0) return;
    let s: FieldSet = this;
    for (let i = 0; i < path.length - 1; i++) s = s.descend(path[i] as PathElement);
    const last = path[path.length - 1] as PathElement;
    s.members.set(serializePE(last), last);
  }

  /** The child set under pe, created if missing. */
  descend(pe: PathElement): FieldSet {
    const k = serializePE(pe);
    let c = this.children.get(k);
    if (!c) {
      c = { pe, set: new FieldSet() };
      this.children.set(k, c);
    }
    return c.set;
  }

  /** The set below pe (empty if none): paths relative to pe. */
  withPrefix(pe: PathElement): FieldSet {
    return this.children.get(serializePE(pe))?.set ?? new FieldSet();
  }

  hasMember(pe: PathElement): boolean {
    return this.members.has(serializePE(pe));
  }

  has(path: Path): boolean {
    if (path.length === 0) return false;
    let s: FieldSet | undefined = this;
    for (let i = 0; i < path.length - 1 && s; i++)
      s = s.children.get(serializePE(path[i] as PathElement))?.set;
    return s?.hasMember(path[path.length - 1] as PathElement) ?? false;
  }

  empty(): boolean {
    if (this.members.size > 0) return false;
    for (const c of this.children.values()) if (!c.set.empty()) return false;
    return true;
  }

  size(): number {
    let n = this.members.size;
    for (const c of this.children.values()) n += c.set.size();
    return n;
  }

  /** Members in order. */
  sortedMembers(): PathElement[] {
    return [...this.members.values()].sort(comparePE);
  }

  /** Children in order. */
  sortedChildren(): Child[] {
    return [...this.children.values()].sort(byPE);
  }

  /** Every path, as fieldpath.Set.Iterate: this level's members first, then each child's paths. */
  paths(prefix: Path = []): Path[] {
    const out: Path[] = this.sortedMembers().map((pe) => [...prefix, pe]);
    for (const c of this.sortedChildren()) out.push(...c.set.paths([...prefix, c.pe]));
    return out;
  }

  union(other: FieldSet): FieldSet {
    const out = new FieldSet();
    for (const [k, pe] of this.members) out.members.set(k, pe);
    for (const [k, pe] of other.members) out.members.set(k, pe);
    for (const [k, c] of this.children) {
      const o = other.children.get(k);
      out.children.set(k, { pe: c.pe, set: o ? c.set.union(o.set) : c.set });
    }
    for (const [k, c] of other.children) if (!this.children.has(k)) out.children.set(k, c);
    return out;
  }

  intersection(other: FieldSet): FieldSet {
    const out = new FieldSet();
    for (const [k, pe] of this.members) if (other.members.has(k)) out.members.set(k, pe);
    for (const [k, c] of this.children) {
      const o = other.children.get(k);
      if (!o) continue;
      const i = c.set.intersection(o.set);
      if (!i.empty()) out.children.set(k, { pe: c.pe, set: i });
    }
    return out;
  }

  /** Members not in other; below each child, the difference with other's child (parent - child = parent). */
  difference(other: FieldSet): FieldSet {
    const out = new FieldSet();
    for (const [k, pe] of this.members) if (!other.members.has(k)) out.members.set(k, pe);
    for (const [k, c] of this.children) {
      const o = other.children.get(k);
      const d = o ? c.set.difference(o.set) : c.set;
      if (!d.empty()) out.children.set(k, { pe: c.pe, set: d });
    }
    return out;
  }

  /** Like difference, but a member of other also removes everything below it. */
  recursiveDifference(other: FieldSet): FieldSet {
    const out = new FieldSet();
    for (const [k, pe] of this.members) if (!other.members.has(k)) out.members.set(k, pe);
    for (const [k, c] of this.children) {
      if (other.members.has(k)) continue;
      const o = other.children.get(k);
      const d = o ? c.set.recursiveDifference(o.set) : c.set;
      if (!d.empty()) out.children.set(k, { pe: c.pe, set: d });
    }
    return out;
  }

  equals(other: FieldSet): boolean {
    return this.difference(other).empty() && other.difference(this).empty();
  }
}
