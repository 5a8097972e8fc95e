/**
 * A fast reader for the plain block YAML most workflow files are written in: block maps and
 * sequences, plain and quoted scalars, `|`/`>` block scalars, and flow collections on one line.
 * It builds the yaml library's own nodes (with source ranges), so the rest of the parser reads
 * them unchanged. Anything else (anchors, aliases, tags, tabs, multi-line flow or quoted
 * scalars, duplicate keys, documents markers, anything that looks wrong) returns undefined and
 * the caller parses the file with the yaml library, which also reports errors. Why: the library
 * spends most of a run's time on files like these (README "Speed"). Pure, never throws.
 */
import type { Node as LibraryNode } from 'yaml';
import { MAP, NODE_TYPE, PAIR, SCALAR, SEQ } from './yaml-nodes.js';

/**
 * The reader's nodes: only what the parser reads (value, items, key, range), marked the way the yaml
 * library marks its own (yaml-nodes.ts), so isMap/isSeq/isScalar/isPair tell them apart. The library's
 * classes set that mark on every node with defineProperty and bring the library's whole stringifier
 * along; here the mark sits once on each prototype.
 */
type Range = [number, number, number];
class Scalar {
  range?: Range;
  constructor(public value: unknown) {}
}
class Pair {
  constructor(
    public key: Node,
    public value: Node,
  ) {}
}
class YAMLMap {
  range?: Range;
  items: Pair[] = [];
}
class YAMLSeq {
  range?: Range;
  items: Node[] = [];
}
type Node = Scalar | YAMLMap | YAMLSeq;
for (const [kind, type] of [
  [Scalar, SCALAR],
  [Pair, PAIR],
  [YAMLMap, MAP],
  [YAMLSeq, SEQ],
] as const)
  Object.defineProperty(kind.prototype, NODE_TYPE, { value: type });

class Unsupported extends Error {}

interface Line {
  /** Offset of the line's first character in the text. */
  start: number;
  indent: number;
  /** The line without indentation and without a trailing comment; '' for blank or comment lines. */
  content: string;
  /** Offset of `content` in the text. */
  at: number;
  /** The raw line (for block scalars). */
  raw: string;
  /** `content` has had its comment removed (done when the line is read as structure). */
  cleaned?: boolean;
}

/** The line as structure: its comment removed. Unbalanced quotes are not for this reader. */
function clean(line: Line): Line {
  if (!line.cleaned) {
    const cut = commentStart(line.content);
    if (cut >= 0) line.content = line.content.slice(0, cut).trimEnd();
    line.cleaned = true;
  }
  return line;
}

const fail = (): never => {
  throw new Unsupported();
};

