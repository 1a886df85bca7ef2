/**
 * A location stamp for a punch, if the person allows it and the device finds one quickly. Never rejects
 * and never waits longer than `timeoutMs` (a permission prompt left open must not hold the punch):
 * null means "no location" and the punch is flagged, never blocked.
 */
export interface LocationStamp {
  readonly lat: number;
  readonly lng: number;
  readonly accuracyM: number;
}

export function locate(geolocation: Geolocation | undefined, timeoutMs = 5_000): Promise<LocationStamp | null> {
  if (geolocation === undefined) return Promise.resolve(null);
  return new Promise((resolve) => {
    let done = false;
    const finish = (value: LocationStamp | null): void => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      resolve(value);
    };
    const timer = setTimeout(() => finish(null), timeoutMs);
    try {
      geolocation.getCurrentPosition(
        (position) => {
          const { latitude, longitude, accuracy } = position.coords;
          const ok = Number.isFinite(latitude) && Number.isFinite(longitude) && Number.isFinite(accuracy);
          finish(ok ? { lat: latitude, lng: longitude, accuracyM: Math.min(Math.max(accuracy, 0), 1e7) } : null);
        },
        () => finish(null),
        { enableHighAccuracy: true, timeout: timeoutMs, maximumAge: 60_000 },
      );
    } catch {
      finish(null);
    }
  });
}
