/**
 * The local issuer's fixed demo directory: users, organizations, roles, and what each role may do,
 * encoded the way Clerk's v2 session claims encode it.
 *
 * v2 permissions (CLERK-BEHAVIOUR.md §3.11): `fea` lists the organization's features (`o:dashboard,
 * o:reports`), `o.per` the permission names (`read,manage`), and `o.fpm` one decimal bitmask per
 * org feature, bit j meaning `per[j]`. So admin's `fpm: "3,3"` is org:dashboard:read,
 * org:dashboard:manage, org:reports:read, org:reports:manage, and member's `"1,0"` is
 * org:dashboard:read alone.
 * @module
 */

/** @typedef {{id: string, name: string, email: string, org: string | null, role: string | null, about: string}} DemoUser */

/** @type {DemoUser[]} */
export const USERS = [
  { id: 'user_alice', name: 'alice', email: 'alice@acme.test', org: 'org_acme', role: 'admin', about: 'admin of Acme' },
  { id: 'user_bob', name: 'bob', email: 'bob@acme.test', org: 'org_acme', role: 'member', about: 'member of Acme' },
  { id: 'user_carol', name: 'carol', email: 'carol@example.test', org: null, role: null, about: 'no organization' },
];

/** @type {{id: string, slug: string, name: string}[]} */
export const ORGS = [
  { id: 'org_acme', slug: 'acme', name: 'Acme' },
  { id: 'org_globex', slug: 'globex', name: 'Globex' },
];

export const ROLES = ['admin', 'member'];
export const FEATURES = ['dashboard', 'reports'];
export const PERMISSIONS = ['read', 'manage'];
/** Bitmask per feature (in FEATURES order), per role. */
const MASKS = /** @type {Record<string, string>} */ ({ admin: '3,3', member: '1,0' });

/** @param {string} id */
export function findUser(id) {
  return USERS.find((u) => u.id === id || u.name === id) ?? null;
}

/** @param {string} id */
export function findOrg(id) {
  return ORGS.find((o) => o.id === id) ?? null;
}

/**
 * The organization part of v2 claims for a membership (`o` and `fea`), or {} without one.
 * @param {string | null} orgId
 * @param {string | null} role
 */
export function orgClaims(orgId, role) {
  const org = orgId === null ? null : findOrg(orgId);
  if (org === null || role === null || !ROLES.includes(role)) return {};
  return {
    fea: FEATURES.map((f) => `o:${f}`).join(','),
    o: { id: org.id, slg: org.slug, rol: role, per: PERMISSIONS.join(','), fpm: MASKS[role] },
  };
}
