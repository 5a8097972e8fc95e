/** Plain-text rendering of findings for a terminal (colour only through Style). */
import type { Finding } from '../diagnose/finding.js';
import type { Style } from './io.js';

function indent(text: string, pad: string): string {
  return text
    .split('\n')
    .map((l) => (l.length ? pad + l : l))
    .join('\n');
}

function severityLabel(f: Finding, s: Style): string {
  return f.severity === 'error' ? s.red('error') : f.severity === 'warning' ? s.yellow('warning') : s.cyan('notice');
}

/** One finding: a header line, the title, the message and the fix, indented. */
function renderFinding(f: Finding, s: Style): string {
  const head = [severityLabel(f, s), f.code ? s.bold(f.code) : undefined, s.dim(`[${f.id}]`)].filter(Boolean).join(' ');
  const message = f.message
    .split('\n')
    .map((l) =>
      l.startsWith('Entra said:') || l.startsWith('For Microsoft support:') || l.startsWith('Docs:') ? s.dim(l) : l,
    )
    .join('\n');
  const parts = [head, s.bold(f.title), '', indent(message, '  ')];
  if (f.fix.trim()) parts.push('', `  ${s.green(s.bold('Fix:'))}`, indent(f.fix, '    '));
  return `${parts.join('\n')}\n`;
}

export function renderFindings(findings: readonly Finding[], s: Style): string {
  return findings.map((f) => renderFinding(f, s)).join('\n');
}
