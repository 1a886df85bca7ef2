import { z } from 'zod';

export const ROLES = ['worker', 'manager', 'admin'] as const;
export const RoleSchema = z.enum(ROLES);
export type Role = z.infer<typeof RoleSchema>;

export const SignInRequestSchema = z.strictObject({
  email: z.string().min(3).max(254),
  password: z.string().min(1).max(200),
});
export type SignInRequest = z.infer<typeof SignInRequestSchema>;

export const UserSchema = z.object({
  id: z.string(),
  orgId: z.string(),
  email: z.string(),
  name: z.string(),
  role: RoleSchema,
});
export type User = z.infer<typeof UserSchema>;

export const SessionResponseSchema = z.strictObject({
  ok: z.literal(true),
  user: UserSchema,
});
export type SessionResponse = z.infer<typeof SessionResponseSchema>;

export const HealthResponseSchema = z.object({
  ok: z.literal(true),
  protocolVersion: z.number().int(),
  minProtocolVersion: z.number().int(),
  storage: z.string(),
});
export type HealthResponse = z.infer<typeof HealthResponseSchema>;
