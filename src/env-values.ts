/** The environment as configuration reads it. */
export type Env = Record<string, string | undefined>;

/** An integer setting within [min, max]; a bad value is reported in `problems` and the fallback used. */
export function readInt(env: Env, problems: string[], name: string, fallback: number, min: number, max: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min || value > max) {
    problems.push(`${name} must be an integer from ${min} to ${max} (got "${raw}")`);
    return fallback;
  }
  return value;
}
