// Builds wwwroot/firstparty.js from firstparty.js with the esbuild version package-lock.json pins.
// `node build.mjs` writes the shipped file; `node build.mjs <file>` writes elsewhere, which the unit
// test FirstPartyScriptBuildTests uses to check the shipped file is this build of the source.
import { build } from 'esbuild';
import { fileURLToPath } from 'node:url';

const here = fileURLToPath(new URL('.', import.meta.url));

await build({
  entryPoints: [here + 'firstparty.js'],
  outfile: process.argv[2] ?? here + '../wwwroot/firstparty.js',
  // The source is already one self-contained function: nothing to bundle, no module wrapper.
  bundle: false,
  minify: true,
  // The syntax floor the source is written to (optional chaining, ??, optional catch binding);
  // anything newer would be lowered rather than shipped.
  target: 'es2020',
  charset: 'utf8',
  legalComments: 'none',
  logLevel: 'warning',
});
