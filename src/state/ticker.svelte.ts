/** A wall clock that ticks while someone looks at it, for "Synced 2 min ago". Call during component init. */
export function ticker(everyMs = 15_000): { readonly now: number } {
  let now = $state(Date.now());
  $effect(() => {
    const handle = setInterval(() => (now = Date.now()), everyMs);
    return () => clearInterval(handle);
  });
  return {
    get now() {
      return now;
    },
  };
}
