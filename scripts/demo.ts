// `npm run demo [-- --keep]`: see dev/demo/run.ts.
import { runDemo } from '../dev/demo/run';

const args = process.argv.slice(2);
const unknown = args.filter((a) => a !== '--keep');
if (unknown.length) {
  console.error(`unknown argument: ${unknown.join(' ')}\nusage: npm run demo [-- --keep]`);
  process.exit(2);
}

runDemo({ keep: args.includes('--keep'), env: { ...process.env }, out: process.stdout }).then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
