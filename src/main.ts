// Bundle entry (dist/cli.js): run the CLI with this process's arguments.
import { main } from './cli.js';

main(process.argv.slice(2)).then((code) => {
  process.exitCode = code;
});
