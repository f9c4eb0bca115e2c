// Runs before `npm start`: builds the agent app when web/dist is missing or older than its sources, so a fresh
// clone's `npm install && npm start` serves the app without a separate step.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

const root = import.meta.dirname;
const built = path.join(root, 'dist', 'index.html');

function newest(dir: string): number {
  let t = 0;
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, entry.name);
    t = Math.max(t, entry.isDirectory() ? newest(p) : fs.statSync(p).mtimeMs);
  }
  return t;
}

const sources = Math.max(newest(path.join(root, 'src')), fs.statSync(path.join(root, 'index.html')).mtimeMs, fs.statSync(path.join(root, 'vite.config.ts')).mtimeMs);
const vite = path.join(root, '../node_modules/vite/bin/vite.js');
if (!fs.existsSync(built) || fs.statSync(built).mtimeMs < sources) {
  if (!fs.existsSync(vite)) {
    // An install without dev dependencies cannot build; the server then says so at `/` and the API still runs.
    console.warn('The agent app is not built and Vite is not installed (npm install without --omit=dev builds it).');
  } else {
    console.log('Building the agent app (web/dist)…');
    execFileSync(process.execPath, [vite, 'build', '--config', path.join(root, 'vite.config.ts'), '--logLevel', 'warn'], { stdio: 'inherit' });
  }
}
