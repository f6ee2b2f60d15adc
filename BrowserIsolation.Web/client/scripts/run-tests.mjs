// Unit tests of the client's pure logic with Node's own test runner: compile with tsc to CommonJS, then run.
import { spawnSync } from 'node:child_process';
import { readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const out = '.test-build';
rmSync(out, { recursive: true, force: true });
const compile = spawnSync(process.execPath, ['node_modules/typescript/bin/tsc', '-p', 'tsconfig.test.json'], { stdio: 'inherit' });
if (compile.status !== 0) process.exit(compile.status ?? 1);
// The package is ESM ("type": "module"); the compiled tests are CommonJS.
writeFileSync(join(out, 'package.json'), '{ "type": "commonjs" }\n');
const files = readdirSync(join(out, 'test')).filter((f) => f.endsWith('.test.js')).map((f) => join(out, 'test', f));
const run = spawnSync(process.execPath, ['--enable-source-maps', '--test', '--test-reporter=spec', ...files], { stdio: 'inherit' });
process.exit(run.status ?? 1);
