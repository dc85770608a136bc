import type { IncomingMessage } from 'node:http';
import type { TLSSocket } from 'node:tls';
import { identityFromCertificate } from '../pki/identity.ts';
import type { UserInfo } from './context.ts';

/** Resolves a bearer token to a user (service account and bootstrap tokens come later). */
export type TokenAuthenticator = (token: string) => Promise<UserInfo | undefined>;

/**
 * Who is asking: a client certificate the client CA signed (CN = user, O = groups), else a
 * bearer token. Undefined means anonymous, which the server refuses outside the public paths.
 */
export async function authenticate(
  req: IncomingMessage,
  tokens: TokenAuthenticator | undefined,
): Promise<UserInfo | undefined> {
  const user = certificateUser(req.socket as TLSSocket);
  if (user) return user;
  const header = req.headers.authorization;
  if (tokens && header?.startsWith('Bearer ')) {
    const user = await tokens(header.slice('Bearer '.length).trim());
    if (user) return { ...user, groups: [...user.groups, 'system:authenticated'] };
  }
  return undefined;
}

/** A connection's certificate identity, read once per TLS connection (parsing it is costly). */
const byConnection = new WeakMap<TLSSocket, UserInfo | null>();

function certificateUser(socket: TLSSocket): UserInfo | undefined {
  let user = byConnection.get(socket);
  if (user === undefined) {
    const id = socket.authorized ? identityFromCertificate(socket.getPeerCertificate()) : undefined;
    user = id ? { name: id.user, groups: [...id.groups, 'system:authenticated'] } : null;
    byConnection.set(socket, user);
  }
  return user ?? undefined;
}

export interface Attributes {
  readonly verb: string;
  readonly group?: string;
  readonly resource?: string;
  readonly subresource?: string;
  readonly namespace?: string;
  readonly name?: string;
  readonly path: string;
}

/** The authorization hook: true to allow. RBAC and the node authorizer plug in here. */
export type Authorizer = (user: UserInfo, attributes: Attributes) => Promise<boolean>;

/** Until RBAC is enforced: system:masters may do anything, everyone else nothing. */
export const mastersOnly: Authorizer = async (user) => user.groups.includes('system:masters');
