/**
 * Reads the declarations of one Go package directory that kube-openapi's defaults depend on: struct
 * types and their members (type, tag, comments), named types, string constants and which types have
 * their own UnmarshalJSON. Relies on gofmt'd sources: one member per line, `type X struct {` ... `}`
 * at column 0.
 */
import fs from 'node:fs';
import path from 'node:path';

export interface GoMember {
  readonly name: string;
  readonly type: string;
  readonly tag: string;
  readonly embedded: boolean;
  readonly comments: readonly string[];
}

export interface GoType {
  readonly name: string;
  readonly comments: readonly string[];
  /** For `type X struct {}`: its members; otherwise the underlying type expression. */
  readonly members?: readonly GoMember[];
  readonly underlying?: string;
  /** `type X = Y`: X is Y. */
  readonly alias?: boolean;
}

export interface GoPackage {
  readonly importPath: string;
  readonly types: Map<string, GoType>;
  readonly consts: Map<string, string>;
  readonly customUnmarshal: Set<string>;
  /** Per type name: the imports of the file that declares it (alias → import path). */
  readonly importsOf: Map<string, Map<string, string>>;
}

/** Resolved shape of a Go type expression, in the terms openapi-gen uses. */

export function readPackage(importPath: string, dir: string): GoPackage {
  const pkg: GoPackage = {
    importPath,
    types: new Map(),
    consts: new Map(),
    customUnmarshal: new Set(),
    importsOf: new Map(),
  };
  for (const file of fs.readdirSync(dir)) {
    if (!file.endsWith('.go') || file.endsWith('_test.go') || file.startsWith('zz_generated')) continue;
    if (file.startsWith('generated.')) continue;
    readFile(pkg, fs.readFileSync(path.join(dir, file), 'utf8'));
  }
  return pkg;
}

function readFile(pkg: GoPackage, text: string): void {
  const lines = text.split('\n');
  const imports = new Map<string, string>();
  let comments: string[] = [];
  let inImports = false;
  let inConsts = false;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] ?? '';
    if (inImports) {
      if (line.startsWith(')')) inImports = false;
      else addImport(imports, line);
      continue;
    }
    if (line.startsWith('import (')) {
      inImports = true;
      continue;
    }
    if (line.startsWith('import ')) {
      addImport(imports, line.slice('import '.length));
      continue;
    }
    if (line.startsWith('const (')) inConsts = true;
    else if (inConsts && line.startsWith(')')) inConsts = false;
    const konst = /^\s*(?:const\s+)?(\w+)(?:\s+[\w.]+)?\s*=\s*"([^"]*)"/.exec(line);
    if (konst && (inConsts || line.startsWith('const '))) pkg.consts.set(konst[1] ?? '', konst[2] ?? '');
    const unmarshal = /^func \(\w+ \*?(\w+)\) UnmarshalJSON\(/.exec(line);
    if (unmarshal) pkg.customUnmarshal.add(unmarshal[1] ?? '');
    if (line.startsWith('//')) {
      comments.push(line.replace(/^\/\/ ?/, ''));
      continue;
    }
    const empty = /^type (\w+) struct\s*\{\s*\}\s*$/.exec(line);
    if (empty) {
      pkg.types.set(empty[1] ?? '', { name: empty[1] ?? '', comments, members: [] });
      comments = [];
      continue;
    }
    const struct = /^type (\w+) struct \{/.exec(line);
    if (struct) {
      const name = struct[1] ?? '';
      const members: GoMember[] = [];
      let memberComments: string[] = [];
      for (i++; i < lines.length && !(lines[i] ?? '').startsWith('}'); i++) {
        const m = (lines[i] ?? '').trim();
        if (m.startsWith('//')) {
          memberComments.push(m.replace(/^\/\/ ?/, ''));
          continue;
        }
        const parsed = parseMember(m, memberComments);
        if (parsed) members.push(parsed);
        memberComments = [];
      }
      pkg.types.set(name, { name, comments, members });
      pkg.importsOf.set(name, imports);
      comments = [];
      continue;
    }
    const named = /^type (\w+) (.+)$/.exec(line);
    if (named && !named[2]?.startsWith('interface')) {
      const alias = named[2]?.startsWith('= ') ?? false;
      const underlying = (named[2] ?? '').replace(/^= /, '');
      pkg.types.set(named[1] ?? '', { name: named[1] ?? '', comments, underlying, alias });
      pkg.importsOf.set(named[1] ?? '', imports);
    }
    comments = [];
  }
}

function addImport(imports: Map<string, string>, line: string): void {
  const m = /^\s*(?:([\w.]+)\s+)?"([^"]+)"/.exec(line);
  if (!m) return;
  const importPath = m[2] ?? '';
  imports.set(m[1] ?? importPath.split('/').at(-1) ?? '', importPath);
}

function parseMember(line: string, comments: string[]): GoMember | undefined {
  if (line === '') return undefined;
  const tag = /`([^`]*)`/.exec(line)?.[1] ?? '';
  const code = line
    .replace(/`[^`]*`/, '')
    .replace(/\/\/.*$/, '')
    .trim();
  const parts = code.split(/\s+/);
  if (parts.length === 1) {
    return {
      name: parts[0]?.replace(/^\*/, '').split('.').at(-1) ?? '',
      type: parts[0] ?? '',
      tag,
      embedded: true,
      comments,
    };
  }
  return { name: parts[0] ?? '', type: parts.slice(1).join(' '), tag, embedded: false, comments };
}
