import { classifyResponse, type AutotaskHttpResponse } from '../../src/autotask/classify';
import {
  AutotaskAuthError,
  AutotaskBusinessRuleError,
  AutotaskRateLimitedError,
  AutotaskUnavailableError,
} from '../../src/autotask/errors';

function answer(status: number, data: unknown = '', headers: Record<string, string> = {}): AutotaskHttpResponse {
  return { status, data, headers };
}

describe('classifying an Autotask answer', () => {
  it('treats a 2xx answer as success', () => {
    expect(classifyResponse(answer(200, { itemId: 1 }))).toBeNull();
  });

  it('reads HTTP 429 as rate limited, waiting as long as Retry-After says', () => {
    const error = classifyResponse(answer(429, { errors: ['threshold'] }, { 'retry-after': '2' }));
    expect(error).toBeInstanceOf(AutotaskRateLimitedError);
    expect((error as AutotaskRateLimitedError).retryAfterMs).toBe(2000);
    expect(error?.retryable).toBe(true);
  });

  it('waits 60 s on a 429 without Retry-After', () => {
    expect((classifyResponse(answer(429)) as AutotaskRateLimitedError).retryAfterMs).toBe(60_000);
  });

  it('reads the thread-threshold text as rate limited even on HTTP 500 with an errors body', () => {
    const error = classifyResponse(answer(500, { errors: ['Thread Threshold Exceeded - the thread threshold of 3 threads has been exceeded'] }));
    expect(error).toBeInstanceOf(AutotaskRateLimitedError);
    // A thread frees within seconds; waiting the hourly threshold's minute would stall the queue.
    expect((error as AutotaskRateLimitedError).retryAfterMs).toBe(5_000);
  });

  it('recognises the Itgenatr005 code on any status', () => {
    expect(classifyResponse(answer(400, 'Itgenatr005'))).toBeInstanceOf(AutotaskRateLimitedError);
  });

  it('reads 401 and 403 as auth failures that are not retryable', () => {
    for (const status of [401, 403]) {
      const error = classifyResponse(answer(status, { errors: ['nope'] }));
      expect(error).toBeInstanceOf(AutotaskAuthError);
      expect(error?.retryable).toBe(false);
      expect((error as AutotaskAuthError).status).toBe(status);
    }
  });

  it('reads a permission error delivered as HTTP 500 as an auth failure', () => {
    const error = classifyResponse(answer(500, { errors: ['The logged in Resource does not have the adequate permissions to create this entity.'] }));
    expect(error).toBeInstanceOf(AutotaskAuthError);
  });

  it("reads an errors body on HTTP 500 as a permanent business-rule refusal carrying Autotask's text", () => {
    const text = 'Reference value on field: companyID of type: Company does not exist or is invalid.';
    const error = classifyResponse(answer(500, { errors: [text] }));
    expect(error).toBeInstanceOf(AutotaskBusinessRuleError);
    expect((error as AutotaskBusinessRuleError).errors).toEqual([text]);
    expect((error as AutotaskBusinessRuleError).status).toBe(500);
    expect(error?.retryable).toBe(false);
  });

  it('reads an errors body on HTTP 400 as a business-rule refusal', () => {
    expect(classifyResponse(answer(400, { errors: ['bad'] }))).toBeInstanceOf(AutotaskBusinessRuleError);
  });

  it('reads 5xx without an errors body as unavailable and retryable', () => {
    for (const response of [answer(503), answer(502, '<html>bad gateway</html>'), answer(500, { Message: 'An error has occurred.' }), answer(500, { errors: [] })]) {
      const error = classifyResponse(response);
      expect(error).toBeInstanceOf(AutotaskUnavailableError);
      expect(error?.retryable).toBe(true);
    }
  });

  it('reads a 405 wrong-verb answer as a permanent refusal naming the method', () => {
    const error = classifyResponse(answer(405, { Message: "The requested resource does not support http method 'PATCH'." }));
    expect(error).toBeInstanceOf(AutotaskBusinessRuleError);
    expect(error?.message).toContain("'PATCH'");
  });

  it('removes credentials that an answer echoes back', () => {
    const error = classifyResponse(answer(500, { errors: ['bad header Secret=hunter2-secret'] }), { secrets: ['hunter2-secret'] });
    expect(error?.message).not.toContain('hunter2-secret');
    expect(error?.message).toContain('[redacted]');
  });
});
