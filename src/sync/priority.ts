/**
 * PL5: which jobs a new device asks for first — the device's own week (local dates), Monday to Sunday,
 * stretched to tomorrow on a Sunday so the Today screen's two days are always in it.
 */
export interface PriorityWindow {
  /** First day, YYYY-MM-DD (local). */
  readonly from: string;
  /** Last day, YYYY-MM-DD (local), inclusive. */
  readonly to: string;
}

function localDay(d: Date): string {
  return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`;
}

export function priorityWindow(nowMs: number): PriorityWindow {
  const now = new Date(nowMs);
  const sinceMonday = (now.getDay() + 6) % 7;
  const monday = new Date(now.getFullYear(), now.getMonth(), now.getDate() - sinceMonday);
  const sunday = new Date(monday.getFullYear(), monday.getMonth(), monday.getDate() + 6);
  const tomorrow = new Date(now.getFullYear(), now.getMonth(), now.getDate() + 1);
  return { from: localDay(monday), to: localDay(tomorrow > sunday ? tomorrow : sunday) };
}
