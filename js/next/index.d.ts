// Types of `portcullis/next` (both entry points: index.js for edge, node.js for the Node.js runtime).
// Hand-written from the JSDoc of js/routes.js, js/verify.js, js/auth-object.js and js/errors.js.

import type { NextFetchEvent, NextMiddleware, NextRequest } from 'next/server';

/** Anything a route matcher accepts: a Request / NextRequest, a URL, a URL or path string. */
export type RequestLike = string | URL | Request | { nextUrl: { pathname: string } } | { url: string };

export type RoutePatternEntry = string | RegExp;
export type RouteMatcherParam =
  | RoutePatternEntry
  | RoutePatternEntry[]
  | ((req: any) => boolean)
  | null
  | undefined;

/**
 * Builds a request matcher from route patterns, like Clerk's `createRouteMatcher` (path-to-regexp 6
 * strings, RegExps, or a function). Throws `RoutePatternError` for a bad pattern; the matcher throws
 * `MalformedURLError` (statusCode 400) for a malformed percent-escape in the path.
 */
export function createRouteMatcher(routes: RouteMatcherParam): (req: RequestLike) => boolean;

/** Clerk's pathname normalisation: `decodeURI` once, runs of `/` collapsed. */
export function normalizePath(pathname: string): string;

export interface VerifyTokenOptions {
  /** PEM public key (CLERK_JWT_KEY): verify without any network request. */
  jwtKey?: string;
  /** Secret key (CLERK_SECRET_KEY): keys come from the Backend API. */
  secretKey?: string;
  apiUrl?: string;
  apiVersion?: string;
  authorizedParties?: string[];
  audience?: string | string[];
  clockSkewInMs?: number;
  skipJwksCache?: boolean;
  jwksUrl?: string | URL;
  issuer?: string | string[];
  algorithms?: string[];
  profile?: 'clerk' | 'oidc';
  acceptTemplateTokens?: boolean;
  /** `session` (default), or a machine JWT: `m2m` (category absent or M2M), `oauth` (`typ` at+jwt). */
  tokenKind?: 'session' | 'm2m' | 'oauth';
  fetch?: typeof fetch;
  now?: () => number;
  jwks?: {
    ttlMs?: number;
    unknownKidCooldownMs?: number;
    retryAfterFailureMs?: number;
    maxStaleMs?: number;
    timeoutMs?: number;
    maxBytes?: number;
  };
}

/** Verifies a Clerk session token; resolves to its payload, rejects with `TokenVerificationError`. */
export function verifyToken(token: string, options?: VerifyTokenOptions): Promise<Readonly<Record<string, unknown>>>;

export interface HasParams {
  role?: string;
  permission?: string;
  feature?: string;
  plan?: string;
  reverification?: string | { level: string; afterMinutes: number };
}

export interface SessionAuthObject {
  tokenType: 'session_token';
  userId: string;
  sessionId: string | null;
  sessionStatus: string | null;
  actor: unknown;
  orgId: string | null;
  orgRole: string | null;
  orgSlug: string | null;
  orgPermissions: string[] | null;
  factorVerificationAge: [number, number] | null;
  sessionClaims: Record<string, unknown>;
  isAuthenticated: true;
  has: (params: HasParams) => boolean;
}

/** The signed-in auth object (with `has()`) of a payload `verifyToken` resolved to. */
export function authObjectFromClaims(claims: Record<string, unknown>): SessionAuthObject;

/**
 * Clerk's `verifyWebhook` (`@clerk/nextjs/webhooks`): the Svix signature of a webhook request, checked
 * on the raw body; resolves to the event, rejects with a {@link WebhookVerificationError}.
 */
export function verifyWebhook(
  request: Request,
  options?: { signingSecret?: string; now?: () => number },
): Promise<{ type: string; data: Record<string, any>; object?: string; [key: string]: unknown }>;

