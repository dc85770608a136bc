/**
 * A small reader of Kubernetes API Go sources (kubernetes/api, apimachinery, apiextensions-apiserver),
 * just enough to work out the `default` that kube-openapi's openapi-gen (as used by release-1.36)
 * puts into OpenAPI v3 schemas: non-pointer structs default to `{}`, non-omitempty scalars to their
 * zero value, `+default=` markers win, and types with a custom UnmarshalJSON get none.
 */
import fs from 'node:fs';
import path from 'node:path';
import { type GoMember, type GoPackage, type GoType, readPackage } from './go-parse.ts';

export type Resolved =
  | { kind: 'pointer'; elem: string; pkg: GoPackage; owner: string }
  | { kind: 'slice' | 'map' | 'interface' }
  | { kind: 'builtin'; name: string }
  | { kind: 'named'; pkg: GoPackage; type: GoType }
  | { kind: 'unknown' };

const builtinZero: Record<string, unknown> = {
  string: '',
  bool: false,
  int: 0,
  int8: 0,
  int16: 0,
  int32: 0,
  int64: 0,
  uint: 0,
  uint8: 0,
  uint16: 0,
  uint32: 0,
  uint64: 0,
  float32: 0,
  float64: 0,
  byte: 0,
};

export class GoSources {
  readonly #roots: Record<string, string>;
  readonly #packages = new Map<string, GoPackage | null>();

  /** roots: Go module path prefix (`k8s.io/api`) → directory holding that module's sources. */
  constructor(roots: Record<string, string>) {
    this.#roots = roots;
  }

  package(importPath: string): GoPackage | null {
    if (this.#packages.has(importPath)) return this.#packages.get(importPath) ?? null;
    let dir: string | undefined;
    for (const [prefix, root] of Object.entries(this.#roots)) {
      if (importPath === prefix || importPath.startsWith(`${prefix}/`)) {
        dir = path.join(root, importPath.slice(prefix.length));
      }
    }
    const pkg = dir && fs.existsSync(dir) ? readPackage(importPath, dir) : null;
    this.#packages.set(importPath, pkg);
    return pkg;
  }

  /** The members of a struct, with inline/embedded structs flattened, keyed by JSON name. */
  jsonMembers(pkg: GoPackage, type: GoType): Map<string, { member: GoMember; pkg: GoPackage }> {
    const out = new Map<string, { member: GoMember; pkg: GoPackage }>();
    if (!type.members && type.underlying) {
      const r = this.resolve(type.underlying, pkg, type.name);
      return r.kind === 'named' ? this.jsonMembers(r.pkg, r.type) : out;
    }
    for (const m of type.members ?? []) {
      const jsonName = (/json:"([^"]*)"/.exec(m.tag)?.[1] ?? '').split(',')[0] ?? '';
      if (jsonName === '-') continue;
      if (jsonName === '' && (m.embedded || m.tag.includes(',inline'))) {
        const r = this.resolve(m.type, pkg, type.name);
        const target = r.kind === 'pointer' ? this.resolve(r.elem, r.pkg, r.owner) : r;
        if (target.kind === 'named' && target.type.members) {
          for (const [k, v] of this.jsonMembers(target.pkg, target.type)) out.set(k, v);
        }
        continue;
      }
      out.set(jsonName || m.name, { member: m, pkg });
    }
    return out;
  }

  /** Resolves a type expression as written in `ownerType`'s file of `pkg`. */
  resolve(expr: string, pkg: GoPackage, ownerType: string): Resolved {
    const e = expr.trim();
    if (e.startsWith('*')) return { kind: 'pointer', elem: e.slice(1), pkg, owner: ownerType };
    if (e.startsWith('[]')) return { kind: 'slice' };
    if (e.startsWith('map[')) return { kind: 'map' };
    if (e.startsWith('interface') || e === 'any') return { kind: 'interface' };
    if (e in builtinZero) return { kind: 'builtin', name: e };
    if (e === 'time.Duration') return { kind: 'builtin', name: 'int64' };
    const dot = e.indexOf('.');
    if (dot > 0) {
      const alias = e.slice(0, dot);
      const importPath = pkg.importsOf.get(ownerType)?.get(alias);
      const other = importPath ? this.package(importPath) : null;
      const t = other?.types.get(e.slice(dot + 1));
      return other && t ? this.#named(other, t) : { kind: 'unknown' };
    }
    const t = pkg.types.get(e);
    return t ? this.#named(pkg, t) : { kind: 'unknown' };
  }

  #named(pkg: GoPackage, type: GoType): Resolved {
    if (type.alias && type.underlying) return this.resolve(type.underlying, pkg, type.name);
    return { kind: 'named', pkg, type };
  }

