/**
 * A mistake in how the bin was called (an unknown option, a missing value, an unreadable file): the
 * message says how to fix it, and the process exits with {@link EXIT_USAGE}.
 */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

/** The exit code of every command for a {@link UsageError}. */
export const EXIT_USAGE = 2;