/** Where a ` #` comment starts outside quotes, or -1. */
function commentStart(s: string): number {
  // Most lines have neither a comment nor a quote: no need to walk them character by character.
  if (!/[#"']/.test(s)) return -1;
  let quote = '';
  for (let i = 0; i < s.length; i++) {
    const c = s[i]!;
    if (quote) {
      if (c === quote) {
        if (quote === "'" && s[i + 1] === "'") i++;
        else quote = '';
      } else if (c === '\\' && quote === '"') i++;
      continue;
    }
    if ((c === '"' || c === "'") && (i === 0 || /[\s[{,:-]/.test(s[i - 1]!))) quote = c;
    else if (c === '#' && (i === 0 || /\s/.test(s[i - 1]!))) return i;
  }
  return quote ? fail() : -1;
}

function splitLines(text: string): Line[] {
  const lines: Line[] = [];
  let start = 0;
  for (const raw0 of text.split('\n')) {
    // A byte order mark before the first line is not part of it (the yaml library skips it too).
    const bom = start === 0 && raw0.startsWith('\uFEFF') ? 1 : 0;
    const raw = raw0.endsWith('\r') ? raw0.slice(bom, -1) : raw0.slice(bom);
    const indent = raw.length - raw.replace(/^ +/, '').length;
    if (raw[indent] === '\t') fail();
    const body = raw.slice(indent);
    lines.push({
      start: start + bom,
      indent,
      content: body.startsWith('#') ? '' : body.trimEnd(),
      at: start + bom + indent,
      raw,
    });
    start += raw0.length + 1;
  }
  return lines;
}

const PLAIN_NULL = /^(?:~|null|Null|NULL)?$/;
const PLAIN_BOOL = /^(?:true|True|TRUE|false|False|FALSE)$/;
const PLAIN_INT = /^[-+]?(?:[0-9]+|0o[0-7]+|0x[0-9a-fA-F]+)$/;
const PLAIN_FLOAT = /^[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?$/;

function plainValue(s: string): unknown {
  if (PLAIN_NULL.test(s)) return null;
  if (PLAIN_BOOL.test(s)) return s[0] === 't' || s[0] === 'T';
  if (PLAIN_INT.test(s)) {
    if (/^[-+]?0o/.test(s)) return parseInt(s.replace('0o', ''), 8);
    return Number(s);
  }
  if (PLAIN_FLOAT.test(s)) return Number(s);
  if (/^[-+]?\.(?:inf|Inf|INF)$/.test(s) || /^\.(?:nan|NaN|NAN)$/.test(s)) fail();
  return s;
}

function scalar(value: unknown, from: number, to: number): Scalar {
  const s = new Scalar(value);
  s.range = [from, to, to];
  return s;
}

const ESCAPES: Record<string, string> = {
  n: '\n',
  t: '\t',
  r: '\r',
  '"': '"',
  '\\': '\\',
  '/': '/',
  '0': '\0',
  ' ': ' ',
  e: '\x1b',
  b: '\b',
  f: '\f',
  a: '\x07',
  v: '\v',
};

/** A quoted scalar at the start of `s`: its value and length. */
function quoted(s: string): { value: string; length: number } {
  const q = s[0]!;
  let out = '';
  for (let i = 1; i < s.length; i++) {
    const c = s[i]!;
    if (q === "'") {
      if (c === "'") {
        if (s[i + 1] === "'") {
          out += "'";
          i++;
          continue;
        }
        return { value: out, length: i + 1 };
      }
      out += c;
      continue;
    }
    if (c === '"') return { value: out, length: i + 1 };
    if (c === '\\') {
      const n = s[i + 1] ?? fail();
      if (n === 'u' || n === 'x' || n === 'U') {
        const len = n === 'x' ? 2 : n === 'u' ? 4 : 8;
        const hex = s.slice(i + 2, i + 2 + len);
        if (!/^[0-9a-fA-F]+$/.test(hex) || hex.length !== len) fail();
        out += String.fromCodePoint(parseInt(hex, 16));
        i += 1 + len;
        continue;
      }
      out += ESCAPES[n] ?? fail();
      i++;
      continue;
    }
    out += c;
  }
  return fail();
}

/** `key: rest` at the start of a content string: the key node and where the value starts; undefined if not a pair. */
function splitKey(content: string, at: number): { key: Scalar; rest: string; restAt: number } | undefined {
  let keyText: string;
  let keyEnd: number;
  let key: Scalar;
  if (content[0] === '"' || content[0] === "'") {
    const q = quoted(content);
    keyEnd = q.length;
    if (content[keyEnd] !== ':') return undefined;
    key = scalar(q.value, at, at + keyEnd);
    keyText = q.value;
  } else {
    const m = /^([^\s#:[\]{},&*!|>'"%@`][^:#]*?|[^\s#:[\]{},&*!|>'"%@`]?):(?=\s|$)/.exec(content);
    if (!m) return undefined;
    keyText = m[1]!.trimEnd();
    keyEnd = m[1]!.length;
    if (keyText.includes(': ') || keyText === '') fail();
    key = scalar(plainValue(keyText), at, at + keyText.length);
  }
  if (keyText === '<<') fail();
  const after = content.slice(keyEnd + 1);
  const rest = after.trimStart();
  return { key, rest, restAt: at + keyEnd + 1 + (after.length - rest.length) };
}

/** A flow collection (`[a, b]`, `{a: 1}`) that ends on its line. */
function flow(s: string, at: number): { node: Node; length: number } {
  const open = s[0]!;
  const close = open === '[' ? ']' : '}';
  const node = open === '[' ? new YAMLSeq() : new YAMLMap();
  node.range = [at, at, at];
  let i = 1;
  const skip = () => {
    for (;;) {
      while (i < s.length && /\s/.test(s[i]!)) i++;
      // A comment inside a collection that spans lines runs to the end of its line.
      if (s[i] === '#' && /\s/.test(s[i - 1] ?? '')) while (i < s.length && s[i] !== '\n') i++;
      else return;
    }
  };
  const item = (): Node | null => {
    skip();
    const c = s[i];
    if (c === '[' || c === '{') {
      const r = flow(s.slice(i), at + i);
      i += r.length;
      return r.node;
    }
    if (c === '"' || c === "'") {
      const q = quoted(s.slice(i, s.indexOf('\n', i) === -1 ? s.length : s.indexOf('\n', i)));
      const n = scalar(q.value, at + i, at + i + q.length);
      i += q.length;
      return n;
    }
    const m = /^[^,[\]{}#\n]*/.exec(s.slice(i, i + 4096))![0];
    const text = open === '{' ? m.split(/:(?=\s|$)/)[0]! : m;
    const t = text.trimEnd();
    if (t === '') return null;
    if (/^[&*!|>%@`]/.test(t) || /: /.test(t)) fail();
    const n = scalar(plainValue(t), at + i, at + i + t.length);
    i += text.length;
    return n;
  };
  for (;;) {
    skip();
    if (s[i] === close) {
      node.range = [at, at + i + 1, at + i + 1];
      return { node, length: i + 1 };
    }
    if (i >= s.length) fail();
    const first = item();
    skip();
    if (open === '{') {
      if (!first || s[i] !== ':') return fail();
      i++;
      const value = item();
      (node as YAMLMap).items.push(new Pair(first, value ?? scalar(null, at + i, at + i)));
    } else {
      if (!first) return fail();
      (node as YAMLSeq).items.push(first);
    }
    skip();
    if (s[i] === ',') i++;
    else if (s[i] !== close) fail();
  }
}

class Reader {
  private i = 0;
  constructor(
    private readonly lines: Line[],
    private readonly text: string,
  ) {}

  /** A flow collection that may span lines: read from the text, then skip the lines it covered. */
  private flowValue(restAt: number): { node: Node; end: number } {
    const f = flow(this.text.slice(restAt, restAt + 65536), restAt);
    const end = restAt + f.length;
    // `this.i` is past the line the collection starts on; move past the line it ends on.
    while (this.i < this.lines.length && this.lines[this.i]!.start < end) this.i++;
    const last = this.lines[this.i - 1]!;
    const after = this.text.slice(end, last.start + last.raw.length).trim();
    if (after !== '' && !after.startsWith('#')) fail();
    return { node: f.node, end };
  }

  /** The next line with content, from `this.i`. */
  private peek(): Line | undefined {
    while (this.i < this.lines.length && clean(this.lines[this.i]!).content === '') this.i++;
    return this.lines[this.i];
  }

  document(): Node | null {
    const first = this.peek();
    if (!first) return null;
    if (first.indent !== 0) fail();
    const node = this.block(0);
    if (this.peek()) fail();
    return node;
  }

  private block(indent: number): Node {
    const line = this.peek()!;
    if (line.indent !== indent) fail();
    if (line.content === '-' || line.content.startsWith('- ')) return this.sequence(indent);
    if (splitKey(line.content, line.at)) return this.map(indent);
    if (line.content[0] === '[' || line.content[0] === '{') {
      this.i++;
      return this.flowValue(line.at).node;
    }
    // A plain scalar on the lines after its key (`if:` then the condition, indented).
    if (/^[[{"'&*!|>%@`?]/.test(line.content)) fail();
    this.i++;
    return this.plain(line.content, line.at, indent - 1);
  }

  private map(indent: number): YAMLMap {
    const map = new YAMLMap();
    const seen = new Set<string>();
    let end = 0;
    for (
      let line = this.peek();
      line && line.indent === indent && !(line.content === '-' || line.content.startsWith('- '));
      line = this.peek()
    ) {
      const kv = splitKey(line.content, line.at) ?? fail();
      const name = String(kv.key.value);
      if (seen.has(name)) fail();
      seen.add(name);
      this.i++;
      const value = this.value(kv.rest, kv.restAt, indent, true);
      map.items.push(new Pair(kv.key, value));
      end = value.range?.[2] ?? kv.restAt;
    }
    map.range = [map.items.length ? (map.items[0]!.key as Scalar).range![0] : 0, end, end];
    return map;
  }

  private sequence(indent: number): YAMLSeq {
    const seq = new YAMLSeq();
    const start = this.peek()!.at;
    let end = start;
    for (
      let line = this.peek();
      line && line.indent === indent && (line.content === '-' || line.content.startsWith('- '));
      line = this.peek()
    ) {
      const after = line.content.slice(1);
      const rest = after.trimStart();
      const restAt = line.at + 1 + (after.length - rest.length);
      if (rest !== '' && splitKey(rest, restAt)) {
        // `- key: value`: a map whose indent is the column of its first key.
        line.indent = restAt - line.start;
        line.content = rest;
        line.at = restAt;
        const node = this.map(line.indent);
        seq.items.push(node);
        end = node.range![2];
        continue;
      }
      this.i++;
      const node = this.value(rest, restAt, indent, false);
      seq.items.push(node);
      end = node.range![2];
    }
    seq.range = [start, end, end];
    return seq;
  }

  /** The value after `key:` or `- `, with the lines that belong to it. */
  private value(rest: string, restAt: number, indent: number, inMap: boolean): Node {
    if (rest === '') {
      const next = this.peek();
      if (next && next.indent > indent) return this.block(next.indent);
      if (next && inMap && next.indent === indent && (next.content === '-' || next.content.startsWith('- ')))
        return this.sequence(indent);
      return scalar(null, restAt, restAt);
    }
    const c = rest[0]!;
    if (c === '&' || c === '*' || c === '!' || c === '%' || c === '@' || c === '`' || c === '?') fail();
    if (c === '|' || c === '>') return this.blockScalar(rest, restAt, indent);
    let node: Node;
    let length: number;
    if (c === '[' || c === '{') {
      node = this.flowValue(restAt).node;
      const next = this.peek();
      if (next && next.indent > indent) fail();
      return node;
    } else if (c === '"' || c === "'") {
      const q = quoted(rest);
      node = scalar(q.value, restAt, restAt + q.length);
      length = q.length;
    } else {
      return this.plain(rest, restAt, indent);
    }
    if (rest.slice(length).trim() !== '') fail();
    const next = this.peek();
    if (next && next.indent > indent) fail();
    return node;
  }

  /** A plain scalar, folded over the more-indented lines that follow it. */
  private plain(rest: string, restAt: number, indent: number): Node {
    if (/:(\s|$)/.test(rest) || / #/.test(rest)) fail();
    let text = rest;
    let end = restAt + rest.length;
    let blank = 0;
    for (;;) {
      const line = this.lines[this.i];
      if (!line) break;
      if (line.raw.trim() === '') {
        blank++;
        this.i++;
        continue;
      }
      if (line.indent <= indent || line.content === '') break;
      const before = line.content;
      if (clean(line).content !== before || /:(\s|$)/.test(line.content)) fail();
      text += blank > 0 ? '\n'.repeat(blank) + line.content : ` ${line.content}`;
      blank = 0;
      end = line.at + line.content.length;
      this.i++;
    }
    // Blank lines after the scalar belong to whatever follows: step back over them.
    while (blank > 0 && this.i > 0 && this.lines[this.i - 1]!.raw.trim() === '') {
      this.i--;
      blank--;
    }
    const node = scalar(plainValue(text), restAt, end);
    return node;
  }

  private blockScalar(header: string, at: number, indent: number): Node {
    const m = /^([|>])([1-9]?)([-+]?)([1-9]?)$/.exec(header);
    if (!m) fail();
    const [, style, i1, chomp, i2] = m!;
    if (i1 || i2) fail();
    const body: string[] = [];
    let contentIndent = -1;
    let end = at + header.length;
    while (this.i < this.lines.length) {
      const line = this.lines[this.i]!;
      const blankLine = line.raw.trim() === '';
      if (!blankLine) {
        if (line.indent <= indent) break;
        if (contentIndent < 0) contentIndent = line.indent;
        if (line.indent < contentIndent) fail();
      }
      // A blank line keeps the spaces beyond the content's indentation (YAML's rule); before the first
      // content line the indentation is not known yet: leave such files to the library.
      if (blankLine && line.raw.length > 0 && contentIndent < 0) fail();
      body.push(blankLine ? line.raw.slice(contentIndent) : line.raw.slice(contentIndent));
      if (!blankLine) end = line.start + line.raw.length;
      this.i++;
    }
    // Trailing blank lines: keep them for chomping, but give them back to the document.
    let trailing = 0;
    while (body.length > 0 && body[body.length - 1]!.trim() === '') {
      if (body[body.length - 1] !== '') fail();
      body.pop();
      trailing++;
    }
    this.i -= trailing;
    let text: string;
    if (style === '|') text = body.join('\n');
    else {
      if (body.some((l) => l !== '' && l.trim() === '')) fail();
      text = folded(body);
    }
    if (body.length > 0) {
      if (chomp === '+') text += '\n'.repeat(1 + trailing);
      else if (chomp !== '-') text += '\n';
    } else if (chomp === '+') text = '\n'.repeat(trailing);
    return scalar(text, at, end);
  }
}

/**
 * The lines of a `>` scalar folded as YAML folds them: a break between two lines of text is a space;
 * around a more-indented line it is kept; each empty line between them is one newline.
 */
function folded(body: readonly string[]): string {
  let text = '';
  let previous: string | undefined;
  let empty = 0;
  for (const line of body) {
    if (line === '') {
      empty++;
      continue;
    }
    if (previous === undefined) text += '\n'.repeat(empty);
    else if (/^\s/.test(previous) || /^\s/.test(line)) text += '\n'.repeat(1 + empty);
    else text += empty === 0 ? ' ' : '\n'.repeat(empty);
    text += line;
    previous = line;
    empty = 0;
  }
  return text;
}

/** The root node of `text` when it is in the plain subset; undefined when the yaml library must read it. */
export function readPlainYaml(text: string): LibraryNode | null | undefined {
  try {
    const lines = splitLines(text);
    // A `---` before the document is common; more documents, `...` and directives are for the library.
    const first = lines.find((l) => l.content !== '');
    if (first && /^---(\s+#.*)?$/.test(first.content) && first.indent === 0) first.content = '';
    if (lines.some((l) => l.indent === 0 && /^(---|\.\.\.)(\s|$)|^%/.test(l.content))) return undefined;
    return new Reader(lines, text).document() as unknown as LibraryNode | null;
  } catch (e) {
    if (e instanceof Unsupported) return undefined;
    return undefined;
  }
}
