/**
 * Operators start daemons from systemd units:
 *
 *   EnvironmentFile=-/etc/kubernetes/apiserver       (KUBE_API_PORT="--port=8080" …)
 *   ExecStart=/usr/bin/kube-apiserver $KUBE_LOGTOSTDERR $KUBE_LOG_LEVEL $KUBE_API_ARGS
 *
 * or from shell scripts (the seeds' `$HOME_PATH/apps/…/kube-apiserver \ --flag="$VAR" \ …`).
 * parseEnvFile reads the first; splitCommandLine turns either command line into argv
 * with the variables filled in, so tests (and a future `kubeadm doctor`) can check
 * a unit or script against the real flag table.
 */

/**
 * Parses a systemd EnvironmentFile: `KEY=value` lines, `#`/`;` comments, single or
 * double quotes, backslash escapes and backslash-newline continuations. Later keys win.
 */
export function parseEnvFile(text: string): Record<string, string> {
  const env: Record<string, string> = {};
  let i = 0;
  const n = text.length;
  while (i < n) {
    // Start of a line: skip blanks, comments and empty lines.
    while (i < n && (text[i] === ' ' || text[i] === '\t' || text[i] === '\r' || text[i] === '\n')) i++;
    if (i >= n) break;
    if (text[i] === '#' || text[i] === ';') {
      while (i < n && text[i] !== '\n') i++;
      continue;
    }
    let key = '';
    while (i < n && text[i] !== '=' && text[i] !== '\n') key += text[i++];
    key = key.trim().replace(/^export\s+/, '');
    if (i >= n || text[i] === '\n' || !/^[A-Za-z_][A-Za-z0-9_]*$/.test(key)) {
      // systemd ignores lines that are not assignments; so do we.
      while (i < n && text[i] !== '\n') i++;
      continue;
    }
    i++; // '='
    while (i < n && (text[i] === ' ' || text[i] === '\t')) i++;
    let value = '';
    let trailingBlank = 0; // unquoted trailing whitespace is dropped
    while (i < n && text[i] !== '\n') {
      const c = text[i];
      if (c === '\\' && text[i + 1] === '\n') {
        i += 2; // continuation
        continue;
      }
      if (c === '\\' && i + 1 < n) {
        value += text[i + 1];
        trailingBlank = 0;
        i += 2;
        continue;
      }
      if (c === '"' || c === "'") {
        i++;
        while (i < n && text[i] !== c) {
          if (c === '"' && text[i] === '\\' && i + 1 < n) {
            if (text[i + 1] !== '\n') value += text[i + 1];
            i += 2;
            continue;
          }
          value += text[i++];
        }
        i++; // closing quote
        trailingBlank = 0;
        continue;
      }
      value += c;
      trailingBlank = c === ' ' || c === '\t' || c === '\r' ? trailingBlank + 1 : 0;
      i++;
    }
    env[key] = trailingBlank > 0 ? value.slice(0, value.length - trailingBlank) : value;
  }
  return env;
}

export interface SplitOptions {
  /**
   * 'sh' (default): an unquoted $VAR or ${VAR} is split on whitespace, a quoted one is not.
   * 'systemd': a word that is exactly $VAR is split on whitespace; ${VAR} is never split (systemd.service(5)).
   */
  mode?: 'sh' | 'systemd';
  /** Throw when a variable is not in env, instead of reading it as empty (tests use this to catch typos). */
  strict?: boolean;
}

/**
 * Splits one command line into argv the way the shell (or systemd) would, with
 * variables from env. Handles quotes, backslash escapes and backslash-newline
 * continuations; an unquoted newline, `&`, `;` or `#` at a word start ends the command.
 * Newlines inside quotes are kept, as the shell keeps them.
 */
export function splitCommandLine(line: string, env: Readonly<Record<string, string>>, opts: SplitOptions = {}): string[] {
  const mode = opts.mode ?? 'sh';
  const out: string[] = [];
  let word = '';
  let inWord = false; // true once the word has any quoted or literal part, even an empty one
  const lookup = (name: string): string => {
    const v = env[name];
    if (v === undefined) {
      if (opts.strict) throw new Error(`splitCommandLine: variable $${name} is not set`);
      return '';
    }
    return v;
  };
  const finish = (): void => {
    if (inWord) out.push(word);
    word = '';
    inWord = false;
  };
  /** Reads $NAME or ${NAME} at i (which points at '$'); returns the name, whether braced, and the next index. */
  const readVar = (i: number): { name: string; braced: boolean; next: number } | undefined => {
    if (line[i + 1] === '{') {
      const end = line.indexOf('}', i + 2);
      if (end < 0) throw new Error(`splitCommandLine: unterminated \${ at offset ${i}`);
      return { name: line.slice(i + 2, end), braced: true, next: end + 1 };
    }
    const m = /^[A-Za-z_][A-Za-z0-9_]*/.exec(line.slice(i + 1));
    return m ? { name: m[0], braced: false, next: i + 1 + m[0].length } : undefined;
  };

  let i = 0;
  while (i < line.length) {
    const c = line[i];
    if (c === '\\') {
      if (line[i + 1] === '\n') i += 2; // continuation: neither a character nor a separator
      else {
        word += line[i + 1] ?? '';
        inWord = true;
        i += 2;
      }
      continue;
    }
    if (c === ' ' || c === '\t' || c === '\r') {
      finish();
      i++;
      continue;
    }
    if (c === '\n' || c === ';' || c === '&' || (c === '#' && !inWord)) break;
    if (c === "'") {
      const end = line.indexOf("'", i + 1);
      if (end < 0) throw new Error(`splitCommandLine: unterminated ' at offset ${i}`);
      word += line.slice(i + 1, end);
      inWord = true;
      i = end + 1;
      continue;
    }
    if (c === '"') {
      i++;
      inWord = true;
      while (i < line.length && line[i] !== '"') {
        if (line[i] === '\\' && i + 1 < line.length && '"\\$`\n'.includes(line[i + 1])) {
          if (line[i + 1] !== '\n') word += line[i + 1];
          i += 2;
        } else if (line[i] === '$') {
          const v = readVar(i);
          if (v) {
            word += lookup(v.name);
            i = v.next;
          } else word += line[i++];
        } else word += line[i++];
      }
      if (i >= line.length) throw new Error('splitCommandLine: unterminated "');
      i++;
      continue;
    }
    if (c === '$') {
      const v = readVar(i);
      if (!v) {
        word += c;
        inWord = true;
        i++;
        continue;
      }
      const value = lookup(v.name);
      const standalone = !inWord && word === '' && /^$|^[\s;&]/.test(line.slice(v.next, v.next + 1));
      const split = mode === 'sh' || (!v.braced && standalone);
      if (!split) {
        word += value;
        inWord = true;
      } else {
        // Field splitting: the first field joins the current word, the last may continue.
        const fields = value.split(/[ \t\n]+/);
        fields.forEach((f, k) => {
          if (k > 0) finish();
          if (f !== '') {
            word += f;
            inWord = true;
          }
        });
      }
      i = v.next;
      continue;
    }
    word += c;
    inWord = true;
    i++;
  }
  finish();
  return out;
}
