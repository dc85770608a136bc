/** What setUp/refresh report: one message per volume that failed, ready for a FailedMount event. */
export interface VolumeFailure {
  volume: string;
  message: string;
}

export class VolumeSetUpError extends Error {
  override name = 'VolumeSetUpError';
  readonly failures: VolumeFailure[];
  constructor(failures: VolumeFailure[]) {
    super(failures.map((f) => f.message).join('; '));
    this.failures = failures;
  }
}
