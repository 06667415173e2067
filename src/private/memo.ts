/**
 * The value of `key` among the values that `maps` holds for `owner` (a stack, for one), made by `make` the first time
 * it is asked for: what each stack needs once, whichever construct asks first.
 */
export function memoized<O extends object, K, V>(maps: WeakMap<O, Map<K, V>>, owner: O, key: K, make: () => V): V {
  let values = maps.get(owner);
  if (values === undefined) {
    values = new Map();
    maps.set(owner, values);
  }
  let value = values.get(key);
  if (value === undefined) {
    value = make();
    values.set(key, value);
  }
  return value;
}