export class WebhookVerificationError extends Error {
  readonly name: 'WebhookVerificationError';
  /** A stable code: `missing-headers`, `timestamp-too-old`, `no-matching-signature`, … */
  readonly code: string;
  /** What to answer: 400 for a bad delivery, 500 for a server misconfiguration. */
  readonly statusCode: number;
}

export class MalformedURLError extends Error {
  readonly name: 'MalformedURLError';
  readonly code: 'malformed-url';
  readonly statusCode: 400;
}

export class RoutePatternError extends TypeError {
  readonly name: 'RoutePatternError';
  readonly code: 'invalid-route-pattern';
}

export class TokenVerificationError extends Error {
  readonly name: 'TokenVerificationError';
  /** One of Clerk's TokenVerificationErrorReason codes (`token-expired`, …). */
  readonly reason: string;
  readonly code: string;
  readonly action: string | undefined;
  tokenCarrier: string | undefined;
  getFullMessage(): string;
}

export class ConfigurationError extends TypeError {
  readonly name: 'ConfigurationError';
  /** A stable code: `invalid-option`, or the core's (`missing-secret-key`, `invalid-publishable-key`, …). */
  readonly code: string;
  /** The option's name as the caller wrote it. */
  readonly option: string;
}

/** Options of `clerkMiddleware`: Clerk's (over its environment variables), plus ours. */
export interface ClerkMiddlewareOptions {
  publishableKey?: string;
  secretKey?: string;
  /** Machine secret key (CLERK_MACHINE_SECRET_KEY): authenticates the M2M token `verify` call. */
  machineSecretKey?: string;
  signInUrl?: string;
  signUpUrl?: string;
  /** PEM public key: networkless verification (also read from CLERK_JWT_KEY, which Clerk ignores). */
  jwtKey?: string;
  authorizedParties?: string[];
  audience?: string | string[];
  clockSkewInMs?: number;
  skipJwksCache?: boolean;
  apiUrl?: string;
  apiVersion?: string;
  isSatellite?: boolean | ((url: URL) => boolean);
  domain?: string | ((url: URL) => string);
  proxyUrl?: string | ((url: URL) => string);
  satelliteAutoSync?: boolean;
  organizationSyncOptions?: { organizationPatterns?: string[]; personalAccountPatterns?: string[] };
  /** Ours: build return URLs from X-Forwarded-Host / -Proto, as Clerk always does (default false). */
  trustForwardedHost?: boolean;
  /** Ours: origins a development primary may send users back to from `__clerk_redirect_url`. */
  allowedRedirectOrigins?: string[];
  /** Clerk's Content-Security-Policy headers, on the response and forwarded to the app (with `x-nonce`). */
  contentSecurityPolicy?: ContentSecurityPolicyOptions;
  /** One grouped, redacted log per request, and the request header `x-clerk-debug: true`. */
  debug?: boolean;
  [option: string]: unknown;
}

export type TokenType = 'session_token' | 'm2m_token' | 'oauth_token' | 'api_key';

/** What `auth()` resolves to: Clerk's auth object (session or machine), with `has` and `getToken`. */
export interface ClerkMiddlewareAuthObject {
  tokenType: TokenType | null;
  isAuthenticated: boolean;
  userId?: string | null;
  sessionId?: string | null;
  sessionStatus?: string | null;
  orgId?: string | null;
  orgRole?: string | null;
  orgSlug?: string | null;
  orgPermissions?: string[] | null;
  sessionClaims?: Record<string, unknown> | null;
  actor?: unknown;
  factorVerificationAge?: [number, number] | null;
  has: (params: HasParams) => boolean;
  getToken: (options?: { template?: string; expiresInSeconds?: number }) => Promise<string | null>;
  debug: () => Record<string, unknown>;
  /** Session auth objects only; never return (they throw Next's redirect error). */
  redirectToSignIn?: (options?: { returnBackUrl?: string | URL | null }) => never;
  redirectToSignUp?: (options?: { returnBackUrl?: string | URL | null }) => never;
  [field: string]: unknown;
}

