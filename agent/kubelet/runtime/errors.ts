/**
 * Runtime failures with the waiting reasons the API shows (kubelet
 * container/sync_result.go and images/types.go): callers branch on `code`,
 * which is the container's `state.waiting.reason` as-is.
 */
export type RuntimeErrorCode =
  | 'ErrImagePull'
  | 'ImagePullBackOff'
  | 'ErrImageNeverPull'
  | 'InvalidImageName'
  | 'CreateContainerConfigError'
  | 'CreateContainerError'
  | 'RunContainerError'
  | 'CrashLoopBackOff'
  | 'PostStartHookError'
  | 'PreStopHookError'
  | 'KillContainerError'
  | 'CreatePodSandboxError'
  | 'NetworkPluginNotReady'
  | 'RuntimeUnavailable';

export class RuntimeError extends Error {
  override readonly name = 'RuntimeError';
  constructor(
    readonly code: RuntimeErrorCode,
    message: string,
  ) {
    super(message);
  }
}
