/**
 * The error classes portcullis throws, and the bridge from the errors the wasm core throws.
 *
 * Why a module of its own: the Rust core throws plain `Error` objects tagged with `name` and `code`
 * (wasm-bindgen cannot throw JS subclasses). Callers want `instanceof` and stable fields, and Clerk's
 * middleware recognises a malformed URL by `err.name === 'MalformedURLError'` (cross-bundle safe), so
 * both must hold. Every call into wasm rethrows through {@link fromWasmError}.
 * @module
 */

/**
 * A request path whose percent-encoding is malformed (`/%zz`, `/%`). A middleware answers it with 400,
 * exactly as Clerk does.
 */
export class MalformedURLError extends Error {
  /**
   * @param {string} message
   * @param {ErrorOptions} [options]
   */
  constructor(message, options) {
    super(message, options);
    /** @type {'MalformedURLError'} */
    this.name = 'MalformedURLError';
    /** @type {'malformed-url'} */
    this.code = 'malformed-url';
    /** The HTTP status a middleware answers with. @type {400} */
    this.statusCode = 400;
  }
}

/**
 * A route pattern that cannot be compiled (`'/foo*'`) or an entry that is not a pattern at all
 * (a number, a plain object). Thrown when the matcher is created, never per request.
 */
export class RoutePatternError extends TypeError {
  /**
   * @param {string} message
   * @param {ErrorOptions} [options]
   */
  constructor(message, options) {
    super(message, options);
    /** @type {'RoutePatternError'} */
    this.name = 'RoutePatternError';
    /** @type {'invalid-route-pattern'} */
    this.code = 'invalid-route-pattern';
  }
}

/**
 * Why a token was refused, with Clerk's fields: `reason` is one of Clerk's
 * `TokenVerificationErrorReason` codes (`token-expired`, `token-invalid-signature`,
 * `jwk-kid-mismatch`, …; plus ours where Clerk has none: `token-invalid-issuer`,
 * `jwk-local-invalid`), `message` says what to change, `action` is an optional hint. `code` repeats
 * `reason` so every portcullis error has a stable `code`. Messages never contain the token or a
 * secret key.
 */
export class TokenVerificationError extends Error {
  /**
   * @param {{reason: string, message: string, action?: string}} details
   * @param {ErrorOptions} [options]
   */
  constructor({ reason, message, action }, options) {
    super(message, options);
    /** @type {'TokenVerificationError'} */
    this.name = 'TokenVerificationError';
    /** Clerk's reason code. @type {string} */
    this.reason = reason;
    /** The same as `reason`. @type {string} */
    this.code = reason;
    /** @type {string | undefined} */
    this.action = action;
    /** Where the token came from (`'header'` / `'cookie'`), when a middleware knows. @type {string | undefined} */
    this.tokenCarrier = undefined;
  }

  /** Clerk's `getFullMessage()`: message, action, reason and carrier on one line. */
  getFullMessage() {
    return `${[this.message, this.action].filter((m) => m).join(' ')} (reason=${this.reason}, token-carrier=${this.tokenCarrier})`;
  }
}

/**
 * An option with the wrong type or value (`clockSkewInMs: '5s'`, `apiUrl: 'not a url'`). It names the
 * option (`option`) and the fix; thrown (or rejected) before any token is looked at, because a typo in
 * security configuration should stop the deploy, not weaken it silently.
 */
export class ConfigurationError extends TypeError {
  /**
   * @param {string} message
   * @param {string} option the option's name as the caller wrote it
   * @param {ErrorOptions} [options]
   */
  constructor(message, option, options) {
    super(message, options);
    /** @type {'ConfigurationError'} */
    this.name = 'ConfigurationError';
    /** @type {'invalid-option'} */
    this.code = 'invalid-option';
    /** @type {string} */
    this.option = option;
  }
}

/**
 * Turns an error thrown by the wasm core into the matching portcullis class, keeping its message;
 * anything unrecognised (a bug, a wasm trap) is returned unchanged.
 * @param {unknown} error
 * @returns {unknown}
 */
export function fromWasmError(error) {
  if (
    error instanceof MalformedURLError ||
    error instanceof RoutePatternError ||
    error instanceof TokenVerificationError ||
    error instanceof ConfigurationError
  ) {
    return error;
  }
  if (error !== null && typeof error === 'object') {
    const { name, code, message } = /** @type {{name?: unknown, code?: unknown, message?: unknown}} */ (error);
    const text = typeof message === 'string' ? message : String(error);
    if (name === 'MalformedURLError' || code === 'malformed-url') {
      return new MalformedURLError(text, { cause: error });
    }
    if (name === 'RoutePatternError' || code === 'invalid-route-pattern') {
      return new RoutePatternError(text, { cause: error });
    }
    if (name === 'TokenVerificationError') {
      const { reason } = /** @type {{reason?: unknown}} */ (error);
      const why = typeof reason === 'string' ? reason : typeof code === 'string' ? code : 'token-verification-failed';
      return new TokenVerificationError({ reason: why, message: text }, { cause: error });
    }
    if (name === 'ConfigurationError' || code === 'invalid-option') {
      const { option } = /** @type {{option?: unknown}} */ (error);
      return new ConfigurationError(text, typeof option === 'string' ? option : '', { cause: error });
    }
  }
  return error;
}