  /** openapi-gen's generateDefault for a member (or, with omitEmpty false, a slice/map element). */
  defaultFor(
    expr: string,
    pkg: GoPackage,
    ownerType: string,
    comments: readonly string[],
    omitEmpty: boolean,
  ): unknown {
    const marked = this.#markedDefault(expr, pkg, ownerType, comments);
    if (marked !== undefined) return marked;
    return this.#mustEnforce(this.resolve(expr, pkg, ownerType), omitEmpty);
  }

  /** The element type expression of a slice or map expression, if it is one. */
  elementOf(expr: string): string | undefined {
    const e = expr.trim();
    if (e.startsWith('[]')) return e.slice(2);
    if (e.startsWith('map[')) {
      let depth = 0;
      for (let i = 3; i < e.length; i++) {
        if (e[i] === '[') depth++;
        else if (e[i] === ']' && --depth === 0) return e.slice(i + 1);
      }
    }
    return undefined;
  }

  /** The underlying expression of a named non-struct type (to see through `type ResourceList map[...]`). */
  underlying(
    expr: string,
    pkg: GoPackage,
    ownerType: string,
  ): { expr: string; pkg: GoPackage; owner: string } {
    const r = this.resolve(expr, pkg, ownerType);
    if (r.kind === 'named' && r.type.underlying) {
      return this.underlying(r.type.underlying, r.pkg, r.type.name);
    }
    return { expr, pkg, owner: ownerType };
  }

  #markedDefault(expr: string, pkg: GoPackage, ownerType: string, comments: readonly string[]): unknown {
    // Upstream's defaultFromComments: the member's comments, then those of its type, through
    // pointers and named types, stopping at the first `+default=`.
    let lines = comments;
    let context = pkg;
    let r: Resolved | undefined = this.resolve(expr, pkg, ownerType);
    for (let hops = 0; hops < 8; hops++) {
      const tag = lines.map((l) => /^\s*\+default=(.*)$/.exec(l)?.[1]).find((v) => v !== undefined);
      if (tag !== undefined) return parseDefault(tag.trim(), context);
      if (r?.kind === 'pointer') {
        lines = [];
        r = this.resolve(r.elem, r.pkg, r.owner);
      } else if (r?.kind === 'named') {
        lines = r.type.comments;
        context = r.pkg;
        r = r.type.underlying ? this.resolve(r.type.underlying, r.pkg, r.type.name) : undefined;
      } else {
        return undefined;
      }
    }
    return undefined;
  }

  #mustEnforce(r: Resolved, omitEmpty: boolean): unknown {
    switch (r.kind) {
      case 'builtin':
        return omitEmpty ? undefined : builtinZero[r.name];
      case 'named': {
        if (r.type.members) {
          if (r.pkg.customUnmarshal.has(r.type.name)) return undefined;
          const [only] = r.type.members;
          if (r.type.members.length === 1 && only?.embedded) {
            return this.#mustEnforce(this.resolve(only.type, r.pkg, r.type.name), omitEmpty);
          }
          return {};
        }
        if (r.type.underlying)
          return this.#mustEnforce(this.resolve(r.type.underlying, r.pkg, r.type.name), omitEmpty);
        return undefined;
      }
      default:
        return undefined;
    }
  }
}

function parseDefault(tag: string, pkg: GoPackage): unknown {
  const ref = /^ref\(([^)]+)\)$/.exec(tag);
  if (ref) {
    const name = ref[1]?.split('.').at(-1) ?? '';
    return pkg.consts.get(name);
  }
  return JSON.parse(tag);
}
