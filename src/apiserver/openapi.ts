import { createHash } from 'node:crypto';
import { openApiV3Document, openApiV3Index } from '../api/schema/openapi.ts';
import type { Schema } from '../api/schema/openapi-schemas.ts';
import type { Registry } from '../registry/registry.ts';
import { groupsOf } from './discovery.ts';
import { swaggerFromV3 } from './openapi-v2.ts';
import { versionInfo } from './version.ts';

/**
 * /openapi/v3 and its per-group-version documents, built on first request and cached by a
 * hash of what the group-version serves (kubectl caches them under that hash too).
 */
export class OpenApiV3 {
  private readonly registry: Registry;
  private readonly docs = new Map<string, { hash: string; body: Promise<string> }>();

  constructor(registry: Registry) {
    this.registry = registry;
  }

  private groupVersions(): string[] {
    return groupsOf(this.registry).flatMap((g) => g.versions.map((v) => (g.name ? `${g.name}/${v}` : v)));
  }

  private resources(gv: string) {
    return this.registry
      .all()
      .filter((s) => (s.info.group ? `${s.info.group}/${s.info.version}` : s.info.version) === gv)
      .map((s) => (s.openApiSchema ? { ...s.info, schema: s.openApiSchema as Schema } : s.info));
  }

  private hash(gv: string): string {
    const infos = this.resources(gv);
    return createHash('sha512')
      .update(JSON.stringify([versionInfo().gitVersion, infos]))
      .digest('hex')
      .slice(0, 128)
      .toUpperCase();
  }

  private v2: { hash: string; body: Promise<string> } | undefined;

  /** The whole API as one Swagger 2.0 document (for clients that ask for it as JSON). */
  swagger(): Promise<string> {
    const gvs = this.groupVersions();
    const hash = gvs.map((gv) => this.hash(gv)).join(',');
    if (this.v2?.hash !== hash) {
      const body = Promise.all(
        gvs.map(async (gv) =>
          JSON.parse(await this.document(gv.includes('/') ? `apis/${gv}` : `api/${gv}`)!.body),
        ),
      ).then((docs) => JSON.stringify(swaggerFromV3(docs, versionInfo().gitVersion)));
      this.v2 = { hash, body };
    }
    return this.v2.body;
  }

  index(): unknown {
    return openApiV3Index(this.groupVersions(), (gv) => this.hash(gv));
  }

  /** The document for `api/v1` or `apis/<group>/<version>`; undefined when not served. */
  document(path: string): { hash: string; body: Promise<string> } | undefined {
    const gv = path.startsWith('api/') ? path.slice(4) : path.startsWith('apis/') ? path.slice(5) : undefined;
    if (!gv || !this.groupVersions().includes(gv)) return undefined;
    const hash = this.hash(gv);
    const cached = this.docs.get(gv);
    if (cached?.hash === hash) return cached;
    const [group, version] = gv.includes('/') ? (gv.split('/') as [string, string]) : ['', gv];
    const body = openApiV3Document(group, version, this.resources(gv), {
      version: versionInfo().gitVersion,
    }).then((doc) => JSON.stringify(doc));
    const entry = { hash, body };
    this.docs.set(gv, entry);
    return entry;
  }
}
