import React from 'react';
import { render, screen } from '@testing-library/react';
import { ServiceErrorAlert } from './ServiceErrorAlert';
import { ServiceError } from '../../api/serviceError';

describe('ServiceErrorAlert', () => {
  test('an LLM error shows its message, the suggestion and when to retry', () => {
    render(
      <ServiceErrorAlert
        llmError={{ category: 'rate_limit', message: 'The provider is rate limiting', suggestion: 'Lower the request rate or raise the quota', retry_after: 30, provider: 'openai', model: 'gpt-4o' }}
      />
    );
    expect(screen.getByText("The assistant's model failed (rate_limit)")).toBeInTheDocument();
    expect(screen.getByText('Suggestion: Lower the request rate or raise the quota')).toBeInTheDocument();
    expect(screen.getByText('Retry after 30 s.')).toBeInTheDocument();
    expect(screen.getByText(/openai · model gpt-4o/)).toBeInTheDocument();
  });

  test('an unreachable service points to the configuration', () => {
    render(<ServiceErrorAlert title="Incidents unavailable" error={new ServiceError('alerting', 502, 'Bad Gateway')} />);
    expect(screen.getByText(/alerting service is unreachable \(HTTP 502\)/)).toBeInTheDocument();
  });

  test('nothing is rendered without an error', () => {
    const { container } = render(<ServiceErrorAlert />);
    expect(container).toBeEmptyDOMElement();
  });
});
