/**
 * Wire protocol version. Bump PROTOCOL_VERSION whenever any schema in this
 * folder changes shape, add one line of history, and refresh schema-lock.json
 * (`npm run protocol:lock`). The schema-hash test fails otherwise.
 *
 * History:
 *   1 — first protocol: push (batched changes, one receipt each), pull by
 *       cursor, errors, live-channel pokes; entities job, report, punch.
 *   2 — pulled records may be revocations (`revoked: true`): the person may no
 *       longer see the entity (PL4). A version-1 device reads one as a deletion.
 *   3 — `GET /api/sync/pull/priority`: a new device's first jobs (this week's)
 *       before the pull by cursor (PL5). Nothing else changes; a device that
 *       finds no such route on its server pulls by cursor only.
 *   4 — live `changes` (LV3): a stream opened with `?records=1` carries what a pull would bring, so an
 *       open device sees a change without a pull; its `hello` says the cursor it follows from; other
 *       streams keep plain pokes. A pull's last page
 *       returns the newest sequence number as its cursor (PL1).
 */
export const PROTOCOL_VERSION = 4;

/** Oldest client protocol the server still accepts (older gets 426 client_too_old). */
export const MIN_PROTOCOL_VERSION = 1;

/**
 * Version of the `fields` payload inside a change. A change queued by an older
 * app keeps the payload version it was written with; the server migrates it
 * forward (see `migrateChange`) instead of refusing it.
 */
export const PAYLOAD_VERSION = 1;

/** Header carrying the protocol version on every sync request. */
export const PROTOCOL_HEADER = 'x-outpost-protocol';
/** Header carrying a client-made request id, echoed in server logs. */
export const REQUEST_ID_HEADER = 'x-request-id';
