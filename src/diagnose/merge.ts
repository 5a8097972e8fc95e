import type { Finding, FindingId } from './finding.js';

/** Findings that describe the same failed match, whatever detail each side could see. */
const FAMILY: Partial<Record<FindingId, string>> = {
  'issuer-mismatch': 'issuer',
  'audience-mismatch': 'audience',
  'subject-mismatch': 'subject',
  'subject-case-mismatch': 'subject',
  'subject-immutable-format': 'subject',
  'subject-custom-template': 'subject',
  'expression-mismatch': 'subject',
  'credential-wildcard': 'subject',
};

/**
 * Merge Entra's verdict into the local comparison's findings. When both describe the same
 * failed match, keep the local text (it has the credential-side evidence) and add Entra's
 * code and trace; a generic "no match" (AADSTS70021) joins the first local match finding.
 */
export function mergeFindings(local: readonly Finding[], remote: readonly Finding[]): Finding[] {
  const out = local.map((f) => ({ ...f }));
  for (const r of remote) {
    const family = FAMILY[r.id];
    const same = out.find(
      (l) =>
        !l.code &&
        l.severity === 'error' &&
        (l.id === r.id ||
          (family !== undefined && FAMILY[l.id] === family) ||
          (r.id === 'credential-not-found' && r.code === 'AADSTS70021' && FAMILY[l.id] !== undefined)),
    );
    if (same) {
      same.code = r.code;
      const trace = /(Trace ID[^\n]*)\s*$/.exec(r.message)?.[1];
      if (trace) same.message = `${same.message}\n${trace}`;
      continue;
    }
    out.push(r);
  }
  return out;
}
