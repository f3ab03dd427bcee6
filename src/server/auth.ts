import { hashTokenSecret, isRole, type Role, roleAllows, tokenSecretPattern } from '../core/index.js';
import { isoNow, type Store, tokenRepository } from '../store/index.js';
import { ApiError } from './api-errors.js';

/** Who is calling: the token's name is the actor recorded on everything it changes. */
export interface Principal {
  tokenId: string;
  actor: string;
  role: Role;
  /** Teams the token may change models of; null for every team. */
  teams: string[] | null;
}

const unauthenticated = (why: string) =>
  new ApiError(
    'WARDEN_ERR_AUTH_UNAUTHENTICATED',
    `${why}; send Authorization: Bearer wdn_… (an admin creates tokens with warden token create)`,
  );

/**
 * When each token's use was last written, per server process: `last_used_at` is kept to the
 * minute, so a token in steady use costs one UPDATE a minute, not one per request.
 */
export class TokenUseRecorder {
  private readonly written = new Map<string, number>();

  async record(store: Store, tokenId: string, now: Date): Promise<void> {
    const last = this.written.get(tokenId);
    if (last !== undefined && now.getTime() - last < 60_000) return;
    this.written.set(tokenId, now.getTime());
    await tokenRepository.touch(store.db, tokenId, isoNow(now), isoNow(new Date(now.getTime() - 60_000)));
  }
}

/** Resolves the bearer token of a request; database faults pass through as 503, not 401. */
export async function authenticate(
  store: Store,
  authorization: string | undefined,
  uses: TokenUseRecorder,
  now = new Date(),
): Promise<Principal> {
  if (authorization === undefined || authorization === '') throw unauthenticated('no token was sent');
  const match = /^Bearer\s+(\S+)$/i.exec(authorization.trim());
  const secret = match?.[1];
  if (secret === undefined) throw unauthenticated('the Authorization header is not "Bearer <token>"');
  if (!tokenSecretPattern.test(secret))
    throw unauthenticated('the token is not a Warden token (wdn_ followed by 43 characters)');
  const token = await tokenRepository.findByHash(store.db, hashTokenSecret(secret));
  if (token === undefined) throw unauthenticated('the token is not known to this server');
  if (token.revokedAt !== null)
    throw unauthenticated(`token ${token.id} (${token.name}) was revoked at ${token.revokedAt}`);
  if (token.expiresAt !== null && Date.parse(token.expiresAt) <= now.getTime()) {
    throw unauthenticated(`token ${token.id} (${token.name}) expired at ${token.expiresAt}`);
  }
  if (!isRole(token.role)) throw unauthenticated(`token ${token.id} has an unknown role "${token.role}"`);
  await uses.record(store, token.id, now);
  return { tokenId: token.id, actor: token.name, role: token.role, teams: token.teams };
}

export function requireRole(principal: Principal, needed: Role, action: string): void {
  if (roleAllows(principal.role, needed)) return;
  throw new ApiError(
    'WARDEN_ERR_AUTH_FORBIDDEN',
    `${action} needs the ${needed} role; token "${principal.actor}" has ${principal.role}. Ask an admin for ${needed === 'admin' || needed === 'approver' ? 'an' : 'a'} ${needed} token`,
    { requiredRole: needed },
  );
}

/** A team-scoped token changes only its teams' models (reads are not scoped). */
export function requireTeam(principal: Principal, team: string | null, action: string): void {
  if (principal.teams === null) return;
  if (team !== null && principal.teams.includes(team)) return;
  throw new ApiError(
    'WARDEN_ERR_AUTH_FORBIDDEN',
    `${action} is outside token "${principal.actor}"'s teams (${principal.teams.join(', ')}): the model ${team === null ? 'has no team' : `belongs to team ${team}`}`,
  );
}
