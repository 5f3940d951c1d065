// Vite and Vitest settings for the Trailscope front end.
// The build goes to ui/dist, which the desktop shell embeds; it must never load
// anything from the network, so nothing here points at a remote URL.
import { defineConfig } from "vitest/config";

export default defineConfig({
  // Relative asset paths: the shell serves dist/ from its own protocol root.
  base: "./",
  clearScreen: false,
  build: {
    outDir: "dist",
    emptyOutDir: true,
    target: "es2022",
    // No inline <script> or data: modules: the CSP allows only 'self'.
    modulePreload: { polyfill: false },
    assetsInlineLimit: 0,
  },
  test: {
    include: ["src/**/*.test.ts"],
    environment: "node",
  },
});
