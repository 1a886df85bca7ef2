/** The wall clock as an ISO string; injected where tests need a fixed time. */
export const isoNow = (): string => new Date().toISOString();
