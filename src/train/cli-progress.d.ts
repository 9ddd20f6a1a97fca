// Minimal local types for the part of cli-progress 3.12 the training loop uses. Remove this file
// once @types/cli-progress is a devDependency.
declare module 'cli-progress' {
  namespace cliProgress {
    interface Options {
      format?: string;
      stream?: { write(s: string): unknown; isTTY?: boolean };
      hideCursor?: boolean;
      clearOnComplete?: boolean;
      barsize?: number;
      fps?: number;
      gracefulExit?: boolean;
    }
    class SingleBar {
      constructor(opts: Options, preset?: object);
      start(total: number, startValue: number, payload?: Record<string, unknown>): void;
      update(value: number, payload?: Record<string, unknown>): void;
      stop(): void;
    }
    const Presets: { shades_classic: object; shades_grey: object; legacy: object; rect: object };
  }
  export = cliProgress;
}
