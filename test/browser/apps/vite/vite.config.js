// The one setting (README "Bundlers"): Vite flags any chunk over 500 kB minified, and the library's
// JavaScript with the whole op library is ~570 kB minified (~185 kB gzipped) on its own; raise the
// limit so a real oversize chunk still warns.
export default { build: { chunkSizeWarningLimit: 1024 } };
