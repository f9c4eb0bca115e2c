import { z } from 'zod';

type Undefaulted<F> = F extends z.ZodDefault<infer Inner> ? Inner : F;
type PatchShape<T extends z.ZodRawShape> = { [K in keyof T]: z.ZodOptional<Undefaulted<T[K]>> };

/**
 * The schema of a PATCH body: every field optional and without its default, so a field not sent is left as it
 * is. (zod's `.partial()` keeps defaults: a PATCH of one field would reset the others to their defaults.)
 */
export function patchOf<T extends z.ZodRawShape>(schema: z.ZodObject<T>): z.ZodObject<PatchShape<T>> {
  const shape: Record<string, z.ZodType> = {};
  for (const [key, field] of Object.entries(schema.shape)) {
    const inner = field instanceof z.ZodDefault ? (field.unwrap() as z.ZodType) : (field as z.ZodType);
    shape[key] = inner.optional();
  }
  return z.object(shape) as unknown as z.ZodObject<PatchShape<T>>;
}
