/**
 * `$(VAR)` expansion for command, args and env values, with upstream's
 * (third_party/forked/golang/expansion) rules:
 * - `$(NAME)` is replaced by NAME's value when NAME is defined;
 *   an undefined reference is left as written, `$(NAME)`;
 * - `$$` is an escaped `$` (so `$$(NAME)` yields the literal `$(NAME)`);
 * - a `$(` without a closing `)` and a `$` before any other character are
 *   copied as they are.
 * Pure: never throws, never mutates.
 */
export type Mapping = (name: string) => string | undefined;

export function expand(input: string, lookup: Mapping): string {
  let out = '';
  let checkpoint = 0;
  for (let i = 0; i < input.length; i++) {
    if (input[i] !== '$' || i + 1 >= input.length) continue;
    out += input.slice(checkpoint, i);
    const next = input[i + 1];
    if (next === '$') {
      out += '$';
      i += 1;
    } else if (next === '(') {
      const close = input.indexOf(')', i + 2);
      if (close < 0) {
        out += '$(';
        i += 1;
      } else {
        const name = input.slice(i + 2, close);
        const v = lookup(name);
        out += v === undefined ? `$(${name})` : v;
        i = close;
      }
    } else {
      out += '$' + next;
      i += 1;
    }
    checkpoint = i + 1;
  }
  return out + input.slice(checkpoint);
}

/** A mapping over several maps, first match wins (the env so far, then the service env). */
export function mappingOf(...maps: ReadonlyMap<string, string>[]): Mapping {
  return (name) => {
    for (const m of maps) {
      const v = m.get(name);
      if (v !== undefined) return v;
    }
    return undefined;
  };
}
