import { createHash, randomBytes } from 'node:crypto';

/**
 * Roles, each allowed what the one before it may do (docs/architecture.md, "Security model"): viewers read,
 * contributors register models and versions and submit evidence, approvers move aliases and clear
 * governance tags, admins manage tokens.
 */
export const roles = ['viewer', 'contributor', 'approver', 'admin'] as const;
export type Role = (typeof roles)[number];

export function isRole(value: string): value is Role {
  return (roles as readonly string[]).includes(value);
}

export function roleAllows(held: Role, needed: Role): boolean {
  return roles.indexOf(held) >= roles.indexOf(needed);
}

/** `wdn_` and 43 base64url characters: 256 random bits. */
export const tokenSecretPattern = /^wdn_[A-Za-z0-9_-]{43}$/;

/**
 * A new API token: the secret (shown once, never stored) and the public id it is listed by. A
 * 256-bit random secret needs no slow hash: SHA-256 of it cannot be searched (as GitHub does).
 */
export function generateToken(): { id: string; secret: string } {
  return {
    id: `tok_${randomBytes(6).toString('hex')}`,
    secret: `wdn_${randomBytes(32).toString('base64url')}`,
  };
}

export function hashTokenSecret(secret: string): string {
  return createHash('sha256').update(secret, 'utf8').digest('hex');
}
