import type { IncomingMessage, ServerResponse } from 'node:http';
import { managerName } from '../api/managedfields/index.ts';
import type { ResourceStore } from '../registry/store.ts';
import type { RequestInfo } from './request-info.ts';

export interface UserInfo {
  readonly name: string;
  readonly groups: readonly string[];
}

/** One request for a resource, as every verb handler receives it. */
export interface ResourceRequest {
  readonly info: RequestInfo;
  readonly store: ResourceStore;
  readonly query: URLSearchParams;
  readonly req: IncomingMessage;
  readonly res: ServerResponse;
  readonly user: UserInfo;
  /** Messages for `Warning: 299` headers (fieldValidation=Warn, deprecations). */
  readonly warnings: string[];
}

/** What a request's body is checked against: the resource's kind and the fieldValidation asked for. */
export function decodeTarget(r: ResourceRequest) {
  const { group, version, kind } = r.store.info;
  return { group, version, kind, fieldValidation: r.query.get('fieldValidation'), warnings: r.warnings };
}

/** A reply for the caller to render, or 'sent' when the handler wrote the response itself. */
export type Reply = { status: number; body: unknown; headers?: Record<string, string> } | 'sent';

export const dryRun = (q: URLSearchParams) => q.getAll('dryRun').includes('All');

/** The write options every mutating verb passes down: dryRun and the field manager. */
export function writeOptions(r: ResourceRequest): { dryRun: boolean; fieldManager: string } {
  return {
    dryRun: dryRun(r.query),
    fieldManager: managerName(r.query.get('fieldManager'), r.req.headers['user-agent']),
  };
}
