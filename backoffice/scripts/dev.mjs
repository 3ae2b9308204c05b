// `npm run dev` (root): the API in development mode and Vite with a proxy to it, together.
import { spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const port = process.env.PORT ?? '4000';
const children = [
  spawn(process.execPath, ['-r', './api/register.js', 'api/main.ts'], { cwd: root, stdio: 'inherit', env: { ...process.env, NODE_ENV: 'development', PORT: port } }),
  spawn(process.execPath, [path.join(root, 'backoffice', 'node_modules', 'vite', 'bin', 'vite.js')], {
    cwd: path.join(root, 'backoffice'),
    stdio: 'inherit',
    env: { ...process.env, API_URL: `http://127.0.0.1:${port}` },
  }),
];
const stop = (code) => {
  for (const c of children) if (c.exitCode === null) c.kill('SIGTERM');
  process.exitCode = code;
};
for (const c of children) c.on('exit', (code) => stop(code ?? 0));
process.on('SIGINT', () => stop(0));
process.on('SIGTERM', () => stop(0));
