// A small POSIX-shell word splitter for the README's command recipes: enough of `sh` to read a
// plain list of commands exactly as a shell would, and a loud refusal of anything more (pipes,
// variables, substitutions), so a recipe that only works in someone's shell cannot slip in.
//
// Supported: blanks between words, one command per line, `\`-newline continuations,
// '…' (literal), "…" (with \" \\ \$ \` and \-newline escapes), backslash escapes outside
// quotes, and `#` comments at the start of a word.

export class ShellSyntaxError extends Error {
  override name = 'ShellSyntaxError';
}

const UNSUPPORTED = new Set(['|', '&', ';', '<', '>', '(', ')', '$', '`', '*', '?', '[', '{', '}', '~']);

/** Splits shell text into commands, each a list of words (comments and blank lines dropped). */
export function splitCommands(text: string): string[][] {
  const commands: string[][] = [];
  let words: string[] = [];
  let word = '';
  let inWord = false;
  let line = 1;
  const fail = (what: string): never => {
    throw new ShellSyntaxError(`line ${line}: ${what}`);
  };
  const endWord = (): void => {
    if (inWord) words.push(word);
    word = '';
    inWord = false;
  };
  const endCommand = (): void => {
    endWord();
    if (words.length) commands.push(words);
    words = [];
  };

  let i = 0;
  while (i < text.length) {
    const c = text[i] as string;
    if (c === '\n') {
      endCommand();
      line++;
      i++;
    } else if (c === ' ' || c === '\t' || c === '\r') {
      endWord();
      i++;
    } else if (c === '#' && !inWord) {
      while (i < text.length && text[i] !== '\n') i++;
    } else if (c === '\\') {
      const next = text[i + 1];
      if (next === undefined) fail('a lone backslash at the end');
      if (next === '\n') {
        line++; // a continuation: the command goes on, the current word too
      } else {
        word += next;
        inWord = true;
      }
      i += 2;
    } else if (c === "'") {
      const end = text.indexOf("'", i + 1);
      if (end < 0) fail('an unterminated single quote');
      const quoted = text.slice(i + 1, end);
      line += quoted.split('\n').length - 1;
      word += quoted;
      inWord = true;
      i = end + 1;
    } else if (c === '"') {
      inWord = true;
      i++;
      for (;;) {
        const d = text[i];
        if (d === undefined) fail('an unterminated double quote');
        i++;
        if (d === '"') break;
        if (d === '$' || d === '`') fail(`"${d}" inside double quotes (no expansions in a recipe)`);
        if (d === '\\') {
          const next = text[i];
          if (next === '\n') {
            line++;
          } else if (next === '"' || next === '\\' || next === '$' || next === '`') {
            word += next;
          } else {
            word += '\\' + (next ?? '');
          }
          i++;
          continue;
        }
        if (d === '\n') line++;
        word += d;
      }
    } else if (UNSUPPORTED.has(c)) {
      fail(`unsupported shell syntax "${c}" (a recipe is a plain list of commands; quote it if it is meant literally)`);
    } else {
      word += c;
      inWord = true;
      i++;
    }
  }
  endCommand();
  return commands;
}
