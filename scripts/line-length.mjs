// Lines of code within 120 columns: Biome's formatter wraps code at 120 but leaves a long string or
// comment as it is, so this checks what the formatter cannot. Run by `npm test`.
// Usage: node scripts/line-length.mjs
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const LIMIT = 120;
const CODE = /\.(ts|mjs)$/;

function* files(dir) {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) yield* files(path);
    else if (CODE.test(entry.name)) yield path;
  }
}

const long = [];
for (const top of ['src', 'test', 'scripts'])
  for (const file of files(join(root, top)))
    readFileSync(file, 'utf8')
      .split('\n')
      .forEach((line, i) => {
        // Characters, not bytes: `…` and `→` count one column each.
        if ([...line].length > LIMIT) long.push(`${relative(root, file)}:${i + 1}: ${[...line].length} columns`);
      });
if (long.length > 0) {
  console.error(`${long.join('\n')}\n\n${long.length} line(s) over ${LIMIT} columns: split them.`);
  process.exit(1);
}
console.log(`No line over ${LIMIT} columns.`);
