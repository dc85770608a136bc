/** grpc probe: grpc.health.v1.Health/Check answers SERVING within the timeout (upstream's messages). */
import * as grpc from '@grpc/grpc-js';
import protobuf from 'protobufjs';
import { joinHostPort } from './ports.ts';
import { failure, type ProbeResult, probeUserAgent, success } from './types.ts';

/** grpc.health.v1.HealthCheckResponse.ServingStatus. */
export const servingStatus = ['UNKNOWN', 'SERVING', 'NOT_SERVING', 'SERVICE_UNKNOWN'] as const;

/** HealthCheckRequest { string service = 1; } */
export function encodeHealthRequest(service: string): Buffer {
  const w = protobuf.Writer.create();
  if (service) w.uint32((1 << 3) | 2).string(service);
  return Buffer.from(w.finish());
}

export function decodeHealthRequest(buf: Buffer): string {
  const r = protobuf.Reader.create(buf);
  let service = '';
  while (r.pos < r.len) {
    const tag = r.uint32();
    if (tag >>> 3 === 1 && (tag & 7) === 2) service = r.string();
    else r.skipType(tag & 7);
  }
  return service;
}

/** HealthCheckResponse { ServingStatus status = 1; } */
export function encodeHealthResponse(status: number): Buffer {
  const w = protobuf.Writer.create();
  if (status) w.uint32(1 << 3).int32(status);
  return Buffer.from(w.finish());
}

export function decodeHealthResponse(buf: Buffer): number {
  const r = protobuf.Reader.create(buf);
  let status = 0;
  while (r.pos < r.len) {
    const tag = r.uint32();
    if (tag >>> 3 === 1 && (tag & 7) === 0) status = r.int32();
    else r.skipType(tag & 7);
  }
  return status;
}

export interface HealthRequest {
  service: string;
}
export interface HealthResponse {
  status: number;
}

/** The service definition, for the probe's client and for test servers. */
export const healthService: grpc.ServiceDefinition = {
  Check: {
    path: '/grpc.health.v1.Health/Check',
    requestStream: false,
    responseStream: false,
    // Wrapped in objects: grpc-js takes a falsy message ('' or 0) for a missing one.
    requestSerialize: (r: HealthRequest) => encodeHealthRequest(r.service),
    requestDeserialize: (b: Buffer): HealthRequest => ({ service: decodeHealthRequest(b) }),
    responseSerialize: (r: HealthResponse) => encodeHealthResponse(r.status),
    responseDeserialize: (b: Buffer): HealthResponse => ({ status: decodeHealthResponse(b) }),
  },
};

type CheckCall = (
  request: HealthRequest,
  options: grpc.CallOptions,
  callback: (err: grpc.ServiceError | null, value?: HealthResponse) => void,
) => void;

const HealthClient = grpc.makeGenericClientConstructor(healthService, 'grpc.health.v1.Health');

function goDuration(ms: number): string {
  return ms % 1000 === 0 ? `${ms / 1000}s` : `${ms}ms`;
}

export async function probeGrpc(
  host: string,
  port: number,
  service: string,
  timeoutMs: number,
): Promise<ProbeResult> {
  const addr = joinHostPort(host, port);
  const client = new HealthClient(addr, grpc.credentials.createInsecure(), {
    'grpc.primary_user_agent': probeUserAgent,
    'grpc.enable_retries': 0,
  });
  const deadline = Date.now() + timeoutMs;
  try {
    try {
      await new Promise<void>((resolve, reject) =>
        client.waitForReady(deadline, (err) => (err ? reject(err) : resolve())),
      );
    } catch (e) {
      return failure(
        `timeout: failed to connect service ${JSON.stringify(addr)} within ${goDuration(timeoutMs)}: ${(e as Error).message}`,
      );
    }
    let status: number;
    try {
      status = await new Promise<number>((resolve, reject) =>
        (client as unknown as { Check: CheckCall }).Check({ service }, { deadline }, (err, value) =>
          err ? reject(err) : resolve(value?.status ?? 0),
        ),
      );
    } catch (e) {
      const err = e as grpc.ServiceError;
      if (err.code === grpc.status.UNIMPLEMENTED) {
        return failure(
          `error: this server does not implement the grpc health protocol (grpc.health.v1.Health): ${err.details}`,
        );
      }
      if (err.code === grpc.status.DEADLINE_EXCEEDED) {
        return failure(`timeout: health rpc did not complete within ${goDuration(timeoutMs)}`);
      }
      return failure(`error: health rpc probe failed: ${err.message}`);
    }
    if (status !== 1)
      return failure(
        `service unhealthy (responded with ${JSON.stringify(servingStatus[status] ?? String(status))})`,
      );
    return success('service healthy');
  } finally {
    client.close();
  }
}
