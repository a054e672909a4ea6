import React from 'react';
import { Alert } from '@grafana/ui';
import { describeError, ServiceError } from '../../api/serviceError';
import type { LlmError } from '../../api/types';
import { testIds } from '../testIds';

interface Props {
  title?: string;
  error?: unknown;
  llmError?: LlmError;
  severity?: 'error' | 'warning';
}

/** Shows a service or LLM failure with the analysis API's suggestion of what to do about it. */
export function ServiceErrorAlert({ title, error, llmError, severity = 'error' }: Props) {
  const llm = llmError ?? (error instanceof ServiceError ? error.llmError : undefined);
  if (!error && !llm) {
    return null;
  }
  const heading =
    title ?? (llm ? `The assistant's model failed (${llm.category})` : 'Request failed');
  return (
    <Alert title={heading} severity={severity} data-testid={testIds.serviceError}>
      <div>{llm ? llm.message : describeError(error)}</div>
      {llm?.suggestion && <div>Suggestion: {llm.suggestion}</div>}
      {llm?.retry_after ? <div>Retry after {llm.retry_after} s.</div> : null}
      {llm?.provider && (
        <div>
          Provider: {llm.provider}
          {llm.model ? ` · model ${llm.model}` : ''}
        </div>
      )}
    </Alert>
  );
}
