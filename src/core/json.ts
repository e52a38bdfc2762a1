/** A JSON object, as agents' stream-json lines hold. */
export type Json = Record<string, unknown>;

/** Whether a parsed value is a JSON object (not an array, not null). */
export const isObject = (value: unknown): value is Json => typeof value === 'object' && value !== null && !Array.isArray(value);

/** One line of JSON as an object; undefined for anything else (text, a torn line, an array). */
export function jsonObjectLine(text: string): Json | undefined {
  if (!text.startsWith('{')) return undefined;
  try {
    const parsed: unknown = JSON.parse(text);
    return isObject(parsed) ? parsed : undefined;
  } catch {
    return undefined;
  }
}
