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
    // The sign-in page needs react-admin and MUI only; the rest are route chunks (App.tsx).
    chunkSizeWarningLimit: 600,
    sourcemap: false,
    rolldownOptions: {
      output: {
        // Big libraries of the signed-in pages in their own long-cached chunks (their shared
        // dependencies, React included, stay where they are: not pulled into these groups).
        codeSplitting: {
          groups: [
            { name: 'charts', test: /node_modules[\\/](recharts|d3-[^\\/]+|victory-vendor)[\\/]/, includeDependenciesRecursively: false },
          ],
        },
      },
    },
  },
});
