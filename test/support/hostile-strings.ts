/**
 * fast-check arbitraries for user-controlled text (branch, environment and credential names,
 * Entra's messages) that tries to break out of the context it is written into: markdown tables,
 * HTML, workflow commands, shell words. Used by the unit tests' properties.
 *
 * Built from code units instead of fast-check's 'binary' unit, whose first use costs ~1 s.
 */
import fc from 'fast-check';

export const HOSTILE_FRAGMENTS = [
  '|',
  '\\|',
  '`',
  '```',
  '````',
  '~~~',
  '<script>alert(1)</script>',
  '<img src=x onerror=alert(1)>',
  '</code>',
  '<code>',
  '](javascript:alert(1))',
  '[click](https://evil.example)',
  '![x](https://evil.example/x.png)',
  '<https://evil.example>',
  '#',
  '# Heading',
  '\n# Heading',
  '\n',
  '\r\n',
  '\r',
  '\n\n',
  '@octocat',
  '@github/security',
  '%0A',
  '%0D',
  '%25',
  '%3A',
  '::error::forged',
  '\n::error::forged',
  '::add-mask::x',
  '::',
  ',',
  ':',
  '=',
  "'",
  '"',
  '$(id)',
  '${HOME}',
  '`id`',
  '\\',
  ';',
  '&&',
  '||',
  '>',
  '<',
  '&',
  '&#124;',
  '&lt;',
  '*',
  '_',
  '**',
  '[',
  ']',
  '(',
  ')',
  '!',
  '-',
  '+',
  '.',
  '{',
  '}',
  '^',
  '~',
  '\t',
  '\u0000',
  '\u001b[31m',
  '\u2028',
  '\u2029',
  '\u00a0',
  '\ufeff',
  '€',
  '漢字',
  '🎉',
  '\ud800',
  'ghadelimiter_',
  'www.evil.example',
  'https://evil.example',
  'javascript:alert(1)',
  '---',
  '===',
  '> quote',
  '- item',
  '1. item',
  // The runner's legacy command form works anywhere in a line; stop-commands switches masking off.
  '##[stop-commands]x',
  '##[set-output name=a]b',
  '##[add-mask]x',
  '##[error]forged',
  '##[',
  '\n::stop-commands::t',
  '\u2028::error::x',
  '\u0085::error::x',
  '\u2029',
  ' ::warning::x',
  // Terminal control: clipboard write (OSC 52), title (OSC 0), clear screen, hyperlink (OSC 8), C1 CSI, bidi.
  '\u001b]52;c;ZXZpbA==\u0007',
  '\u001b]0;title\u0007',
  '\u001b[2J',
  '\u001b]8;;https://evil.example\u001b\\x\u001b]8;;\u001b\\',
  '\u009b2J',
  '\u202e',
  '\u2066',
  '\u001bc',
  // GFM autolinks and mentions (github.com renders them): e-mail, www., bare URL, user and team.
  'a@b.example',
  'mailto:a@b.example',
  'www.example.com',
  'http://x.example',
  '@user',
  '@org/team',
  '#123',
  'GH-1',
  '<img>',
  '<!-- c -->',
  '<details>',
  '|---|',
  '\\|',
  '[x]: https://evil.example',
  '[x]',
  '~~s~~',
  '$x$',
  ':smile:',
];

/** The payloads the security review used (issue 13): each must reach the log and summary harmless. */
export const FORGED_COMMANDS = [
  '##[stop-commands]x',
  '##[set-output name=a]b',
  '\n::error::x',
  '\r::error::x',
  'ok\u2028::error::x',
  '%0A::error::x',
  '\u001b]52;c;ZXZpbA==\u0007',
  'www.evil.example',
  'a@b.example',
  '<img src=x>',
  '|',
  '# h',
  '@user',
];

/** Any UTF-16 code unit, lone surrogates and control characters included. */
const anyCodeUnit = fc.integer({ min: 0, max: 0xffff }).map((c) => String.fromCharCode(c));

/** A string built from hostile fragments, printable ASCII and arbitrary code units. */
export function hostileString(maxLength = 40): fc.Arbitrary<string> {
  return fc
    .array(
      fc.oneof(
        { weight: 4, arbitrary: fc.constantFrom(...HOSTILE_FRAGMENTS) },
        { weight: 3, arbitrary: fc.string({ maxLength: 6 }) },
        { weight: 1, arbitrary: anyCodeUnit },
      ),
      {
        maxLength,
      },
    )
    .map((parts) => parts.join(''));
}

const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

/** Replace lone surrogates (which no UTF-8 channel can carry) with U+FFFD. */
export function wellFormed(s: string): string {
  return s.replace(LONE_SURROGATE, '\ufffd');
}

/**
 * Like hostileString but something a process argument can carry: no NUL, no lone surrogate
 * (arguments travel as UTF-8).
 */
export function hostileArgument(maxLength = 40): fc.Arbitrary<string> {
  return hostileString(maxLength).map((s) => wellFormed(s.replace(/\u0000/g, '')));
}
