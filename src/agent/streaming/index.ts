export { criStreamingRuntime } from './cri-runtime.ts';
export {
  type RouteHandler,
  type StreamingServer,
  type StreamingServerOptions,
  startStreamingServer,
} from './server.ts';
export type { ContainerRef, StreamingLog, StreamingRuntime } from './types.ts';
