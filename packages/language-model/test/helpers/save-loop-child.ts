/** Child process for the atomic-save test: saves 4 MiB files of one repeated byte, forever. Arg: path. */
import { writeFileAtomic } from '@recurrent/core';

const path = process.argv[2]!;
for (let i = 1; ; i++) {
  await writeFileAtomic(path, new Uint8Array(4 << 20).fill(i % 251));
  process.stdout.write(`saved ${i}\n`);
}
