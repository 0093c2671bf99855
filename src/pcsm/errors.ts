/**
 * The PCSM client's errors are the shared RMM hierarchy (src/http/remote-errors.ts) with `system`
 * 'pcsm', under the names the rest of the connector has always imported. `instanceof PcsmError`
 * is therefore true of every RMM's errors: code that must tell PCSM apart reads `error.system`.
 */
export {
  RemoteAuthError as PcsmAuthError,
  RemoteError as PcsmError,
  RemoteNotFoundError as PcsmNotFoundError,
  RemoteRateLimitedError as PcsmRateLimitedError,
  RemoteRequestError as PcsmRequestError,
  RemoteUnavailableError as PcsmUnavailableError,
  RemoteUnexpectedAnswerError as PcsmUnexpectedAnswerError,
} from '../http/remote-errors';
