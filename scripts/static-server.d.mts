/** Types of scripts/static-server.mjs (the static server of the demo, browser tests and browser bench). */
export interface StaticServer {
  url: string;
  port: number;
  close(): Promise<void>;
}
export interface ServeOptions {
  /** COOP/COEP headers, so pages are cross-origin isolated (default true). */
  isolated?: boolean;
  /** Answer 404 for dot-folders and node_modules (default false). */
  hidden?: boolean;
  /** Paths answered from memory. */
  extra?: Record<string, Uint8Array>;
  /** Where `/` redirects. */
  home?: string;
  /** The port (default 0: a free one; a taken port falls back to a free one). */
  port?: number;
}
export function serve(root: string, options?: ServeOptions): Promise<StaticServer>;