export interface ProtectOptions {
  unauthenticatedUrl?: string;
  unauthorizedUrl?: string;
  token?: TokenType | TokenType[] | 'any';
}

export interface ClerkMiddlewareAuth {
  (options?: { acceptsToken?: TokenType | TokenType[] | 'any'; treatPendingAsSignedOut?: boolean }): Promise<ClerkMiddlewareAuthObject>;
  /** Passes (resolving to the auth object) or throws the control-flow error the middleware turns into 307 / 401 / "404". */
  protect(params?: (HasParams & ProtectOptions) | ((has: (params: HasParams) => boolean) => boolean), options?: ProtectOptions): Promise<ClerkMiddlewareAuthObject>;
}

export type ClerkMiddlewareHandler = (auth: ClerkMiddlewareAuth, request: NextRequest, event: NextFetchEvent) => unknown;

export type ClerkMiddlewareOptionsCallback = (request: NextRequest) => ClerkMiddlewareOptions | Promise<ClerkMiddlewareOptions>;

/** Clerk's `clerkMiddleware`, every call shape; `export default clerkMiddleware` works too. */
export function clerkMiddleware(options?: ClerkMiddlewareOptions): NextMiddleware;
export function clerkMiddleware(handler: ClerkMiddlewareHandler, options?: ClerkMiddlewareOptions | ClerkMiddlewareOptionsCallback): NextMiddleware;
export function clerkMiddleware(request: NextRequest, event: NextFetchEvent): Promise<Response>;

export interface ContentSecurityPolicyOptions {
  /** `'strict-dynamic'` and a per-request nonce instead of `http:` / `https:`. */
  strict?: boolean;
  /** Merged into Clerk's default directives (same name) or added; `none` replaces a directive's sources. */
  directives?: Record<string, string | string[]>;
  /** Send `content-security-policy-report-only`. */
  reportOnly?: boolean;
  /** Reporting endpoint URL (`reporting-endpoints` + `report-to csp-endpoint`). */
  reportTo?: string;
}

/** Legacy `authMiddleware` (Clerk v4/v5): `next.config` matcher Clerk recommended. */
export const DEFAULT_CONFIG_MATCHER: readonly string[];
/** Routes `authMiddleware` passes through untouched unless `ignoredRoutes` is given. */
export const DEFAULT_IGNORED_ROUTES: readonly string[];
/** API routes by path (plus the method / content-type heuristic) unless `apiRoutes` is given. */
export const DEFAULT_API_ROUTES: readonly string[];

export type AuthMiddlewareAuthObject = ClerkMiddlewareAuthObject & { isPublicRoute: boolean; isApiRoute: boolean };

export interface AuthMiddlewareOptions extends ClerkMiddlewareOptions {
  /** Routes reachable signed out (the sign-in / sign-up URLs from the environment are added unless a function). */
  publicRoutes?: RouteMatcherParam;
  /** Routes passed through without authentication (`x-clerk-auth-reason: ignored-route`). */
  ignoredRoutes?: RouteMatcherParam;
  /** Routes answered with 401 instead of a redirect when signed out on a private route. */
  apiRoutes?: RouteMatcherParam;
  /** Before authentication: `false` skips it (`skip`), a redirect is returned (`before-auth-redirect`). */
  beforeAuth?: (req: NextRequest, evt: NextFetchEvent) => unknown;
  /** After authentication (default: 401 for a private API route, redirect to sign-in for a private page). */
  afterAuth?: (auth: AuthMiddlewareAuthObject, req: NextRequest, evt: NextFetchEvent) => unknown;
}

/** Clerk's legacy `authMiddleware`, on the same engine as `clerkMiddleware`. */
export function authMiddleware(options?: AuthMiddlewareOptions): NextMiddleware;
