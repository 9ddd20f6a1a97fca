/** The package version (kept equal to package.json's "version"; test/io.test.ts checks it). */
export const version = '0.1.0';
