import { z } from 'zod';
import { SignInRequestSchema, SessionResponseSchema, HealthResponseSchema } from './auth.ts';
import { ChangeSchema } from './changes.ts';
import { FIELD_SCHEMAS, ITEM_SCHEMAS, REQUIRED_ON_CREATE, LIMITS } from './entities.ts';
import { ErrorResponseSchema } from './errors.ts';
import { LIVE_CHANGES_LIMIT, LiveMessageSchema, LiveQuerySchema } from './live.ts';
import { PriorityPullQuerySchema, PriorityPullResponseSchema, PullQuerySchema, PullResponseSchema } from './pull.ts';
import { PushRequestSchema, PushResponseSchema } from './push.ts';
import { RULES } from './rules.ts';

/**
 * Canonical text of every wire schema, the field table and the rule table.
 * Its hash is locked in schema-lock.json beside the protocol version (VR1).
 */
export function protocolFingerprint(): string {
  const json = (schema: z.ZodType) => z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' });
  const fields = Object.fromEntries(
    Object.entries(FIELD_SCHEMAS).map(([entity, keys]) => [
      entity,
      Object.fromEntries(Object.entries(keys).map(([k, s]) => [k, json(s as z.ZodType)])),
    ]),
  );
  const items = Object.fromEntries(
    Object.entries(ITEM_SCHEMAS).map(([entity, keys]) => [
      entity,
      Object.fromEntries(Object.entries(keys).map(([k, s]) => [k, json(s as z.ZodType)])),
    ]),
  );
  return JSON.stringify({
    change: json(ChangeSchema),
    pushRequest: json(PushRequestSchema),
    pushResponse: json(PushResponseSchema),
    pullQuery: json(PullQuerySchema),
    pullResponse: json(PullResponseSchema),
    priorityPullQuery: json(PriorityPullQuerySchema),
    priorityPullResponse: json(PriorityPullResponseSchema),
    live: json(LiveMessageSchema),
    liveQuery: json(LiveQuerySchema),
    liveChangesLimit: LIVE_CHANGES_LIMIT,
    error: json(ErrorResponseSchema),
    signIn: json(SignInRequestSchema),
    session: json(SessionResponseSchema),
    health: json(HealthResponseSchema),
    fields,
    items,
    required: REQUIRED_ON_CREATE,
    limits: LIMITS,
    rules: RULES,
  });
}
