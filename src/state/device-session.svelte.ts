/**
 * Ties the device to the session: open on sign-in, close on sign-out (local data stays), mark the session
 * ended when the engine hears 401/403 (PU7 `signed-out`), and resume sending once the person signs in again.
 */
import { untrack } from 'svelte';
import { device } from './device.svelte.ts';
import { session } from './session.svelte.ts';

export function connectDeviceToSession(): () => void {
  return $effect.root(() => {
    $effect(() => {
      const user = session.user;
      untrack(() => {
        if (user !== null) void device.open(user);
        else void device.close();
      });
    });

    // Only the move INTO `signed-out` ends the session: a sign-in in between must not be undone by a stale status.
    let lastPhase = untrack(() => device.status.phase);
    $effect(() => {
      const phase = device.status.phase;
      if (phase === 'signed-out' && lastPhase !== 'signed-out') {
        untrack(() => {
          if (session.user !== null) session.expired = true;
        });
      }
      lastPhase = phase;
    });

    let wasExpired = untrack(() => session.expired);
    $effect(() => {
      const expired = session.expired;
      if (wasExpired && !expired) untrack(() => device.resume());
      wasExpired = expired;
    });
  });
}
