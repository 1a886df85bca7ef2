/**
 * Who is signed in on this device.
 *
 * The server's HttpOnly cookie is the authority; the page remembers the signed-in person in localStorage so
 * the app opens signed in, instantly, with no network. When the server later answers 401 the session is
 * marked `expired`: the person keeps working and is asked to sign in again *to send* — local data is never
 * wiped here (contract 8; FIELD-NOTES: "logging out offline deletes unsynced changes" is what peers got wrong).
 */
import { UserSchema } from '../../protocol/auth.ts';
import { isoNow } from './clock.ts';
import { createAuthClient, type AuthClient, type SignInFailure, type User } from './auth-client.ts';

export type { SignInFailure, User };

/** localStorage keys. Bump the suffix if the stored shape changes. */
export const SESSION_KEY = 'outpost.session.v1';
export const SIGN_OUT_PENDING_KEY = 'outpost.signOutPending.v1';

type StoredSession = { user: User; savedAt: string };

export type SessionDeps = {
  client: AuthClient;
  storage: Pick<Storage, 'getItem' | 'setItem' | 'removeItem'>;
  /** The current time as an ISO string (injected for tests). */
  now?: () => string;
};

export class Session {
  /** The signed-in person, or null when nobody is signed in on this device. */
  user = $state<User | null>(null);
  /** The server no longer accepts this device's session: keep working, sign in again to send. */
  expired = $state(false);
  signingIn = $state(false);
  /** True once the person signed in during this visit (not restored from the device): the UI moves focus. */
  justSignedIn = $state(false);
  /** Why the last sign-in attempt failed; cleared by the next attempt. */
  error = $state<SignInFailure | null>(null);

  readonly #client: AuthClient;
  readonly #storage: SessionDeps['storage'];
  readonly #now: () => string;

  constructor({ client, storage, now = isoNow }: SessionDeps) {
    this.#client = client;
    this.#storage = storage;
    this.#now = now;
    this.user = this.#readStored();
  }

  get signedIn(): boolean {
    return this.user !== null;
  }

  /**
   * Ask the server whether the session still holds. Offline or unreachable changes nothing. Finishes a
   * sign-out that could not reach the server earlier, and never adopts the cookie's session in that case.
   */
  async revalidate(): Promise<void> {
    if (this.#storage.getItem(SIGN_OUT_PENDING_KEY) !== null) {
      if (await this.#client.signOut()) this.#storage.removeItem(SIGN_OUT_PENDING_KEY);
      return;
    }
    const result = await this.#client.check();
    if (result.kind === 'valid') {
      if (this.user === null || this.user.id === result.user.id) {
        this.#adopt(result.user);
      } else {
        // The browser's cookie belongs to someone else (signed in elsewhere): this person must sign in again.
        this.expired = true;
      }
    } else if (result.kind === 'signed-out' && this.user !== null) {
      this.expired = true;
    }
  }

  async signIn(email: string, password: string): Promise<boolean> {
    if (this.signingIn) return false;
    this.signingIn = true;
    this.error = null;
    try {
      const result = await this.#client.signIn(email, password);
      if (!result.ok) {
        this.error = result.failure;
        return false;
      }
      this.#storage.removeItem(SIGN_OUT_PENDING_KEY);
      this.justSignedIn = true;
      this.#adopt(result.user);
      return true;
    } finally {
      this.signingIn = false;
    }
  }

  /**
   * Sign out on this device at once; tell the server when it can be reached (now or on the next
   * revalidate). Data kept on the device is left alone.
   */
  async signOut(): Promise<void> {
    this.user = null;
    this.expired = false;
    this.justSignedIn = false;
    this.error = null;
    this.#storage.removeItem(SESSION_KEY);
    this.#storage.setItem(SIGN_OUT_PENDING_KEY, this.#now());
    if (await this.#client.signOut()) this.#storage.removeItem(SIGN_OUT_PENDING_KEY);
  }

  clearError(): void {
    this.error = null;
  }

  #adopt(user: User): void {
    this.user = user;
    this.expired = false;
    const stored: StoredSession = { user, savedAt: this.#now() };
    try {
      this.#storage.setItem(SESSION_KEY, JSON.stringify(stored));
    } catch {
      // Storage full or blocked: the person stays signed in for this visit; nothing else depends on it.
    }
  }

  #readStored(): User | null {
    let raw: string | null;
    try {
      raw = this.#storage.getItem(SESSION_KEY);
    } catch {
      return null;
    }
    if (raw === null) return null;
    try {
      const parsed = UserSchema.safeParse((JSON.parse(raw) as Partial<StoredSession>).user);
      return parsed.success ? parsed.data : null;
    } catch {
      return null;
    }
  }
}

/** The app's one session, talking to the real API. */
export const session = new Session({
  client: createAuthClient({ fetch: (...args) => globalThis.fetch(...args), isOnline: () => navigator.onLine }),
  storage: localStorage,
});
