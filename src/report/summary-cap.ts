/**
 * The job summary's size cap. The runner refuses a step summary over 1 MiB ("supports content
 * up to a size of 1024k") and shows none of it; an audit of many workflows reached 1.7 MB and
 * 17.7 MB. A summary over the cap keeps its beginning, cut at a line outside any fenced block
 * (a table just loses rows), and ends with a line that says what was cut and where the rest is.
 */

/** Bytes, with room under 1 MiB for the closing line. */
const SUMMARY_MAX_BYTES = 1000 * 1024;

export function capSummary(markdown: string, maxBytes = SUMMARY_MAX_BYTES): string {
  if (Buffer.byteLength(markdown, 'utf8') <= maxBytes) return markdown;
  const budget = maxBytes - 400;
  const lines = markdown.split('\n');
  let bytes = 0;
  let keep = 0;
  let fence: string | undefined;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    bytes += Buffer.byteLength(line, 'utf8') + 1;
    if (bytes > budget) break;
    const run = /^(`{3,}|~{3,})/.exec(line)?.[1];
    if (fence === undefined && run) fence = run;
    else if (fence !== undefined && line.trim() === fence) fence = undefined;
    // A cut may fall after this line only when no fenced block is left open.
    if (fence === undefined) keep = i + 1;
  }
  const kept = lines.slice(0, keep).join('\n').replace(/\n+$/, '');
  const total = Math.ceil(Buffer.byteLength(markdown, 'utf8') / 1024);
  return (
    `${kept}\n\n**The summary is cut here**: it would be ${total} KiB, and GitHub shows at most 1024 KiB. ` +
    "Every finding is in the step's `findings` output and in the log's annotations.\n"
  );
}
