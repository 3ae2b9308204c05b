import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';
import { precompress } from './scripts/compress';

// `npm run dev`: the API runs on API_URL (default http://127.0.0.1:4000); Vite proxies the
// GraphQL endpoint (HTTP and WebSocket) and the module routes (uploads, downloads, imports) to it.
const api = process.env.API_URL ?? 'http://127.0.0.1:4000';

export default defineConfig({
  plugins: [react(), precompress()],
  server: {
    port: Number(process.env.VITE_PORT ?? 5173),
    proxy: {
      '/graphql': { target: api, ws: true, changeOrigin: true },
      '/documents': { target: api, changeOrigin: true },
      '^/applications/\\d+/documents': { target: api, changeOrigin: true },
      '/exports': { target: api, changeOrigin: true },
      '/imports': { target: api, changeOrigin: true },
    },
  },
  build: {
    outDir: 'dist',
    // The sign-in page needs react-admin and MUI only; the rest are route chunks loaded after
    // sign-in (App.tsx): recharts goes with the home page, Apollo and graphql-js with the data
    // provider. (A manual `charts` group was tried: rolldown either pulls React into it, which
    // the sign-in page then loads, or, without dependencies, breaks the modules' order.)
    chunkSizeWarningLimit: 600,
    sourcemap: false,
  },
});
