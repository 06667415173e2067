/**
 * The items of a field of a resolved IAM policy document (`Statement`, `Action`, `Resource`, `Principal.Service`...),
 * which IAM writes either as one value or as a list of them: none when the field is absent.
 */
export function itemsOf(value: unknown): any[] {
  if (value === undefined || value === null) {
    return [];
  }
  return Array.isArray(value) ? value : [value];
}
